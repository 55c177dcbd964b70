using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;

namespace Skymap.Core.Tests.Likelihood;

public class PandelKernelTests
{
    private static readonly PandelVariant[] Variants = [PandelVariant.Spe, PandelVariant.Mpe];

    public static TheoryData<int> LaneCounts()
    {
        var data = new TheoryData<int>();
        foreach (var w in SimdLikelihoodKernel.AvailableLaneCounts)
        {
            data.Add(w);
        }

        return data;
    }

    /// <summary>Random hypotheses near the truth, plus hypotheses built to hit the edge cases of PHYSICS.md §3.</summary>
    private static IEnumerable<TrackHypothesis> Hypotheses(SyntheticDoms doms, int seed, int count)
    {
        var rng = new Random(seed);
        yield return doms.Truth;
        for (var i = 0; i < count; i++)
        {
            yield return doms.RandomHypothesis(rng, 150, 30, 300);
        }

        // ρ⊥ ≈ 0: the track passes exactly through a DOM.
        var dom = new Vector3D(doms.X[0], doms.Y[0], doms.Z[0]);
        yield return doms.Truth with { Vertex = dom };

        // A DOM with its residual in (0, t0p), one at t ≤ 0, and one exactly at t0p.
        foreach (var residual in new[] { 5.0, 20.0, -30.0, 0.0, PandelPdf.T0p })
        {
            var (t, _) = ExactPandel.Geometry(doms.Truth, new Vector3D(doms.X[1], doms.Y[1], doms.Z[1]), doms.T1[1]);
            yield return doms.Truth with { Time = doms.Truth.Time + (t - residual) };
        }

        // Far away: every d_eff > 100 m.
        yield return doms.Truth with { Vertex = doms.Truth.Vertex + new Vector3D(3000, 0, 0) };
    }

    [Fact]
    public void Kernel_constants_match_the_specification()
    {
        ExactPandel.CheckConstants();
    }

    [Fact]
    public void Test_hypotheses_cover_the_edge_cases()
    {
        var doms = SyntheticDoms.Create(1, 600);
        int negative = 0, patched = 0, far = 0, onTrack = 0;
        foreach (var h in Hypotheses(doms, 1, 20))
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

        Assert.True(negative > 100 && patched > 20 && far > 100 && onTrack >= 1, $"{negative} {patched} {far} {onTrack}");
    }

    [Fact]
    public void Scalar_kernel_matches_exact_evaluation_to_1e10()
    {
        var kernel = ScalarLikelihoodKernel.Instance;
        for (var seed = 1; seed <= 4; seed++)
        {
            var doms = SyntheticDoms.Create(seed, 500);
            foreach (var h in Hypotheses(doms, seed, 25))
            {
                foreach (var v in Variants)
                {
                    var exact = doms.Exact(v, h);
                    var scalar = kernel.PandelLlh(v, h, doms.Batch);
                    Assert.True(Math.Abs(scalar - exact) <= 1e-10 * Math.Abs(exact), $"{v} seed {seed}: scalar {scalar:R} exact {exact:R}");
                }
            }
        }
    }

    [Fact]
    public void Scalar_terms_match_exact_terms()
    {
        var kernel = ScalarLikelihoodKernel.Instance;
        var doms = SyntheticDoms.Create(7, 400);
        var terms = new double[400];
        foreach (var h in Hypotheses(doms, 7, 10))
        {
            foreach (var v in Variants)
            {
                kernel.PandelTerms(v, h, doms.Batch, terms);
                for (var i = 0; i < terms.Length; i++)
                {
                    var exact = ExactPandel.Term(v, h, new Vector3D(doms.X[i], doms.Y[i], doms.Z[i]), doms.T1[i], doms.Q[i]);
                    Assert.True(Math.Abs(terms[i] - exact) <= 1e-9 * Math.Max(1, Math.Abs(exact)), $"{v} DOM {i}: {terms[i]:R} vs {exact:R}");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(LaneCounts))]
    public void Simd_kernel_matches_scalar_to_1e9_on_every_event_llh(int lanes)
    {
        var simd = new SimdLikelihoodKernel(lanes);
        var scalar = ScalarLikelihoodKernel.Instance;
        var worst = 0.0;
        for (var seed = 11; seed <= 16; seed++)
        {
            var doms = SyntheticDoms.Create(seed, 300 + (seed * 7));
            foreach (var h in Hypotheses(doms, seed, 40))
            {
                foreach (var v in Variants)
                {
                    var a = scalar.PandelLlh(v, h, doms.Batch);
                    var b = simd.PandelLlh(v, h, doms.Batch);
                    var rel = Math.Abs(a - b) / Math.Abs(a);
                    worst = Math.Max(worst, rel);
                    Assert.True(rel <= 1e-9, $"{v} seed {seed} lanes {lanes}: scalar {a:R} simd {b:R}");
                }
            }
        }

        Assert.True(worst < 1e-12, $"worst relative difference {worst:E2}");
    }

    [Theory]
    [MemberData(nameof(LaneCounts))]
    public void Simd_terms_match_scalar_terms_including_tails(int lanes)
    {
        var simd = new SimdLikelihoodKernel(lanes);
        var scalar = ScalarLikelihoodKernel.Instance;
        var all = SyntheticDoms.Create(21, 40);
        var rng = new Random(5);
        for (var count = 1; count <= 19; count++)
        {
            var batch = new DomBatch(all.X.AsSpan(0, count), all.Y.AsSpan(0, count), all.Z.AsSpan(0, count), all.T1.AsSpan(0, count), all.N.AsSpan(0, count));
            for (var k = 0; k < 5; k++)
            {
                var h = all.RandomHypothesis(rng, 100, 20, 200);
                foreach (var v in Variants)
                {
                    var a = new double[count];
                    var b = new double[count];
                    scalar.PandelTerms(v, h, batch, a);
                    simd.PandelTerms(v, h, batch, b);
                    for (var i = 0; i < count; i++)
                    {
                        Assert.True(Math.Abs(a[i] - b[i]) <= 1e-11 * Math.Max(1, Math.Abs(a[i])), $"{v} n={count} i={i}: {a[i]:R} vs {b[i]:R}");
                    }

                    Assert.Equal(a.Sum(), simd.PandelLlh(v, h, batch), 9);
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(LaneCounts))]
    public void Nan_inputs_propagate_and_empty_batches_give_zero(int lanes)
    {
        var simd = new SimdLikelihoodKernel(lanes);
        var doms = SyntheticDoms.Create(3, 20);
        doms.T1[4] = double.NaN;
        foreach (ILikelihoodKernel k in new ILikelihoodKernel[] { simd, ScalarLikelihoodKernel.Instance })
        {
            foreach (var v in Variants)
            {
                Assert.True(double.IsNaN(k.PandelLlh(v, doms.Truth, doms.Batch)), $"{k.Name} {v}");
                Assert.Equal(0.0, k.PandelLlh(v, doms.Truth, default));
            }
        }
    }

    [Theory]
    [MemberData(nameof(LaneCounts))]
    public void Batched_hypotheses_equal_single_calls(int lanes)
    {
        var simd = new SimdLikelihoodKernel(lanes);
        var doms = SyntheticDoms.Create(4, 123);
        var hyps = Hypotheses(doms, 4, 6).ToArray();
        var dest = new double[hyps.Length];
        simd.PandelLlh(PandelVariant.Mpe, hyps, doms.Batch, dest);
        for (var i = 0; i < hyps.Length; i++)
        {
            Assert.Equal(simd.PandelLlh(PandelVariant.Mpe, hyps[i], doms.Batch), dest[i]);
        }
    }

    [Theory]
    [MemberData(nameof(LaneCounts))]
    public void Poisson_llh_matches_scalar_and_formula(int lanes)
    {
        var rng = new Random(9);
        var n = 1003;
        var k = new double[n];
        var mu = new double[n];
        var lg = new double[n];
        var exact = 0.0;
        for (var j = 0; j < n; j++)
        {
            k[j] = rng.NextDouble() < 0.6 ? 0 : Math.Round(rng.NextDouble() * 50, 2);
            mu[j] = 0.005 + (rng.NextDouble() * 40);
            lg[j] = MathNet.Numerics.SpecialFunctions.GammaLn(k[j] + 1);
            exact -= (k[j] * Math.Log(mu[j])) - mu[j] - lg[j];
        }

        var s = ScalarLikelihoodKernel.Instance.PoissonLlh(k, mu, lg);
        var v = new SimdLikelihoodKernel(lanes).PoissonLlh(k, mu, lg);
        Assert.Equal(exact, s, 1e-9 * Math.Abs(exact));
        Assert.Equal(s, v, 1e-11 * Math.Abs(s));
    }

    [Fact]
    public void Factory_picks_simd_when_accelerated_and_says_so()
    {
        var auto = LikelihoodKernels.Create(KernelKind.Auto);
        if (SimdLikelihoodKernel.IsSupported)
        {
            Assert.Equal(KernelKind.Simd, auto.Kind);
            Assert.StartsWith("simd-", auto.Name, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("scalar", auto.Name);
        }

        Assert.Equal("scalar", LikelihoodKernels.Create(KernelKind.Scalar).Name);
        Assert.Equal(KernelKind.Simd, LikelihoodKernels.Parse(" SIMD "));
        Assert.Throws<ArgumentException>(() => LikelihoodKernels.Parse("gpu"));
    }
}
