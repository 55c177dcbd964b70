using System.Runtime.CompilerServices;

namespace Skymap.Core.Likelihood;

/// <summary>
/// Scalar special functions for the likelihoods (PHYSICS.md §3, §4): ln Γ and the regularised incomplete gamma
/// functions P(a, x) and Q(a, x). These are the reference algorithms; <see cref="VectorSpecialFunctions"/> evaluates
/// them inside vector lanes (the same series and continued fraction, in division-free forms, and a Lanczos ln Γ).
/// </summary>
/// <remarks>
/// ln Γ: the argument is shifted up to ≥ 10 with the recurrence Γ(x + 1) = x·Γ(x), then Stirling's series with
/// seven terms; absolute error below about 5e-15 for 0 &lt; x &lt; 1e6. Incomplete gamma: the power series of
/// P for x &lt; a + 1, else Lentz's continued fraction for Q (Numerical Recipes' gser/gcf), iterated to a relative
/// 1e-16 (series) or 1e-15 (fraction) or at most <see cref="MaxIterations"/> terms.
/// </remarks>
internal static class SpecialFunctions
{
    /// <summary>The most terms the series or continued fraction takes.</summary>
    public const int MaxIterations = 1000;

    internal const double SeriesEpsilon = 1e-16;
    internal const double FractionEpsilon = 1e-15;
    internal const double FpMin = 1e-300;
    internal const double StirlingShift = 10.0;
    internal const double HalfLnTwoPi = 0.91893853320467274178032973640562;

    // Stirling series coefficients B_2k / (2k (2k − 1)), k = 1..7.
    internal const double S1 = 1.0 / 12.0;
    internal const double S2 = -1.0 / 360.0;
    internal const double S3 = 1.0 / 1260.0;
    internal const double S4 = -1.0 / 1680.0;
    internal const double S5 = 1.0 / 1188.0;
    internal const double S6 = -691.0 / 360360.0;
    internal const double S7 = 1.0 / 156.0;

    /// <summary>ln Γ(x) for x &gt; 0.</summary>
    /// <returns>ln Γ(x); +∞ at x = 0 and x = +∞; NaN for x &lt; 0 or NaN.</returns>
    public static double LnGamma(double x)
    {
        if (!(x > 0))
        {
            return x == 0 ? double.PositiveInfinity : double.NaN;
        }

        if (double.IsPositiveInfinity(x))
        {
            return double.PositiveInfinity;
        }

        var prod = 1.0;
        for (var i = 0; i < 10 && x < StirlingShift; i++)
        {
            prod *= x;
            x += 1.0;
        }

        return Stirling(x) - Math.Log(prod);
    }

    /// <summary>The regularised lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a).</summary>
    /// <param name="a">Shape, &gt; 0.</param>
    /// <param name="x">Argument; x ≤ 0 gives 0.</param>
    /// <returns>P(a, x) in [0, 1]; NaN for a ≤ 0 or NaN arguments.</returns>
    public static double GammaP(double a, double x)
    {
        if (!(a > 0) || double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 0.0;
        }

        if (double.IsPositiveInfinity(x))
        {
            return 1.0;
        }

        var lnPre = (a * Math.Log(x)) - x - LnGamma(a);
        return x < a + 1.0
            ? Math.Exp(lnPre) * Series(a, x)
            : 1.0 - (Math.Exp(lnPre) * Fraction(a, x));
    }

    /// <summary>The regularised upper incomplete gamma function Q(a, x) = Γ(a, x)/Γ(a) = 1 − P(a, x).</summary>
    /// <param name="a">Shape, &gt; 0.</param>
    /// <param name="x">Argument; x ≤ 0 gives 1.</param>
    /// <returns>Q(a, x) in [0, 1]; NaN for a ≤ 0 or NaN arguments.</returns>
    public static double GammaQ(double a, double x)
    {
        if (!(a > 0) || double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 1.0;
        }

        if (double.IsPositiveInfinity(x))
        {
            return 0.0;
        }

        var lnPre = (a * Math.Log(x)) - x - LnGamma(a);
        return x < a + 1.0
            ? 1.0 - (Math.Exp(lnPre) * Series(a, x))
            : Math.Exp(lnPre) * Fraction(a, x);
    }

    /// <summary>ln Q(a, x), accurate where Q underflows (large x) and where Q is close to 1 (small x).</summary>
    /// <param name="a">Shape, &gt; 0.</param>
    /// <param name="x">Argument; x ≤ 0 gives 0.</param>
    /// <returns>ln Q(a, x) ≤ 0; NaN for a ≤ 0 or NaN arguments; −∞ at x = +∞.</returns>
    public static double LnGammaQ(double a, double x)
    {
        if (!(a > 0) || double.IsNaN(x))
        {
            return double.NaN;
        }

        if (x <= 0)
        {
            return 0.0;
        }

        if (double.IsPositiveInfinity(x))
        {
            return double.NegativeInfinity;
        }

        return LnGammaQ(a, x, (a * Math.Log(x)) - x - LnGamma(a));
    }

    /// <summary>ln Q(a, x) for x &gt; 0 given the log prefactor a·ln x − x − ln Γ(a).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double LnGammaQ(double a, double x, double lnPrefactor) =>
        x < a + 1.0
            ? Log1P(-(Math.Exp(lnPrefactor) * Series(a, x)))
            : lnPrefactor + Math.Log(Fraction(a, x));

    /// <summary>Σ_{n≥0} xⁿ / (a (a+1) … (a+n)), so that P(a, x) = e^{−x} x^a / Γ(a) · Series.</summary>
    internal static double Series(double a, double x)
    {
        var ap = a;
        var term = 1.0 / a;
        var sum = term;
        for (var n = 0; n < MaxIterations; n++)
        {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if (Math.Abs(term) < Math.Abs(sum) * SeriesEpsilon)
            {
                break;
            }
        }

        return sum;
    }

    /// <summary>The continued fraction h with Q(a, x) = e^{−x} x^a / Γ(a) · h (modified Lentz).</summary>
    internal static double Fraction(double a, double x)
    {
        var b = x + 1.0 - a;
        var c = 1.0 / FpMin;
        var d = 1.0 / b;
        var h = d;
        for (var i = 1; i <= MaxIterations; i++)
        {
            var an = -i * (i - a);
            b += 2.0;
            d = (an * d) + b;
            if (Math.Abs(d) < FpMin)
            {
                d = FpMin;
            }

            c = b + (an / c);
            if (Math.Abs(c) < FpMin)
            {
                c = FpMin;
            }

            d = 1.0 / d;
            var del = d * c;
            h *= del;
            if (Math.Abs(del - 1.0) < FractionEpsilon)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>ln(1 + x), accurate for small |x| (Goldberg's trick; .NET's LogP1 is log(1 + x)).</summary>
    internal static double Log1P(double x)
    {
        var u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }

    /// <summary>Stirling's series for ln Γ(x), x ≥ 10.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double Stirling(double x)
    {
        var inv = 1.0 / x;
        var z = inv * inv;
        var s = inv * (S1 + (z * (S2 + (z * (S3 + (z * (S4 + (z * (S5 + (z * (S6 + (z * S7))))))))))));
        return ((x - 0.5) * Math.Log(x)) - x + HalfLnTwoPi + s;
    }
}
