using System.Runtime.CompilerServices;

namespace Skymap.Core.Likelihood.Internal;

/// <summary>
/// The algorithms of <see cref="SpecialFunctions"/> evaluated in vector lanes: fixed-shift Stirling ln Γ, and the
/// incomplete-gamma series / continued fraction with masked convergence (the loop runs until every lane that
/// needs it has converged; lanes that already converged keep iterating harmlessly).
/// </summary>
public static class SimdMath
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T AllBits<T>()
        where T : struct, IVec<T>
    {
        var z = T.Create(0.0);
        return T.Equal(z, z);
    }

    /// <summary>ln Γ(x) lane-wise; +∞ at 0, NaN for negative or NaN lanes.</summary>
    public static T LnGamma<T>(T x)
        where T : struct, IVec<T>
    {
        var zero = T.Create(0.0);
        var one = T.Create(1.0);
        var shift = T.Create(SpecialFunctions.StirlingShift);
        var original = x;
        var prod = one;
        var small = T.LessThan(x, shift);
        for (var i = 0; i < 10 && T.AnyTrue(small); i++)
        {
            prod = T.Select(small, prod * x, prod);
            x = T.Select(small, x + one, x);
            small = T.LessThan(x, shift);
        }

        var inv = one / x;
        var z = inv * inv;
        var s = T.Fma(z, T.Create(SpecialFunctions.S7), T.Create(SpecialFunctions.S6));
        s = T.Fma(z, s, T.Create(SpecialFunctions.S5));
        s = T.Fma(z, s, T.Create(SpecialFunctions.S4));
        s = T.Fma(z, s, T.Create(SpecialFunctions.S3));
        s = T.Fma(z, s, T.Create(SpecialFunctions.S2));
        s = T.Fma(z, s, T.Create(SpecialFunctions.S1));
        s *= inv;
        var r = ((x - T.Create(0.5)) * T.Log(x)) - x + T.Create(SpecialFunctions.HalfLnTwoPi) + s - T.Log(prod);
        var positive = T.GreaterThan(original, zero);
        var atZero = T.Equal(original, zero);
        return T.Select(positive, r, T.Select(atZero, T.Create(double.PositiveInfinity), T.Create(double.NaN)));
    }

    /// <summary>ln(1 + x) lane-wise (Goldberg's trick).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log1P<T>(T x)
        where T : struct, IVec<T>
    {
        var one = T.Create(1.0);
        var u = one + x;
        return T.Select(T.Equal(u, one), x, T.Log(u) * x / (u - one));
    }

    /// <summary>The series Σ xⁿ/(a…(a+n)) in the lanes of <paramref name="lanes"/> (other lanes: garbage).</summary>
    public static T Series<T>(T a, T x, T lanes)
        where T : struct, IVec<T>
    {
        var one = T.Create(1.0);
        var eps = T.Create(SpecialFunctions.SeriesEpsilon);
        var notLanes = T.AndNot(AllBits<T>(), lanes);
        var ap = a;
        var term = one / a;
        var sum = term;
        for (var n = 0; n < SpecialFunctions.MaxIterations; n++)
        {
            ap += one;
            term *= x / ap;
            sum += term;
            var done = T.LessThan(T.Abs(term), T.Abs(sum) * eps) | notLanes;
            if (T.AllTrue(done))
            {
                break;
            }
        }

        return sum;
    }

    /// <summary>Lentz's continued fraction h for Q in the lanes of <paramref name="lanes"/> (other lanes: garbage).</summary>
    public static T Fraction<T>(T a, T x, T lanes)
        where T : struct, IVec<T>
    {
        var one = T.Create(1.0);
        var two = T.Create(2.0);
        var fpMin = T.Create(SpecialFunctions.FpMin);
        var eps = T.Create(SpecialFunctions.FractionEpsilon);
        var notLanes = T.AndNot(AllBits<T>(), lanes);
        var b = x + one - a;
        var c = T.Create(1.0 / SpecialFunctions.FpMin);
        var d = one / b;
        var h = d;
        var iv = T.Create(0.0);
        for (var i = 1; i <= SpecialFunctions.MaxIterations; i++)
        {
            iv += one;
            var an = (iv * (a - iv));
            b += two;
            d = T.Fma(an, d, b);
            d = T.Select(T.LessThan(T.Abs(d), fpMin), fpMin, d);
            c = b + (an / c);
            c = T.Select(T.LessThan(T.Abs(c), fpMin), fpMin, c);
            d = one / d;
            var del = d * c;
            h *= del;
            var done = T.LessThan(T.Abs(del - one), eps) | notLanes;
            if (T.AllTrue(done))
            {
                break;
            }
        }

        return h;
    }

    /// <summary>
    /// ln Q(a, x) in the lanes of <paramref name="active"/> (which must have x &gt; 0), given the log prefactor
    /// a·ln x − x − ln Γ(a); 0 in the other lanes.
    /// </summary>
    public static T LnGammaQ<T>(T a, T x, T lnPrefactor, T active)
        where T : struct, IVec<T>
    {
        var zero = T.Create(0.0);
        var useSeries = T.LessThan(x, a + T.Create(1.0));
        var seriesLanes = useSeries & active;
        var fractionLanes = T.AndNot(active, useSeries);
        var result = zero;
        if (T.AnyTrue(seriesLanes))
        {
            var p = T.Exp(lnPrefactor) * Series(a, x, seriesLanes);
            result = T.Select(seriesLanes, Log1P(zero - p), result);
        }

        if (T.AnyTrue(fractionLanes))
        {
            var h = Fraction(a, x, fractionLanes);
            result = T.Select(fractionLanes, lnPrefactor + T.Log(h), result);
        }

        return result;
    }

    /// <summary>P(a, x) and Q(a, x) lane-wise for a &gt; 0 (x ≤ 0: P = 0, Q = 1).</summary>
    public static void GammaPQ<T>(T a, T x, out T p, out T q)
        where T : struct, IVec<T>
    {
        var zero = T.Create(0.0);
        var one = T.Create(1.0);
        var positive = T.GreaterThan(x, zero);
        var xs = T.Select(positive, x, one);
        var lnPre = (a * T.Log(xs)) - xs - LnGamma(a);
        var pre = T.Exp(lnPre);
        var useSeries = T.LessThan(xs, a + one);
        var seriesLanes = useSeries & positive;
        var fractionLanes = T.AndNot(positive, useSeries);
        p = zero;
        q = one;
        if (T.AnyTrue(seriesLanes))
        {
            var ps = pre * Series(a, xs, seriesLanes);
            p = T.Select(seriesLanes, ps, p);
            q = T.Select(seriesLanes, one - ps, q);
        }

        if (T.AnyTrue(fractionLanes))
        {
            var qs = pre * Fraction(a, xs, fractionLanes);
            p = T.Select(fractionLanes, one - qs, p);
            q = T.Select(fractionLanes, qs, q);
        }

        var nan = T.Create(double.NaN);
        var bad = T.AndNot(AllBits<T>(), T.GreaterThan(a, zero)) | T.AndNot(AllBits<T>(), T.Equal(x, x));
        var infinite = T.Equal(x, T.Create(double.PositiveInfinity));
        p = T.Select(bad, nan, T.Select(infinite, one, p));
        q = T.Select(bad, nan, T.Select(infinite, zero, q));
    }
}
