using System.Runtime.CompilerServices;

namespace Skymap.Core.Likelihood.Internal;

/// <summary>
/// The algorithms of <see cref="SpecialFunctions"/> evaluated in vector lanes: fixed-shift Stirling ln Γ, and the
/// incomplete-gamma series / continued fraction with masked convergence (the loop runs until every lane that
/// needs it has converged; lanes that already converged keep iterating harmlessly).
/// </summary>
internal static class SimdMath
{
    /// <summary>
    /// Relative convergence threshold of the vector series and continued fraction (the scalar reference iterates to
    /// 1e-16/1e-15). A masked loop runs as long as its slowest lane, so stopping at 1e-14 saves many iterations; the
    /// resulting per-DOM error (≲1e-12 in ln SF) stays far inside the 1e-9 agreement required of the event llh.
    /// </summary>
    public const double VectorEpsilon = 1e-14;

    /// <summary>
    /// Lower clamp for exp arguments where the result only matters next to much larger terms (e^−700 ≈ 1e-304):
    /// keeps <see cref="Exp{T}"/> on its inlined path (|x| ≤ 708) for −∞ and deep-underflow lanes.
    /// </summary>
    public const double MinExpArgument = -700.0;

    // Constants of Exp and Log: log2(e); ln 2 as a high part whose low 21 mantissa bits are zero (k·Ln2Hi is exact for
    // |k| ≤ 1024) plus the rest; 1.5·2⁵², whose ulp is 1; the smallest normal double; bit patterns of 1.0, 2⁵² and the
    // mantissa.
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 6.93147180369123816490e-01;
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double Shifter = 6755399441055744.0;
    private const double TwoTo52 = 4503599627370496.0;
    private const double MinNormal = 2.2250738585072014e-308;
    private const long OneBits = 0x3FF0000000000000;
    private const long TwoTo52Bits = 0x4330000000000000;
    private const long MantissaBits = 0x000FFFFFFFFFFFFF;

    // ln(1 + f) = f − f²/2 + s(f²/2 + R(s²)): the published minimax coefficients of R (Sun's fdlibm; |error| < 2^−58.45).
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;

    /// <summary>Lower clamp for log arguments that may be 0 (ln 1e-300 ≈ −691, far below any term that matters).</summary>
    public const double MinLogArgument = 1e-300;

    /// <summary>A bound on pre·S below which 1 − pre·S rounds to exactly 1 (half an ulp of 1 is 5.55e-17).</summary>
    private const double NegligibleTail = 1e-17;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T AllBits<T>()
        where T : struct, IVec<T>
    {
        var z = T.Create(0.0);
        return T.Equal(z, z);
    }

    // Lanczos approximation (Boost's lanczos13m53, g = 6.0246800407767296): Γ(z) = ((z + g − ½)/e)^(z − ½) · L(z) · e^−g
    // with L = N(z)/D(z) a rational function of degree 12; relative accuracy ~1e-16 for all z > 0.
    private const double LanczosG = 6.024680040776729583740234375;
    private static readonly double[] LanczosNum =
    [
        23531376880.41075968857200767445163675473, 42919803642.64909876895789904700198885093,
        35711959237.35566804944018545154716670596, 17921034426.03720969991975575445893111267,
        6039542586.35202800506429164430729792107, 1439720407.311721673663223072794912393972,
        248874557.8620541565114603864132294232163, 31426415.58540019438061423162831820536287,
        2876370.628935372441225409051620849613599, 186056.2653952234950402949897160456992822,
        8071.672002365816210638002902272250613822, 210.8242777515793458725097339207133627117,
        2.506628274631000270164908177133837338626,
    ];

    private static readonly double[] LanczosDen =
        [0, 39916800, 120543840, 150917976, 105258076, 45995730, 13339535, 2637558, 357423, 32670, 1925, 66, 1];

    /// <summary>
    /// ln Γ(x) lane-wise; +∞ at 0, NaN for negative or NaN lanes. Lanczos (rational, no loop) for x ≤ 1e15, Stirling's
    /// series above; absolute error ~1e-15 (the scalar reference uses a different algorithm, shift + Stirling).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T LnGamma<T>(T x)
        where T : struct, IVec<T>
    {
        var zero = T.Create(0.0);
        var one = T.Create(1.0);
        var half = T.Create(0.5);
        var huge = T.Create(1e15);
        var large = T.GreaterThan(x, huge);
        var z = T.Select(large, one, x);
        var num = T.Create(LanczosNum[12]);
        var den = T.Create(LanczosDen[12]);
        for (var i = 11; i >= 0; i--)
        {
            num = T.Fma(num, z, T.Create(LanczosNum[i]));
            den = T.Fma(den, z, T.Create(LanczosDen[i]));
        }

        var zgh = z + T.Create(LanczosG - 0.5);
        var r = ((z - half) * (Log(zgh) - one)) + Log(num / den) - T.Create(LanczosG);
        if (T.AnyTrue(large))
        {
            var inv = one / x;
            var w = inv * inv;
            var s = T.Fma(w, T.Create(SpecialFunctions.S3), T.Create(SpecialFunctions.S2));
            s = T.Fma(w, s, T.Create(SpecialFunctions.S1)) * inv;
            var stirling = ((x - half) * Log(x)) - x + T.Create(SpecialFunctions.HalfLnTwoPi) + s;
            r = T.Select(large, stirling, r);
        }

        var positive = T.GreaterThan(x, zero);
        var atZero = T.Equal(x, zero);
        return T.Select(positive, r, T.Select(atZero, T.Create(double.PositiveInfinity), T.Create(double.NaN)));
    }

    /// <summary>
    /// ln Γ(x) in two factors for x ≤ 1e15 (one log instead of two): ln Γ(x) = G − ln(invR), with
    /// G = (x − ½)(ln(x + g − ½) − 1) − g and invR = D(x)/N(x) the inverse Lanczos rational factor (in (0, 0.4]);
    /// N and D by Estrin's scheme (<see cref="Estrin12{T}"/>), which took ≈ 15 % off the MPE kernel's time.
    /// Above 1e15, G = ln Γ(x) (Stirling) and invR = 1. Callers that need e^{−ln Γ} multiply by invR instead of
    /// taking its log.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T LnGammaSplit<T>(T x, out T invR)
        where T : struct, IVec<T>
    {
        var one = T.Create(1.0);
        var half = T.Create(0.5);
        var large = T.GreaterThan(x, T.Create(1e15));
        var z = T.Select(large, one, x);
        var z2 = z * z;
        var z4 = z2 * z2;
        var z8 = z4 * z4;
        var num = Estrin12(z, z2, z4, z8, LanczosNum);
        var den = Estrin12(z, z2, z4, z8, LanczosDen);

        var g = ((z - half) * (Log(z + T.Create(LanczosG - 0.5)) - one)) - T.Create(LanczosG);
        invR = den / num;
        if (T.AnyTrue(large))
        {
            var inv = one / x;
            var w = inv * inv;
            var s = T.Fma(w, T.Create(SpecialFunctions.S3), T.Create(SpecialFunctions.S2));
            s = T.Fma(w, s, T.Create(SpecialFunctions.S1)) * inv;
            var stirling = ((x - half) * Log(x)) - x + T.Create(SpecialFunctions.HalfLnTwoPi) + s;
            g = T.Select(large, stirling, g);
            invR = T.Select(large, one, invR);
        }

        return g;
    }

    /// <summary>
    /// Σ c_k z^k for k = 0..12 by Estrin's scheme (pairs, then powers z², z⁴, z⁸): depth 5 instead of Horner's 12
    /// dependent FMAs. Used for the Lanczos sums, whose coefficients and argument are positive (no cancellation, so
    /// the reordering keeps the relative error at a few ulps).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static T Estrin12<T>(T z, T z2, T z4, T z8, double[] c)
        where T : struct, IVec<T>
    {
        var p01 = T.Fma(T.Create(c[1]), z, T.Create(c[0]));
        var p23 = T.Fma(T.Create(c[3]), z, T.Create(c[2]));
        var p45 = T.Fma(T.Create(c[5]), z, T.Create(c[4]));
        var p67 = T.Fma(T.Create(c[7]), z, T.Create(c[6]));
        var p89 = T.Fma(T.Create(c[9]), z, T.Create(c[8]));
        var p1011 = T.Fma(T.Create(c[11]), z, T.Create(c[10]));
        var p03 = T.Fma(p23, z2, p01);
        var p47 = T.Fma(p67, z2, p45);
        var p811 = T.Fma(p1011, z2, p89);
        var p07 = T.Fma(p47, z4, p03);
        var p812 = T.Fma(T.Create(c[12]), z4, p811);
        return T.Fma(p812, z8, p07);
    }

    /// <summary>
    /// e^x lane-wise (≈1 ulp), written out so that it inlines: the BCL's routine is a call, and a call costs the kernel
    /// every live vector register (spilled around it, none is callee-saved) plus its arguments' trips through the stack.
    /// x = k·ln 2 + r with |r| ≤ ½ln 2 (k rounded with the 1.5·2⁵² shifter, ln 2 split in two for an exact k·ln 2),
    /// e^r by its Taylor polynomial of degree 12 (truncation &lt; 2e-16 relative) in Estrin's form, and 2^k from the
    /// exponent bits. A vector with a lane beyond |x| ≤ 708 or a NaN lane goes to the BCL's routine whole.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Exp<T>(T x)
        where T : struct, IVec<T>
    {
        if (!T.AllTrue(T.LessThanOrEqual(T.Abs(x), T.Create(708.0))))
        {
            return T.Exp(x);
        }

        var shifter = T.Create(Shifter);
        var kd = T.Fma(x, T.Create(Log2E), shifter);
        var k = kd - shifter;
        var r = T.Fma(k, T.Create(-Ln2Hi), x);
        r = T.Fma(k, T.Create(-Ln2Lo), r);
        var r2 = r * r;
        var r4 = r2 * r2;
        var p01 = T.Fma(T.Create(1.0), r, T.Create(1.0));
        var p23 = T.Fma(T.Create(1.0 / 6), r, T.Create(1.0 / 2));
        var p45 = T.Fma(T.Create(1.0 / 120), r, T.Create(1.0 / 24));
        var p67 = T.Fma(T.Create(1.0 / 5040), r, T.Create(1.0 / 720));
        var p89 = T.Fma(T.Create(1.0 / 362880), r, T.Create(1.0 / 40320));
        var p1011 = T.Fma(T.Create(1.0 / 39916800), r, T.Create(1.0 / 3628800));
        var p03 = T.Fma(p23, r2, p01);
        var p47 = T.Fma(p67, r2, p45);
        var p811 = T.Fma(p1011, r2, p89);
        var p812 = T.Fma(T.Create(1.0 / 479001600), r4, p811);
        var p = T.Fma(T.Fma(p812, r4, p47), r4, p03);
        var scale = T.AddBits(T.ShiftLeftBits(T.SubtractBits(kd, shifter), 52), T.FromBits(OneBits));
        return p * scale;
    }

    /// <summary>
    /// ln x lane-wise (≈1 ulp), written out so that it inlines (see <see cref="Exp{T}"/>): x = m·2^e with
    /// m ∈ [√½, √2) from the bits, ln m = 2 atanh(s), s = f/(2 + f), f = m − 1, by the classic minimax polynomial in s²
    /// (the published fdlibm coefficients), ln 2 split in two. A vector with a lane that is not a positive
    /// normal finite number (0, negative, subnormal, ∞, NaN) goes to the BCL's routine whole (−∞ at 0, NaN below).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log<T>(T x)
        where T : struct, IVec<T>
    {
        if (!T.AllTrue(T.LessThanOrEqual(T.Create(MinNormal), x) & T.LessThanOrEqual(x, T.Create(double.MaxValue))))
        {
            return T.Log(x);
        }

        var e = ((T.ShiftRightBits(x, 52) | T.FromBits(TwoTo52Bits)) - T.Create(TwoTo52)) - T.Create(1023.0);
        var m = (x & T.FromBits(MantissaBits)) | T.FromBits(OneBits);
        var big = T.GreaterThan(m, T.Create(Math.Sqrt(2.0)));
        m = T.Select(big, m * T.Create(0.5), m);
        e = T.Select(big, e + T.Create(1.0), e);
        var f = m - T.Create(1.0);
        var s = f / (f + T.Create(2.0));
        var z = s * s;
        var w = z * z;
        var t1 = w * T.Fma(w, T.Fma(w, T.Create(Lg6), T.Create(Lg4)), T.Create(Lg2));
        var t2 = z * T.Fma(w, T.Fma(w, T.Fma(w, T.Create(Lg7), T.Create(Lg5)), T.Create(Lg3)), T.Create(Lg1));
        var hfsq = T.Create(0.5) * f * f;
        var inner = T.Fma(s, hfsq + t1 + t2, e * T.Create(Ln2Lo));
        return (e * T.Create(Ln2Hi)) - ((hfsq - inner) - f);
    }

    /// <summary>ln(1 + x) lane-wise (Goldberg's trick).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Log1P<T>(T x)
        where T : struct, IVec<T>
    {
        var one = T.Create(1.0);
        var u = one + x;
        return T.Select(T.Equal(u, one), x, Log(u) * x / (u - one));
    }

    /// <summary>
    /// The series Σ xⁿ/(a…(a+n)) in the lanes of <paramref name="lanes"/> (other lanes: garbage), without a division
    /// in the loop: T = Σ xⁿ/P_n is carried as a fraction A_n/P_n with A_n = A_{n−1}(a+n) + xⁿ and P_n = P_{n−1}(a+n)
    /// (rescaled by 1e−200 when large), converged when xⁿ &lt; ε·A_n; the result is A/(P·a). Vector dividers are slow
    /// and the scalar loop's division is per lane, so this keeps the vector loop on the multipliers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Series<T>(T a, T x, T lanes)
        where T : struct, IVec<T>
    {
        var one = T.Create(1.0);
        var eps = T.Create(VectorEpsilon);
        var big = T.Create(1e200);
        var scale = T.Create(1.0 / 1e200);
        var notLanes = T.AndNot(AllBits<T>(), lanes);
        var ap = a;
        var num = one;
        var den = one;
        var xn = one;
        for (var n = 0; n < SpecialFunctions.MaxIterations; n += 4)
        {
            for (var u = 0; u < 4; u++)
            {
                ap += one;
                xn *= x;
                num = T.Fma(num, ap, xn);
                den *= ap;
            }

            var rescale = T.GreaterThan(den, big);
            if (T.AnyTrue(rescale))
            {
                num = T.Select(rescale, num * scale, num);
                den = T.Select(rescale, den * scale, den);
                xn = T.Select(rescale, xn * scale, xn);
            }

            var done = T.LessThan(T.Abs(xn), num * eps) | notLanes;
            if (T.AllTrue(done))
            {
                break;
            }
        }

        return num / (den * a);
    }

    /// <summary>
    /// The continued fraction h with Q = e^{−x} x^a/Γ(a)·h in the lanes of <paramref name="lanes"/> (other lanes:
    /// garbage), by the forward (Wallis) recurrence A_n = b_n A_{n−1} + a_n A_{n−2}, B_n likewise, rescaled when
    /// large, converged when |A_n B_{n−1} − A_{n−1} B_n| &lt; ε|A_n B_{n−1}|; no division in the loop. Same fraction
    /// as the scalar Lentz evaluation.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T Fraction<T>(T a, T x, T lanes)
        where T : struct, IVec<T>
    {
        var one = T.Create(1.0);
        var two = T.Create(2.0);
        var eps = T.Create(VectorEpsilon);
        var big = T.Create(1e100);
        var scale = T.Create(1e-100);
        var notLanes = T.AndNot(AllBits<T>(), lanes);
        var b = x + one - a;
        var aPrev = T.Create(0.0);
        var bPrev = one;
        var aCur = one;
        var bCur = b;
        var iv = T.Create(0.0);
        for (var i = 1; i <= SpecialFunctions.MaxIterations; i += 2)
        {
            for (var u = 0; u < 2; u++)
            {
                iv += one;
                var an = iv * (a - iv);
                b += two;
                var aNew = T.Fma(b, aCur, an * aPrev);
                var bNew = T.Fma(b, bCur, an * bPrev);
                aPrev = aCur;
                bPrev = bCur;
                aCur = aNew;
                bCur = bNew;
            }

            var rescale = T.GreaterThan(T.Abs(bCur), big);
            if (T.AnyTrue(rescale))
            {
                var f = T.Select(rescale, scale, one);
                aPrev *= f;
                bPrev *= f;
                aCur *= f;
                bCur *= f;
            }

            var cross = aCur * bPrev;
            var diff = T.Fma(aPrev, bCur, zeroMinus(cross));
            var done = T.LessThan(T.Abs(diff), T.Abs(cross) * eps) | notLanes;
            if (T.AllTrue(done))
            {
                break;
            }
        }

        return aCur / bCur;

        static T zeroMinus(T v) => T.Create(0.0) - v;
    }

    /// <summary>
    /// ln Q(a, x) in the lanes of <paramref name="active"/> (which must have x &gt; 0), given the prefactor
    /// e^{−x} x^a / Γ(a) as e^{lnPrefactor}·<paramref name="scale"/>; 0 in the other lanes. One exp and one log for
    /// both branches: Q = 1 − pre·S (series) or pre·h (fraction), then ln Q. The prefactor's exponent is clamped at
    /// <see cref="MinExpArgument"/> and Q at <see cref="MinLogArgument"/>, so where Q is below ~e^−690 (x in the
    /// hundreds) the result is about −690 rather than the true, more negative value: the Pandel MPE term cannot tell
    /// them apart (SF^(N−1) is then far below the noise floor ν either way).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static T LnGammaQ<T>(T a, T x, T lnPrefactor, T scale, T active)
        where T : struct, IVec<T>
    {
        var one = T.Create(1.0);
        var ap1 = a + one;
        var useSeries = T.LessThan(x, ap1);
        var fractionLanes = T.AndNot(active, useSeries);
        var pre = Exp(T.Max(lnPrefactor, T.Create(MinExpArgument))) * scale;

        // Series lanes where 1 − pre·S rounds to 1 anyway are left out: S ≤ (a + 1)/(a(a + 1 − x)) (a geometric
        // bound for x < a + 1), and pre·bound < 1e-17 is below half an ulp of 1, so Q = 1 exactly as the full series
        // would give. With ξ in the tens and ρt of a few, most MPE DOMs are such lanes: no loop and no log for them.
        var bound = pre * ap1 / (a * (ap1 - x));
        var seriesLanes = useSeries & active & T.GreaterThan(bound, T.Create(NegligibleTail));
        if (!T.AnyTrue(seriesLanes | fractionLanes))
        {
            return T.Create(0.0);
        }

        var q = one;
        if (T.AnyTrue(seriesLanes))
        {
            q = T.Select(seriesLanes, one - (pre * Series(a, x, seriesLanes)), q);
        }

        if (T.AnyTrue(fractionLanes))
        {
            q = T.Select(fractionLanes, pre * Fraction(a, x, fractionLanes), q);
        }

        return Log(T.Max(q, T.Create(MinLogArgument)));
    }

    /// <summary>P(a, x) and Q(a, x) lane-wise for a &gt; 0 (x ≤ 0: P = 0, Q = 1).</summary>
    public static void GammaPQ<T>(T a, T x, out T p, out T q)
        where T : struct, IVec<T>
    {
        var zero = T.Create(0.0);
        var one = T.Create(1.0);
        var positive = T.GreaterThan(x, zero);
        var xs = T.Select(positive, x, one);
        var lnPre = (a * Log(xs)) - xs - LnGamma(a);
        var pre = Exp(lnPre);
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
