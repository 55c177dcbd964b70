using MathNet.Numerics.LinearAlgebra;
using Skymap.Core.Geometry;

namespace Skymap.Core.Maps;

/// <summary>
/// Surface gradients of values sampled at the points of a spherical triangulation: at each point, a least-squares
/// quadratic fit to the values of its neighbours up to two edges away, in gnomonic coordinates about the point.
/// </summary>
/// <remarks>
/// A quadratic fit reproduces the gradient of any quadratic surface exactly whatever the stencil's shape, so the
/// gradients are right at the minimum of a likelihood map (zero) and along its parabolic walls; the second ring
/// averages down pixel-to-pixel noise. Where the fit is ill-conditioned (fewer than six neighbours, a degenerate
/// stencil) a linear fit over the same neighbours is used; where that fails too the gradient is NaN, and the
/// contour falls back to linear interpolation on that point's edges.
/// </remarks>
internal static class SampleGradients
{
    /// <summary>Estimates the gradient at every point.</summary>
    /// <param name="points">Unit vectors.</param>
    /// <param name="values">Finite values, one per point.</param>
    /// <param name="triangles">Index triples of a triangulation of the points.</param>
    /// <returns>One tangent vector per point (per radian of arc), or NaN components where no fit was possible.</returns>
    public static Vector3D[] Estimate(IReadOnlyList<Vector3D> points, ReadOnlySpan<double> values, ReadOnlySpan<int> triangles)
    {
        var n = points.Count;
        var neighbours = new List<int>[n];
        for (var i = 0; i < n; i++)
        {
            neighbours[i] = [];
        }

        for (var t = 0; t + 2 < triangles.Length; t += 3)
        {
            int a = triangles[t], b = triangles[t + 1], c = triangles[t + 2];
            Link(neighbours, a, b);
            Link(neighbours, b, c);
            Link(neighbours, c, a);
        }

        var gradients = new Vector3D[n];
        var stencil = new HashSet<int>();
        Span<double> normal = stackalloc double[5 * 5];
        Span<double> rhs = stackalloc double[5];
        Span<double> row = stackalloc double[5];
        for (var i = 0; i < n; i++)
        {
            stencil.Clear();
            foreach (var j in neighbours[i])
            {
                stencil.Add(j);
                foreach (var k in neighbours[j])
                {
                    stencil.Add(k);
                }
            }

            stencil.Remove(i);
            gradients[i] = Fit(points, values, i, stencil, normal, rhs, row);
        }

        return gradients;
    }

    private static void Link(List<int>[] neighbours, int u, int v)
    {
        if (!neighbours[u].Contains(v))
        {
            neighbours[u].Add(v);
            neighbours[v].Add(u);
        }
    }

    private static Vector3D Fit(IReadOnlyList<Vector3D> points, ReadOnlySpan<double> values, int i, HashSet<int> stencil, Span<double> normal, Span<double> rhs, Span<double> row)
    {
        var p = points[i];
        var axis = Math.Abs(p.Z) < 0.9 ? new Vector3D(0, 0, 1) : new Vector3D(1, 0, 0);
        var e1 = axis.Cross(p).Normalized();
        var e2 = p.Cross(e1);

        // Scale the coordinates by the mean neighbour distance so that the normal equations stay well conditioned.
        var scale = 0.0;
        foreach (var j in stencil)
        {
            scale += (points[j] - p).Length;
        }

        if (stencil.Count < 2 || scale <= 0)
        {
            return new Vector3D(double.NaN, double.NaN, double.NaN);
        }

        scale /= stencil.Count;
        for (var unknowns = stencil.Count >= 8 ? 5 : 2; unknowns >= 2; unknowns -= 3)
        {
            normal.Clear();
            rhs.Clear();
            foreach (var j in stencil)
            {
                var q = points[j];
                var d = q.Dot(p);
                if (d <= 0)
                {
                    continue;
                }

                var g = ((1.0 / d) * q) - p; // gnomonic projection onto the tangent plane at p
                var x = g.Dot(e1) / scale;
                var y = g.Dot(e2) / scale;
                row[0] = x;
                row[1] = y;
                if (unknowns == 5)
                {
                    row[2] = 0.5 * x * x;
                    row[3] = x * y;
                    row[4] = 0.5 * y * y;
                }

                var df = values[j] - values[i];
                for (var r = 0; r < unknowns; r++)
                {
                    rhs[r] += row[r] * df;
                    for (var c = 0; c < unknowns; c++)
                    {
                        normal[(r * unknowns) + c] += row[r] * row[c];
                    }
                }
            }

            if (Solve(normal[..(unknowns * unknowns)], rhs[..unknowns], unknowns))
            {
                return ((rhs[0] / scale) * e1) + ((rhs[1] / scale) * e2);
            }
        }

        return new Vector3D(double.NaN, double.NaN, double.NaN);
    }

    /// <summary>
    /// Solves a·x = b in place (x into <paramref name="b"/>) by MathNet's LU decomposition with partial pivoting; false
    /// when the system is (nearly) singular: a pivot below 1e-9 of the largest coefficient.
    /// </summary>
    private static bool Solve(Span<double> a, Span<double> b, int n)
    {
        var largest = 0.0;
        foreach (var v in a)
        {
            largest = Math.Max(largest, Math.Abs(v));
        }

        if (largest == 0)
        {
            return false;
        }

        var lu = Matrix<double>.Build.DenseOfRowMajor(n, n, a.ToArray()).LU();
        for (var i = 0; i < n; i++)
        {
            if (Math.Abs(lu.U[i, i]) < 1e-9 * largest)
            {
                return false;
            }
        }

        lu.Solve(Vector<double>.Build.DenseOfArray(b.ToArray())).AsArray().CopyTo(b);
        return true;
    }
}
