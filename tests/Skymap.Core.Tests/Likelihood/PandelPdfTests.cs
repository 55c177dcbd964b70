using Skymap.Core.Likelihood;
using Skymap.Core.Physics;

namespace Skymap.Core.Tests.Likelihood;

public class PandelPdfTests
{
    [Fact]
    public void Survival_function_check_value_of_the_specification()
    {
        // PHYSICS.md §3: SF at t = 100 ns, d_eff = 50 m is Q(1.50195…, 0.405171…) = 0.847491.
        Assert.Equal(0.847491, PandelPdf.SurvivalFunction(100, 50), 6);
        Assert.Equal(1.50195, 50 / PhysicsConstants.PandelLambda, 5);
        Assert.Equal(0.405171, PhysicsConstants.PandelRho * 100, 6);
        Assert.Equal(0.917327, PhysicsConstants.Kt, 6);
    }

    [Theory]
    [InlineData(10, 10, 1.227004e-2)]
    [InlineData(10, 50, 3.384189e-3)]
    [InlineData(10, 200, 6.987185e-4)]
    [InlineData(10, 1000, 8.863133e-6)]
    [InlineData(50, 10, 8.781449e-4)]
    [InlineData(50, 50, 1.675061e-3)]
    [InlineData(50, 200, 1.829324e-3)]
    [InlineData(50, 1000, 1.604839e-4)]
    [InlineData(150, 10, 4.359554e-9)]
    [InlineData(150, 50, 1.046034e-6)]
    [InlineData(150, 200, 7.350841e-5)]
    [InlineData(150, 1000, 8.111803e-4)]
    [InlineData(10, -20, 0)]
    [InlineData(50, 0, 0)]
    public void Plain_pdf_matches_the_table(double deff, double t, double expected)
    {
        var p = PandelPdf.Pdf(t, deff);
        if (expected == 0)
        {
            Assert.Equal(0.0, p);
        }
        else
        {
            // Table: 7 significant digits, computed with c = 0.2997924 (differs < 1e-6 relative).
            Assert.True(Math.Abs(p - expected) / expected < 1.5e-6, $"p({t}; {deff}) = {p:R}, table {expected}");
        }
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(10.0)]
    [InlineData(25.0)]
    [InlineData(50.0)]
    [InlineData(99.0)]
    public void Patched_pdf_is_continuous_at_t0p(double deff)
    {
        var t0p = PhysicsConstants.JitterT0p;
        var below = PandelPdf.PatchedPdf(t0p * (1 - 1e-12), deff);
        var at = PandelPdf.PatchedPdf(t0p, deff);
        Assert.Equal(PandelPdf.Pdf(t0p, deff), at);
        Assert.True(Math.Abs(below - at) <= 1e-9 * at, $"{below:R} vs {at:R}");

        // The derivative is continuous too (the patch matches P').
        var h = 1e-4;
        var left = (at - PandelPdf.PatchedPdf(t0p - h, deff)) / h;
        var right = (PandelPdf.PatchedPdf(t0p + h, deff) - at) / h;
        Assert.True(Math.Abs(left - right) <= 1e-3 * Math.Abs(right) + 1e-9, $"slopes {left} vs {right}");
    }

    [Theory]
    [InlineData(3.0)]
    [InlineData(10.0)]
    [InlineData(33.0)]
    [InlineData(60.0)]
    [InlineData(99.0)]
    [InlineData(150.0)]
    public void Patched_pdf_integrates_to_one(double deff)
    {
        // Composite Gauss–Legendre on pieces; p(t) has an integrable t^(ξ−1) singularity only when unpatched (d_eff > 100, ξ > 3: none).
        var t0p = PhysicsConstants.JitterT0p;
        var integral = Integrate(t => PandelPdf.PatchedPdf(t, deff), -200, 0, 400)
            + Integrate(t => PandelPdf.PatchedPdf(t, deff), 0, t0p, 400)
            + Integrate(t => PandelPdf.PatchedPdf(t, deff), t0p, 200000, 200000);
        var negativeParts = Integrate(t => Math.Min(0, RawPatch(t, deff)), -200, t0p, 800);
        Assert.True(Math.Abs(integral - 1 + negativeParts) < 1e-7, $"∫pp = {integral:R} (clipped negative part {negativeParts:R})");
    }

    private static double RawPatch(double t, double deff)
    {
        if (deff > PhysicsConstants.DistMagic || t >= PhysicsConstants.JitterT0p)
        {
            return PandelPdf.Pdf(t, deff);
        }

        var xi = deff / PhysicsConstants.PandelLambda;
        var (a0, a2, a3) = PandelPdf.PatchCoefficients(xi, SpecialFunctions.LnGamma(xi));
        return t <= 0 ? a0 * Math.Exp(-t * t / (2 * 15.0 * 15.0)) : a0 + (a2 * t * t) + (a3 * t * t * t);
    }

    private static double Integrate(Func<double, double> f, double a, double b, int pieces)
    {
        // 5-point Gauss–Legendre per piece.
        double[] xs = [0, -0.5384693101056831, 0.5384693101056831, -0.9061798459386640, 0.9061798459386640];
        double[] ws = [0.5688888888888889, 0.4786286704993665, 0.4786286704993665, 0.2369268850561891, 0.2369268850561891];
        var h = (b - a) / pieces;
        var sum = 0.0;
        for (var i = 0; i < pieces; i++)
        {
            var m = a + ((i + 0.5) * h);
            for (var k = 0; k < 5; k++)
            {
                sum += ws[k] * f(m + (xs[k] * h / 2)) * h / 2;
            }
        }

        return sum;
    }

    [Fact]
    public void Mpe_dom_likelihood_is_n_pp_sf_to_the_n_minus_one()
    {
        var l = PandelPdf.DomLikelihood(PandelVariant.Mpe, 120, 40, 4);
        var expected = 4 * PandelPdf.PatchedPdf(120, 40) * Math.Pow(PandelPdf.SurvivalFunction(120, 40), 3);
        Assert.Equal(expected, l, 1e-15);
        Assert.Equal(PandelPdf.PatchedPdf(-10, 40), PandelPdf.DomLikelihood(PandelVariant.Spe, -10, 40, 9));
    }
}
