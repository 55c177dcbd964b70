using System.Runtime.Intrinsics;
using Skymap.Core.Likelihood;
using Skymap.Core.Tests.Likelihood.Golden;
using MathNetSf = MathNet.Numerics.SpecialFunctions;

namespace Skymap.Core.Tests.Likelihood;

public class SpecialFunctionsTests
{
    private static double RelErr(double actual, double expected) =>
        expected == 0 ? Math.Abs(actual) : Math.Abs(actual - expected) / Math.Abs(expected);

    [Fact]
    public void LnGamma_matches_mpmath_to_a_few_ulp_of_the_shifted_terms()
    {
        foreach (var (x, expected) in SpecialFunctionsGolden.LnGamma)
        {
            var actual = SpecialFunctions.LnGamma(x);
            Assert.True(Math.Abs(actual - expected) <= 5e-15 * Math.Max(1.0, Math.Abs(expected)), $"lnΓ({x}) = {actual:R}, expected {expected:R}");
        }
    }

    [Fact]
    public void Incomplete_gamma_matches_mpmath()
    {
        foreach (var (a, x, p, q) in SpecialFunctionsGolden.Incomplete)
        {
            var ap = SpecialFunctions.GammaP(a, x);
            var aq = SpecialFunctions.GammaQ(a, x);
            // The complement computed as 1 − (other) loses relative accuracy when it is small; bound absolute error then.
            Assert.True(RelErr(ap, p) < 1e-13 || Math.Abs(ap - p) < 1e-15, $"P({a}, {x}) = {ap:R}, expected {p:R}");
            Assert.True(RelErr(aq, q) < 1e-13 || Math.Abs(aq - q) < 1e-15, $"Q({a}, {x}) = {aq:R}, expected {q:R}");
            if (q > 1e-300)
            {
                Assert.True(Math.Abs(SpecialFunctions.LnGammaQ(a, x) - Math.Log(q)) < 1e-13 * Math.Max(1, -Math.Log(q)), $"lnQ({a}, {x})");
            }
        }
    }

    [Fact]
    public void MathNet_is_accurate_enough_to_serve_as_the_exact_reference()
    {
        // The scalar-vs-exact tests use MathNet; check it on the same golden values first.
        foreach (var (x, expected) in SpecialFunctionsGolden.LnGamma)
        {
            Assert.True(Math.Abs(MathNetSf.GammaLn(x) - expected) <= 1e-14 * Math.Max(1.0, Math.Abs(expected)), $"MathNet lnΓ({x})");
        }

        foreach (var (a, x, p, q) in SpecialFunctionsGolden.Incomplete)
        {
            var mp = MathNetSf.GammaLowerRegularized(a, x);
            var mq = MathNetSf.GammaUpperRegularized(a, x);
            Assert.True(RelErr(mp, p) < 1e-12 || Math.Abs(mp - p) < 1e-15, $"MathNet P({a}, {x}) = {mp:R}, expected {p:R}");
            Assert.True(RelErr(mq, q) < 1e-12 || Math.Abs(mq - q) < 1e-15, $"MathNet Q({a}, {x}) = {mq:R}, expected {q:R}");
        }
    }

    [Fact]
    public void Edge_values_are_as_documented()
    {
        Assert.Equal(double.PositiveInfinity, SpecialFunctions.LnGamma(0));
        Assert.True(double.IsNaN(SpecialFunctions.LnGamma(-1.5)));
        Assert.True(double.IsNaN(SpecialFunctions.LnGamma(double.NaN)));
        Assert.Equal(0.0, SpecialFunctions.GammaP(2.0, 0.0));
        Assert.Equal(1.0, SpecialFunctions.GammaQ(2.0, -3.0));
        Assert.Equal(1.0, SpecialFunctions.GammaP(2.0, double.PositiveInfinity));
        Assert.True(double.IsNaN(SpecialFunctions.GammaQ(0.0, 1.0)));
        Assert.Equal(double.NegativeInfinity, SpecialFunctions.LnGammaQ(2.0, double.PositiveInfinity));
        // Q underflows long before ln Q does.
        Assert.Equal(0.0, SpecialFunctions.GammaQ(2.0, 800.0));
        Assert.True(Math.Abs(SpecialFunctions.LnGammaQ(2.0, 800.0) - (Math.Log(801.0) - 800.0)) < 1e-12);
    }

    public static TheoryData<int> LaneCounts()
    {
        var data = new TheoryData<int>();
        foreach (var w in SimdLikelihoodKernel.AvailableLaneCounts)
        {
            data.Add(w);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(LaneCounts))]
    public void Vector_special_functions_match_scalar_on_random_and_edge_lanes(int lanes)
    {
        var rng = new Random(42);
        var a = new List<double> { 0.0676, 1e-3, 0.5, 1, 2, 9.99, 10, 10.01, 60, 300, 0, -1, double.NaN, 3 };
        var x = new List<double> { 0.15, 0, -2, 1e-300, 2, 10.5, 11.01, 61, 200, 1, 1, 1, 1, double.PositiveInfinity };
        for (var i = 0; i < 4000; i++)
        {
            a.Add(Math.Exp((rng.NextDouble() * 9) - 4));
            x.Add(Math.Exp((rng.NextDouble() * 12) - 6));
        }

        while (a.Count % lanes != 0)
        {
            a.Add(1.0);
            x.Add(1.0);
        }

        var lg = new double[a.Count];
        var p = new double[a.Count];
        var q = new double[a.Count];
        for (var i = 0; i < a.Count; i += lanes)
        {
            switch (lanes)
            {
                case 8:
                    {
                        var va = Vector512.Create(a.ToArray().AsSpan(i, 8));
                        var vx = Vector512.Create(x.ToArray().AsSpan(i, 8));
                        VectorSpecialFunctions.LnGamma(va).CopyTo(lg.AsSpan(i));
                        VectorSpecialFunctions.GammaP(va, vx).CopyTo(p.AsSpan(i));
                        VectorSpecialFunctions.GammaQ(va, vx).CopyTo(q.AsSpan(i));
                        break;
                    }

                case 4:
                    {
                        var va = Vector256.Create(a.ToArray().AsSpan(i, 4));
                        var vx = Vector256.Create(x.ToArray().AsSpan(i, 4));
                        VectorSpecialFunctions.LnGamma(va).CopyTo(lg.AsSpan(i));
                        VectorSpecialFunctions.GammaP(va, vx).CopyTo(p.AsSpan(i));
                        VectorSpecialFunctions.GammaQ(va, vx).CopyTo(q.AsSpan(i));
                        break;
                    }

                default:
                    {
                        var va = Vector128.Create(a.ToArray().AsSpan(i, 2));
                        var vx = Vector128.Create(x.ToArray().AsSpan(i, 2));
                        VectorSpecialFunctions.LnGamma(va).CopyTo(lg.AsSpan(i));
                        VectorSpecialFunctions.GammaP(va, vx).CopyTo(p.AsSpan(i));
                        VectorSpecialFunctions.GammaQ(va, vx).CopyTo(q.AsSpan(i));
                        break;
                    }
            }
        }

        for (var i = 0; i < a.Count; i++)
        {
            AssertClose(SpecialFunctions.LnGamma(a[i]), lg[i], 1e-14, $"lnΓ({a[i]:R})");
            AssertClose(SpecialFunctions.GammaP(a[i], x[i]), p[i], 1e-13, $"P({a[i]:R}, {x[i]:R})");
            AssertClose(SpecialFunctions.GammaQ(a[i], x[i]), q[i], 1e-13, $"Q({a[i]:R}, {x[i]:R})");
        }
    }

    private static void AssertClose(double expected, double actual, double tol, string what)
    {
        if (double.IsNaN(expected) || double.IsInfinity(expected))
        {
            Assert.True(expected.Equals(actual), $"{what}: expected {expected}, got {actual}");
            return;
        }

        Assert.True(Math.Abs(actual - expected) <= tol * Math.Max(1.0, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R}");
    }
}
