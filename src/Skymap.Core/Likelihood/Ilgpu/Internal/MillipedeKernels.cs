using ILGPU;
using Skymap.Core.Physics;

namespace Skymap.Core.Likelihood.Ilgpu.Internal;

/// <summary>One millipede track of a batch: the line r0 + s·d clipped to the cube, cascades at sIn + k·S, k &lt; Count.</summary>
/// <param name="X">r0 x [m].</param>
/// <param name="Y">r0 y [m].</param>
/// <param name="Z">r0 z [m].</param>
/// <param name="Dx">d x.</param>
/// <param name="Dy">d y.</param>
/// <param name="Dz">d z.</param>
/// <param name="SIn">Entry parameter along d [m].</param>
/// <param name="Count">Number of cascades (0: the track misses the cube).</param>
internal readonly record struct MillipedeTrack(double X, double Y, double Z, double Dx, double Dy, double Dz, double SIn, int Count);

/// <summary>
/// The millipede unfolding of PHYSICS.md §4 as ILGPU kernels: the response matrix B (yield of cascade s at DOM j per
/// GeV), the profiled Poisson llh at given energies, and a multiplicative (EM) step of the non-negative energy solve.
/// The DOM buffer holds five planes of <c>n</c> doubles: x, y, z, rde·A, k; a second buffer holds ln Γ(k + 1).
/// B is dense per track: [track][DOM][source], <c>m</c> sources per track (the batch's largest count).
/// Sums over DOMs are one group per track with a fixed-shape shared-memory tree (bit-reproducible, no atomics).
/// </summary>
internal static class MillipedeKernels
{
    public const int MaxGroupSize = PandelKernels.MaxGroupSize;

    /// <summary>The yield of one cascade at distance r from a DOM of amplitude rde·A (0 beyond 300 m).</summary>
    public static double Yield(double amplitude, double r)
    {
        if (r > PhysicsConstants.YieldMaxDistance)
        {
            return 0.0;
        }

        var rr = r + PhysicsConstants.YieldDistanceOffset;
        return amplitude * Math.Exp(-rr / PhysicsConstants.YieldLambda) / rr;
    }

    /// <summary>B[b, j, s] for every track b, DOM j, source s &lt; m (0 for s ≥ the track's count).</summary>
    public static void Response(Index1D index, ArrayView<double> doms, int n, int m, ArrayView<MillipedeTrack> tracks, ArrayView<double> response)
    {
        var s = (int)(index % m);
        var rest = index / m;
        var j = (int)(rest % n);
        var b = (int)(rest / n);
        var t = tracks[b];
        var value = 0.0;
        if (s < t.Count)
        {
            var along = t.SIn + (s * PhysicsConstants.CascadeSpacing);
            var dx = doms[j] - (t.X + (along * t.Dx));
            var dy = doms[n + j] - (t.Y + (along * t.Dy));
            var dz = doms[(2 * n) + j] - (t.Z + (along * t.Dz));
            value = Yield(doms[(3 * n) + j], Math.Sqrt((dx * dx) + (dy * dy) + (dz * dz)));
        }

        response[index] = value;
    }

    /// <summary>
    /// llh[b] = Σ_j [μ_j − k_j ln μ_j + ln Γ(k_j + 1)], μ_j = noise + Σ_s B[b, j, s]·E[b, s]; μ is stored for <see cref="EmStep"/>.
    /// One group per track.
    /// </summary>
    public static void Llh(ArrayView<double> doms, ArrayView<double> lnGamma, int n, int m, ArrayView<double> response, ArrayView<double> energies, ArrayView<double> mu, ArrayView<double> llh)
    {
        var partial = SharedMemory.Allocate<double>(MaxGroupSize);
        var tid = Group.IdxX;
        var size = Group.DimX;
        var b = Grid.IdxX;
        var sum = 0.0;
        for (var j = tid; j < n; j += size)
        {
            var row = ((long)b * n * m) + ((long)j * m);
            var expected = PhysicsConstants.PoissonNoise;
            for (var s = 0; s < m; s++)
            {
                expected += response[row + s] * energies[((long)b * m) + s];
            }

            mu[((long)b * n) + j] = expected;
            var k = doms[(4 * n) + j];
            sum += expected - (k == 0 ? 0.0 : k * Math.Log(expected)) + lnGamma[j];
        }

        partial[tid] = sum;
        Group.Barrier();
        for (var half = size / 2; half > 0; half /= 2)
        {
            if (tid < half)
            {
                partial[tid] += partial[tid + half];
            }

            Group.Barrier();
        }

        if (tid == 0)
        {
            llh[b] = partial[0];
        }
    }

    /// <summary>
    /// One EM (multiplicative) step of the non-negative Poisson solve, from the μ of the last <see cref="Llh"/>:
    /// E_s ← E_s · Σ_j B_js k_j/μ_j / Σ_j B_js. Energies stay ≥ 0; the llh does not increase. Index: b·m + s.
    /// </summary>
    public static void EmStep(Index1D index, ArrayView<double> doms, int n, int m, ArrayView<double> response, ArrayView<double> mu, ArrayView<double> energies)
    {
        var s = (int)(index % m);
        var b = (int)(index / m);
        var num = 0.0;
        var den = 0.0;
        for (var j = 0; j < n; j++)
        {
            var bjs = response[((long)b * n * m) + ((long)j * m) + s];
            den += bjs;
            num += bjs * doms[(4 * n) + j] / mu[((long)b * n) + j];
        }

        energies[index] = den > 0 ? energies[index] * num / den : 0.0;
    }
    /// <summary>
    /// The gradient of the llh in the energies, from the μ of the last <see cref="Llh"/>:
    /// g[b, s] = Σ_j B[b, j, s]·(1 − k_j/μ_j). Index: b·m + s.
    /// </summary>
    public static void Gradient(Index1D index, ArrayView<double> doms, int n, int m, ArrayView<double> response, ArrayView<double> mu, ArrayView<double> gradient)
    {
        var s = (int)(index % m);
        var b = (int)(index / m);
        var sum = 0.0;
        for (var j = 0; j < n; j++)
        {
            var bjs = response[((long)b * n * m) + ((long)j * m) + s];
            sum += bjs * (1.0 - (doms[(4 * n) + j] / mu[((long)b * n) + j]));
        }

        gradient[index] = sum;
    }

    /// <summary>
    /// The Hessian of the llh restricted to a set of sources, from the μ of the last <see cref="Llh"/>:
    /// H[b, a, c] = Σ_hit j B[b, j, f_a]·B[b, j, f_c]·k_j/μ_j², f = free[b·p + ·] (−1: padding, H = 0).
    /// Only hit DOMs contribute (k = 0 elsewhere); <paramref name="hits"/> lists them. Index: (b·p + a)·p + c.
    /// </summary>
    public static void Hessian(Index1D index, ArrayView<double> doms, int n, int m, ArrayView<int> hits, int hitCount, ArrayView<double> response, ArrayView<double> mu, ArrayView<int> free, int p, ArrayView<double> hessian)
    {
        var c = (int)(index % p);
        var rest = index / p;
        var a = (int)(rest % p);
        var b = (int)(rest / p);
        var fa = free[((long)b * p) + a];
        var fc = free[((long)b * p) + c];
        var sum = 0.0;
        if (fa >= 0 && fc >= 0)
        {
            for (var h = 0; h < hitCount; h++)
            {
                var j = hits[h];
                var row = ((long)b * n * m) + ((long)j * m);
                var u = mu[((long)b * n) + j];
                sum += response[row + fa] * response[row + fc] * doms[(4 * n) + j] / (u * u);
            }
        }

        hessian[index] = sum;
    }
}
