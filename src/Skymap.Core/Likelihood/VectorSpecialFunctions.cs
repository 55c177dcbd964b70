using System.Runtime.Intrinsics;
using Skymap.Core.Likelihood.Internal;

namespace Skymap.Core.Likelihood;

/// <summary>
/// The special functions of <see cref="SpecialFunctions"/> evaluated lane-wise in <see cref="Vector128{T}"/>,
/// <see cref="Vector256{T}"/> and <see cref="Vector512{T}"/>: the scalar series and continued fraction, iterated with
/// masked convergence and rewritten without divisions in the loop (vector dividers are slow), and Boost's
/// lanczos13m53 rational ln Γ (no loop). Results agree with the scalar ones to ~1e-14 (tested).
/// </summary>
internal static class VectorSpecialFunctions
{
    /// <summary>Effectively computes result[i] = <see cref="SpecialFunctions.LnGamma"/>(x[i]).</summary>
    public static Vector128<double> LnGamma(Vector128<double> x) => SimdMath.LnGamma(new V128(x)).V;

    /// <summary>Effectively computes result[i] = <see cref="SpecialFunctions.LnGamma"/>(x[i]).</summary>
    public static Vector256<double> LnGamma(Vector256<double> x) => SimdMath.LnGamma(new V256(x)).V;

    /// <summary>Effectively computes result[i] = <see cref="SpecialFunctions.LnGamma"/>(x[i]).</summary>
    public static Vector512<double> LnGamma(Vector512<double> x) => SimdMath.LnGamma(new V512(x)).V;

    /// <summary>Effectively computes result[i] = <see cref="SpecialFunctions.GammaP"/>(a[i], x[i]).</summary>
    public static Vector128<double> GammaP(Vector128<double> a, Vector128<double> x)
    {
        SimdMath.GammaPQ(new V128(a), new V128(x), out var p, out _);
        return p.V;
    }

    /// <summary>Effectively computes result[i] = <see cref="SpecialFunctions.GammaP"/>(a[i], x[i]).</summary>
    public static Vector256<double> GammaP(Vector256<double> a, Vector256<double> x)
    {
        SimdMath.GammaPQ(new V256(a), new V256(x), out var p, out _);
        return p.V;
    }

    /// <summary>Effectively computes result[i] = <see cref="SpecialFunctions.GammaP"/>(a[i], x[i]).</summary>
    public static Vector512<double> GammaP(Vector512<double> a, Vector512<double> x)
    {
        SimdMath.GammaPQ(new V512(a), new V512(x), out var p, out _);
        return p.V;
    }

    /// <summary>Effectively computes result[i] = <see cref="SpecialFunctions.GammaQ"/>(a[i], x[i]).</summary>
    public static Vector128<double> GammaQ(Vector128<double> a, Vector128<double> x)
    {
        SimdMath.GammaPQ(new V128(a), new V128(x), out _, out var q);
        return q.V;
    }

    /// <summary>Effectively computes result[i] = <see cref="SpecialFunctions.GammaQ"/>(a[i], x[i]).</summary>
    public static Vector256<double> GammaQ(Vector256<double> a, Vector256<double> x)
    {
        SimdMath.GammaPQ(new V256(a), new V256(x), out _, out var q);
        return q.V;
    }

    /// <summary>Effectively computes result[i] = <see cref="SpecialFunctions.GammaQ"/>(a[i], x[i]).</summary>
    public static Vector512<double> GammaQ(Vector512<double> a, Vector512<double> x)
    {
        SimdMath.GammaPQ(new V512(a), new V512(x), out _, out var q);
        return q.V;
    }
}
