using Skymap.Core.Physics;

namespace Skymap.Core.Likelihood;

/// <summary>
/// The pieces of the Pandel track likelihood (PHYSICS.md §3) as plain scalar functions of the time residual t and
/// the effective distance d_eff. The kernels fuse these; this class states them one by one.
/// </summary>
internal static class PandelPdf
{
    internal static readonly double Rho = PhysicsConstants.PandelRho;
    internal static readonly double LnRho = Math.Log(PhysicsConstants.PandelRho);
    internal static readonly double T0p = PhysicsConstants.JitterT0p;
    internal static readonly double LnT0p = Math.Log(PhysicsConstants.JitterT0p);
    internal static readonly double X0 = PhysicsConstants.PandelRho * PhysicsConstants.JitterT0p;
    internal static readonly double LnX0 = Math.Log(PhysicsConstants.PandelRho * PhysicsConstants.JitterT0p);
    internal static readonly double InvTwoSigma2 = 1.0 / (2.0 * PhysicsConstants.JitterSigma * PhysicsConstants.JitterSigma);
    internal static readonly double InvLambda = 1.0 / PhysicsConstants.PandelLambda;
    internal static readonly double InvC = 1.0 / PhysicsConstants.C;
    internal static readonly double InvSinC = 1.0 / PhysicsConstants.SinCherenkov;
    internal static readonly double InvTanC = 1.0 / PhysicsConstants.TanCherenkov;

    /// <summary>
    /// Time residual t = t1 − t_geo and effective distance d_eff of a DOM at <paramref name="domX"/>,
    /// <paramref name="domY"/>, <paramref name="domZ"/> for a track hypothesis (PHYSICS.md §3).
    /// </summary>
    public static (double Residual, double EffectiveDistance) Geometry(in TrackHypothesis track, double domX, double domY, double domZ, double t1)
    {
        var d = track.Direction;
        var r0 = track.Vertex;
        double dx = domX - r0.X, dy = domY - r0.Y, dz = domZ - r0.Z;
        var l = (dx * d.X) + (dy * d.Y) + (dz * d.Z);
        var rho = Math.Sqrt(Math.Max((dx * dx) + (dy * dy) + (dz * dz) - (l * l), 0.0));
        var tGeo = track.Time + ((l + (PhysicsConstants.Kt * rho)) / PhysicsConstants.C);
        var cosEta = 0.0;
        if (rho >= PhysicsConstants.PerpendicularEpsilon)
        {
            var se = l - (rho / PhysicsConstants.TanCherenkov);
            var pathLength = rho / PhysicsConstants.SinCherenkov;
            cosEta = (domZ - (r0.Z + (se * d.Z))) / pathLength;
        }

        return (t1 - tGeo, EffectiveDistance(rho, cosEta));
    }

    /// <summary>d_eff = 0.8395·ρ⊥ + 3.094 − 3.946·cosη + 4.636·cos²η [m].</summary>
    public static double EffectiveDistance(double perpendicularDistance, double cosEta) =>
        (PhysicsConstants.EffectiveDistanceRho * perpendicularDistance) + PhysicsConstants.EffectiveDistanceConstant
        - (PhysicsConstants.EffectiveDistanceCosEta * cosEta) + (PhysicsConstants.EffectiveDistanceCosEta2 * cosEta * cosEta);

    /// <summary>The plain Pandel pdf p(t) = ρ^ξ t^(ξ−1) e^(−ρt)/Γ(ξ), ξ = d_eff/λ, for t &gt; 0; 0 otherwise [1/ns].</summary>
    public static double Pdf(double t, double effectiveDistance)
    {
        if (!(t > 0))
        {
            return double.IsNaN(t) ? double.NaN : 0.0;
        }

        var xi = effectiveDistance / PhysicsConstants.PandelLambda;
        return Math.Exp((xi * LnRho) + ((xi - 1.0) * Math.Log(t)) - (Rho * t) - SpecialFunctions.LnGamma(xi));
    }

    /// <summary>The survival function SF(t) = Q(ξ, ρt) for t &gt; 0; 1 otherwise.</summary>
    public static double SurvivalFunction(double t, double effectiveDistance) =>
        t > 0 ? SpecialFunctions.GammaQ(effectiveDistance / PhysicsConstants.PandelLambda, Rho * t) : double.IsNaN(t) ? double.NaN : 1.0;

    /// <summary>The jitter-patched pdf pp(t) of PHYSICS.md §3 [1/ns].</summary>
    public static double PatchedPdf(double t, double effectiveDistance)
    {
        if (effectiveDistance > PhysicsConstants.DistMagic || t >= T0p)
        {
            return Pdf(t, effectiveDistance);
        }

        var xi = effectiveDistance / PhysicsConstants.PandelLambda;
        var (a0, a2, a3) = PatchCoefficients(xi, SpecialFunctions.LnGamma(xi));
        var pp = t <= 0 ? a0 * Math.Exp(-t * t * InvTwoSigma2) : a0 + (t * t * (a2 + (a3 * t)));
        return Math.Max(pp, 0.0);
    }

    /// <summary>The per-DOM likelihood L_i: pp(t) (SPE) or N·pp(t)·SF(t)^(N−1) (MPE).</summary>
    public static double DomLikelihood(PandelVariant variant, double t, double effectiveDistance, double multiplicity)
    {
        var pp = PatchedPdf(t, effectiveDistance);
        return variant == PandelVariant.Spe
            ? pp
            : multiplicity * pp * Math.Pow(SurvivalFunction(t, effectiveDistance), multiplicity - 1.0);
    }

    /// <summary>The patch polynomial's coefficients a0, a2, a3 for shape ξ (PHYSICS.md §3).</summary>
    internal static (double A0, double A2, double A3) PatchCoefficients(double xi, double lnGammaXi)
    {
        var pre = Math.Exp((xi * LnX0) - X0 - lnGammaXi);
        var integral = pre * SpecialFunctions.Series(xi, X0);
        var t0p = T0p;
        var p = pre / t0p;
        var dp = p * (((xi - 1.0) / t0p) - Rho);
        var t2 = t0p * t0p;
        var t3 = t2 * t0p;
        var a0 = (integral / t0p) - (p / 2.0) + (dp * t0p / 12.0);
        var a2 = (-3.0 * integral / t3) - (1.25 * dp / t0p) + (4.5 * p / t2);
        var a3 = (2.0 * integral / (t3 * t0p)) + (7.0 / 6.0 * dp / t2) - (3.0 * p / t3);
        return (a0, a2, a3);
    }
}
