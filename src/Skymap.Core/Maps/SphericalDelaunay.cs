using Skymap.Core.Geometry;
using Skymap.Core.Randomness;

namespace Skymap.Core.Maps;

/// <summary>
/// Delaunay triangulation of points on the unit sphere, computed as their 3-D convex hull (FORMATS.md §7: the
/// triangulation meander builds with scipy's ConvexHull). Incremental hull with conflict lists and a
/// deterministic random insertion order: O(n log n) expected.
/// </summary>
/// <remarks>
/// HEALPix centres are full of exactly co-circular quadruples (four points in one plane), which make the
/// orientation test 0 and the hull ambiguous. The points are therefore nudged by a deterministic ~1e-9 rad
/// pseudo-random offset before the hull is built: far below any pixel size (nside 8192 pixels are 1.2e-4 rad),
/// far above double rounding of the orientation determinant. The triangles index the caller's points.
/// </remarks>
internal static class SphericalDelaunay
{
    private const double Jitter = 1e-9;

    /// <summary>Triangulates distinct unit vectors.</summary>
    /// <param name="points">At least 4 distinct points on the unit sphere, not all in one plane.</param>
    /// <returns>Triangles as index triples, counter-clockwise seen from outside the sphere; empty when the points span no volume.</returns>
    public static int[] Triangulate(IReadOnlyList<Vector3D> points)
    {
        var n = points.Count;
        if (n < 4)
        {
            return [];
        }

        var p = new Vector3D[n];
        for (var i = 0; i < n; i++)
        {
            var h = SplitMix64.Hash((ulong)i, 0x5EED_DE1A_0000_0001UL);
            var dx = (SplitMix64.ToUnit(h) - 0.5) * 2 * Jitter;
            var dy = (SplitMix64.ToUnit(SplitMix64.Mix(h + 1)) - 0.5) * 2 * Jitter;
            var dz = (SplitMix64.ToUnit(SplitMix64.Mix(h + 2)) - 0.5) * 2 * Jitter;
            p[i] = (points[i] + new Vector3D(dx, dy, dz)).Normalized();
        }

        return new Hull(p).Build();
    }

    private sealed class Hull
    {
        private readonly Vector3D[] _p;
        private readonly List<Face> _faces = [];
        private readonly List<List<int>?> _conflicts = [];
        private readonly int[] _pointFace;

        public Hull(Vector3D[] points)
        {
            _p = points;
            _pointFace = new int[points.Length];
        }

        public int[] Build()
        {
            var n = _p.Length;
            if (!InitialTetrahedron(out var t0, out var t1, out var t2, out var t3))
            {
                return [];
            }

            // Insertion order: deterministic shuffle of the remaining points.
            var order = new List<int>(n);
            for (var i = 0; i < n; i++)
            {
                if (i != t0 && i != t1 && i != t2 && i != t3)
                {
                    order.Add(i);
                }
            }

            var rng = new SplitMix64(0x0DE1_A0A7_5EEDUL);
            for (var i = order.Count - 1; i > 0; i--)
            {
                var j = (int)(rng.Next() % (ulong)(i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }

            Array.Fill(_pointFace, -1);
            foreach (var i in order)
            {
                for (var f = 0; f < 4; f++)
                {
                    if (Distance(f, i) > 0)
                    {
                        Assign(i, f);
                        break;
                    }
                }
            }

            var visible = new List<int>();
            var stack = new Stack<int>();
            var horizon = new List<(int U, int V, int Outside)>();
            var startAt = new Dictionary<int, int>();
            var endAt = new Dictionary<int, int>();
            var newFaces = new List<int>();
            var orphans = new List<int>();
            foreach (var pi in order)
            {
                var seed = _pointFace[pi];
                if (seed < 0)
                {
                    continue; // inside the hull (numerically): not on the triangulation
                }

                // Visible region: faces connected to the seed that see the point.
                visible.Clear();
                horizon.Clear();
                _faces[seed] = _faces[seed] with { Mark = pi + 1 };
                stack.Push(seed);
                while (stack.Count > 0)
                {
                    var f = stack.Pop();
                    visible.Add(f);
                    var face = _faces[f];
                    for (var e = 0; e < 3; e++)
                    {
                        var g = face.Neighbour(e);
                        var other = _faces[g];
                        if (other.Mark == pi + 1)
                        {
                            continue;
                        }

                        if (Distance(g, pi) > 0)
                        {
                            _faces[g] = other with { Mark = pi + 1 };
                            stack.Push(g);
                        }
                        else
                        {
                            horizon.Add((face.Vertex(e), face.Vertex((e + 1) % 3), g));
                        }
                    }
                }

                // Horizon edges seen from a visible face: (u, v) counter-clockwise; a horizon edge whose outside
                // face was later marked visible is not a horizon edge.
                orphans.Clear();
                foreach (var f in visible)
                {
                    _faces[f] = _faces[f] with { Alive = false };
                    if (_conflicts[f] is { } list)
                    {
                        foreach (var q in list)
                        {
                            if (q != pi && _pointFace[q] == f)
                            {
                                orphans.Add(q);
                            }
                        }

                        _conflicts[f] = null;
                    }
                }

                newFaces.Clear();
                startAt.Clear();
                endAt.Clear();
                foreach (var (u, v, outside) in horizon)
                {
                    if (!_faces[outside].Alive)
                    {
                        continue;
                    }

                    var nf = AddFace(u, v, pi);
                    newFaces.Add(nf);
                    startAt[u] = nf;
                    endAt[v] = nf;
                    var of = _faces[outside];
                    var oe = of.EdgeIndex(v, u);
                    _faces[outside] = of.WithNeighbour(oe, nf);
                    _faces[nf] = _faces[nf].WithNeighbour(0, outside);
                }

                foreach (var nf in newFaces)
                {
                    var face = _faces[nf];
                    // Edge 1 is v→p: shared with the new face that starts at v; edge 2 is p→u: with the one ending at u.
                    face = face.WithNeighbour(1, startAt[face.B]).WithNeighbour(2, endAt[face.A]);
                    _faces[nf] = face;
                }

                _pointFace[pi] = -1;
                foreach (var q in orphans)
                {
                    _pointFace[q] = -1;
                    foreach (var nf in newFaces)
                    {
                        if (Distance(nf, q) > 0)
                        {
                            Assign(q, nf);
                            break;
                        }
                    }
                }
            }

            var triangles = new List<int>(6 * n);
            foreach (var face in _faces)
            {
                if (face.Alive)
                {
                    triangles.Add(face.A);
                    triangles.Add(face.B);
                    triangles.Add(face.C);
                }
            }

            return [.. triangles];
        }

        private void Assign(int point, int face)
        {
            _pointFace[point] = face;
            (_conflicts[face] ??= []).Add(point);
        }

        private double Distance(int face, int point)
        {
            var f = _faces[face];
            return f.Normal.Dot(_p[point]) - f.Offset;
        }

        private int AddFace(int a, int b, int c)
        {
            var normal = (_p[b] - _p[a]).Cross(_p[c] - _p[a]);
            _faces.Add(new Face(a, b, c, -1, -1, -1, normal, normal.Dot(_p[a]), true, 0));
            _conflicts.Add(null);
            return _faces.Count - 1;
        }

        private bool InitialTetrahedron(out int t0, out int t1, out int t2, out int t3)
        {
            var n = _p.Length;
            t0 = 0;
            t1 = t2 = t3 = -1;
            var best = 0.0;
            for (var i = 1; i < n; i++)
            {
                var d = (_p[i] - _p[t0]).LengthSquared;
                if (d > best)
                {
                    best = d;
                    t1 = i;
                }
            }

            best = 0.0;
            for (var i = 0; i < n; i++)
            {
                var d = (_p[t1] - _p[t0]).Cross(_p[i] - _p[t0]).LengthSquared;
                if (d > best)
                {
                    best = d;
                    t2 = i;
                }
            }

            if (t1 < 0 || t2 < 0)
            {
                return false;
            }

            var normal = (_p[t1] - _p[t0]).Cross(_p[t2] - _p[t0]);
            best = 0.0;
            for (var i = 0; i < n; i++)
            {
                var d = Math.Abs(normal.Dot(_p[i] - _p[t0]));
                if (d > best)
                {
                    best = d;
                    t3 = i;
                }
            }

            if (t3 < 0 || best < 1e-14)
            {
                return false;
            }

            if (normal.Dot(_p[t3] - _p[t0]) > 0)
            {
                (t1, t2) = (t2, t1); // make (t0, t1, t2) face away from t3
            }

            // Faces, each counter-clockwise seen from outside.
            var f0 = AddFace(t0, t1, t2);
            var f1 = AddFace(t0, t3, t1);
            var f2 = AddFace(t1, t3, t2);
            var f3 = AddFace(t2, t3, t0);
            int[] all = [f0, f1, f2, f3];
            foreach (var f in all)
            {
                for (var e = 0; e < 3; e++)
                {
                    var face = _faces[f];
                    var u = face.Vertex(e);
                    var v = face.Vertex((e + 1) % 3);
                    foreach (var g in all)
                    {
                        if (g != f && _faces[g].EdgeIndex(v, u) >= 0)
                        {
                            _faces[f] = face.WithNeighbour(e, g);
                            break;
                        }
                    }
                }
            }

            return true;
        }
    }

    /// <summary>A hull face (A, B, C) counter-clockwise from outside; neighbour i lies across edge (vertex i → vertex i+1).</summary>
    private readonly record struct Face(
        int A, int B, int C, int N0, int N1, int N2, Vector3D Normal, double Offset, bool Alive, int Mark)
    {
        public int Vertex(int i) => i switch { 0 => A, 1 => B, _ => C };

        public int Neighbour(int i) => i switch { 0 => N0, 1 => N1, _ => N2 };

        public Face WithNeighbour(int i, int face) => i switch
        {
            0 => this with { N0 = face },
            1 => this with { N1 = face },
            _ => this with { N2 = face },
        };

        /// <summary>The index of the directed edge u → v in this face, or −1.</summary>
        public int EdgeIndex(int u, int v)
        {
            if (A == u && B == v)
            {
                return 0;
            }

            if (B == u && C == v)
            {
                return 1;
            }

            return C == u && A == v ? 2 : -1;
        }
    }
}
