using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Xunit.Abstractions;

namespace Skymap.Core.Tests.Likelihood.Kernels;

/// <summary>
/// One contract, every backend present (scalar, each SIMD width, ILGPU's CPU accelerator, a GPU where usable): agreement with the scalar reference to a
/// relative 1e-9 on the event llh over random and edge-case hypotheses, batched = single, bit-identical repeats.
/// </summary>
public class LikelihoodKernelContractTests(ITestOutputHelper output)
{
    private static readonly PandelVariant[] Variants = [PandelVariant.Spe, PandelVariant.Mpe];

    /// <summary>Random hypotheses near the truth plus ones built for the edge cases of PHYSICS.md §3.</summary>
    internal static IEnumerable<TrackHypothesis> Hypotheses(SyntheticDoms doms, int seed, int count)
    {
        var rng = new Random(seed);
        yield return doms.Truth;
        for (var i = 0; i < count; i++)
        {
            yield return doms.RandomHypothesis(rng, 150, 30, 300);
        }

        // ρ⊥ ≈ 0: the track passes exactly through a DOM (and a hair beside it).
        var dom = new Vector3D(doms.X[0], doms.Y[0], doms.Z[0]);
        yield return doms.Truth with { Vertex = dom };
        yield return doms.Truth with { Vertex = dom + new Vector3D(1e-10, 0, 0) };

        // DOM 1 (or 0) with its residual in (0, t0p), at t ≤ 0, at 0 and exactly at t0p.
        foreach (var residual in new[] { 1e-6, 5.0, 20.0, -30.0, -400.0, 0.0, PandelPdf.T0p })
        {
            var j = Math.Min(1, doms.X.Length - 1);
            var (t, _) = ExactPandel.Geometry(doms.Truth, new Vector3D(doms.X[j], doms.Y[j], doms.Z[j]), doms.T1[j]);
            yield return doms.Truth with { Time = doms.Truth.Time + (t - residual) };
        }

        // Far away: every d_eff > 100 m; and very early/late tracks (all residuals huge, of either sign).
        yield return doms.Truth with { Vertex = doms.Truth.Vertex + new Vector3D(3000, 0, 0) };
        yield return doms.Truth with { Time = doms.Truth.Time - 50000 };
        yield return doms.Truth with { Time = doms.Truth.Time + 50000 };
    }

    private static void AssertClose(double expected, double actual, double rel, string what) =>
        Assert.True(
            Math.Abs(actual - expected) <= rel * Math.Abs(expected) || (double.IsNaN(expected) && double.IsNaN(actual)),
            $"{what}: expected {expected:R}, got {actual:R} (relative {Math.Abs(actual - expected) / Math.Abs(expected):E2})");

    [Fact]
    public void Test_hypotheses_cover_the_edge_cases()
    {
        var doms = SyntheticDoms.Create(31, 600, hugeChargeFraction: 0.05);
        int negative = 0, patched = 0, far = 0, onTrack = 0, large = doms.N.Count(n => n > 1000);
        foreach (var h in Hypotheses(doms, 31, 20))
        {
            for (var i = 0; i < doms.X.Length; i++)
            {
                var r = new Vector3D(doms.X[i], doms.Y[i], doms.Z[i]);
                var (t, deff) = ExactPandel.Geometry(h, r, doms.T1[i]);
                negative += t <= 0 ? 1 : 0;
                patched += t > 0 && t < PandelPdf.T0p && deff <= 100 ? 1 : 0;
                far += deff > 100 ? 1 : 0;
                onTrack += (r - h.Vertex).Cross(h.Direction).Length < 1e-9 ? 1 : 0;
            }
        }

        Assert.True(negative > 100 && patched > 20 && far > 100 && onTrack >= 1 && large >= 10, $"{negative} {patched} {far} {onTrack} {large}");
    }

    [Theory]
    [KernelBackendData]
    public void Event_llh_matches_scalar_to_1e9(string backend)
    {
        var kernel = KernelBackends.Get(backend);
        var scalar = ScalarLikelihoodKernel.Instance;
        var worst = 0.0;
        var cases = new[] { (31, 600, 0.05), (32, 1, 0.0), (33, 7, 0.5), (34, 257, 0.02), (35, 1500, 0.3) };
        foreach (var (seed, count, huge) in cases)
        {
            var doms = SyntheticDoms.Create(seed, count, huge);
            foreach (var h in Hypotheses(doms, seed, 20))
            {
                foreach (var v in Variants)
                {
                    var a = scalar.PandelLlh(v, h, doms.Batch);
                    var b = kernel.PandelLlh(v, h, doms.Batch);
                    AssertClose(a, b, 1e-9, $"{backend} {v} seed {seed} n {count}");
                    worst = Math.Max(worst, Math.Abs(a - b) / Math.Abs(a));
                }
            }
        }

        output.WriteLine($"{kernel.Name}: worst relative difference to scalar {worst:E2}");
        Assert.True(worst < 1e-11, $"{backend}: worst relative difference {worst:E2}");
    }

    [Theory]
    [KernelBackendData]
    public void Terms_match_scalar_terms(string backend)
    {
        var kernel = KernelBackends.Get(backend);
        var doms = SyntheticDoms.Create(41, 333, 0.1);
        var a = new double[333];
        var b = new double[334];
        b[333] = 12345.0;
        foreach (var h in Hypotheses(doms, 41, 8))
        {
            foreach (var v in Variants)
            {
                ScalarLikelihoodKernel.Instance.PandelTerms(v, h, doms.Batch, a);
                kernel.PandelTerms(v, h, doms.Batch, b);
                for (var i = 0; i < a.Length; i++)
                {
                    Assert.True(Math.Abs(a[i] - b[i]) <= 1e-11 * Math.Max(1, Math.Abs(a[i])), $"{backend} {v} DOM {i}: {a[i]:R} vs {b[i]:R}");
                }

                Assert.Equal(12345.0, b[333]);
            }
        }
    }

    [Theory]
    [KernelBackendData]
    public void Batched_hypotheses_equal_single_calls_bit_for_bit(string backend)
    {
        var kernel = KernelBackends.Get(backend);
        var doms = SyntheticDoms.Create(42, 777, 0.05);
        var hyps = Hypotheses(doms, 42, 30).ToArray();
        var dest = new double[hyps.Length + 1];
        dest[^1] = -1.0;
        foreach (var v in Variants)
        {
            kernel.PandelLlh(v, hyps, doms.Batch, dest);
            for (var i = 0; i < hyps.Length; i++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(kernel.PandelLlh(v, hyps[i], doms.Batch)), BitConverter.DoubleToInt64Bits(dest[i]));
            }

            Assert.Equal(-1.0, dest[^1]);
        }

        kernel.PandelLlh(PandelVariant.Mpe, ReadOnlySpan<TrackHypothesis>.Empty, doms.Batch, Span<double>.Empty);
        Assert.Throws<ArgumentException>(() => kernel.PandelLlh(PandelVariant.Mpe, hyps, doms.Batch, new double[hyps.Length - 1]));
    }

    [Theory]
    [KernelBackendData]
    public void Repeated_evaluations_are_bit_identical_across_events(string backend)
    {
        var kernel = KernelBackends.Get(backend);
        var a = SyntheticDoms.Create(43, 900, 0.05);
        var b = SyntheticDoms.Create(44, 400, 0.05);
        var hyps = Hypotheses(a, 43, 12).ToArray();
        var first = new double[hyps.Length];
        var again = new double[hyps.Length];
        var copy = new double[hyps.Length];
        var other = new double[hyps.Length];
        kernel.PandelLlh(PandelVariant.Mpe, hyps, a.Batch, first);
        kernel.PandelLlh(PandelVariant.Mpe, hyps, b.Batch, other);
        kernel.PandelLlh(PandelVariant.Mpe, hyps, a.Batch, again);

        // Equal content in fresh arrays, and content changed in place, must both be seen.
        var t1 = (double[])a.T1.Clone();
        var fresh = new DomBatch((double[])a.X.Clone(), (double[])a.Y.Clone(), (double[])a.Z.Clone(), t1, (double[])a.N.Clone());
        kernel.PandelLlh(PandelVariant.Mpe, hyps, fresh, copy);
        Assert.Equal(first.Select(BitConverter.DoubleToInt64Bits), again.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(first.Select(BitConverter.DoubleToInt64Bits), copy.Select(BitConverter.DoubleToInt64Bits));
        t1[5] += 40.0;
        var changed = kernel.PandelLlh(PandelVariant.Mpe, hyps[0], fresh);
        AssertClose(ScalarLikelihoodKernel.Instance.PandelLlh(PandelVariant.Mpe, hyps[0], fresh), changed, 1e-9, $"{backend} after in-place change");
        Assert.NotEqual(first[0], changed);
    }

    [Theory]
    [KernelBackendData]
    public void Nan_inputs_propagate_and_empty_batches_give_zero(string backend)
    {
        var kernel = KernelBackends.Get(backend);
        var doms = SyntheticDoms.Create(45, 20);
        doms.T1[4] = double.NaN;
        foreach (var v in Variants)
        {
            Assert.True(double.IsNaN(kernel.PandelLlh(v, doms.Truth, doms.Batch)), $"{backend} {v}");
            Assert.Equal(0.0, kernel.PandelLlh(v, doms.Truth, default));
            var dest = new[] { 7.0, 7.0 };
            kernel.PandelLlh(v, [doms.Truth, doms.Truth], default, dest);
            Assert.Equal([0.0, 0.0], dest);
        }
    }

    [Theory]
    [KernelBackendData]
    public void Nan_propagates_and_doms_before_the_track_give_minus_ln_nu_when_no_dom_is_after_it(string backend)
    {
        // A track 50 µs late: every residual is hugely negative, so every DOM has pp = 0 and the term −ln ν (the SIMD
        // kernel skips the special functions for such vectors); one NaN time must still make the llh NaN.
        var kernel = KernelBackends.Get(backend);
        var doms = SyntheticDoms.Create(46, 21);
        var late = doms.Truth with { Time = doms.Truth.Time + 50000 };
        var terms = new double[doms.X.Length];
        foreach (var v in Variants)
        {
            kernel.PandelTerms(v, late, doms.Batch, terms);
            foreach (var term in terms)
            {
                AssertClose(-Math.Log(Skymap.Core.Physics.PhysicsConstants.NoiseDensity), term, 1e-15, $"{backend} {v} term");
            }
        }

        doms.T1[doms.X.Length - 3] = double.NaN;
        foreach (var v in Variants)
        {
            Assert.True(double.IsNaN(kernel.PandelLlh(v, late, doms.Batch)), $"{backend} {v}");
        }
    }

    [Theory]
    [KernelBackendData]
    public void Poisson_llh_matches_scalar(string backend)
    {
        var rng = new Random(9);
        var n = 1003;
        var k = new double[n];
        var mu = new double[n];
        var lg = new double[n];
        for (var j = 0; j < n; j++)
        {
            k[j] = rng.NextDouble() < 0.6 ? 0 : Math.Round(rng.NextDouble() * 50, 2);
            mu[j] = 0.005 + (rng.NextDouble() * 40);
            lg[j] = SpecialFunctions.LnGamma(k[j] + 1);
        }

        var s = ScalarLikelihoodKernel.Instance.PoissonLlh(k, mu, lg);
        AssertClose(s, KernelBackends.Get(backend).PoissonLlh(k, mu, lg), 1e-11, backend);
        Assert.Throws<ArgumentException>(() => KernelBackends.Get(backend).PoissonLlh(k, mu, lg.AsSpan(1)));
    }

    [Theory]
    [KernelBackendData]
    public void Name_and_kind_say_what_the_kernel_is(string backend)
    {
        var kernel = KernelBackends.Get(backend);
        Assert.StartsWith(backend.Split('-')[0], kernel.Name, StringComparison.Ordinal);
        Assert.Equal(backend.StartsWith("simd", StringComparison.Ordinal) ? "simd" : backend, LikelihoodKernels.Format(kernel.Kind));
        Assert.NotEqual(KernelKind.Auto, kernel.Kind);
        Assert.Throws<ArgumentException>(() => kernel.PandelTerms(PandelVariant.Spe, SyntheticDoms.Create(1, 5).Truth, SyntheticDoms.Create(1, 5).Batch, new double[4]));
    }
}
