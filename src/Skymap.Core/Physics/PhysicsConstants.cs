namespace Skymap.Core.Physics;

/// <summary>The constants of PHYSICS.md §3 (Pandel, "H2" ice) and §4 (Millipede-like unfolding), with their units.</summary>
internal static class PhysicsConstants
{
    /// <summary>Speed of light in vacuum [m/ns].</summary>
    public const double C = 0.299792458;

    /// <summary>Phase refractive index of ice.</summary>
    public const double NPhase = 1.3195;

    /// <summary>Group refractive index of ice.</summary>
    public const double NGroup = 1.35634;

    /// <summary>Speed of light in ice (group) [m/ns].</summary>
    public const double CIce = C / NGroup;

    /// <summary>Pandel τ [ns].</summary>
    public const double PandelTau = 556.7;

    /// <summary>Pandel λ (scattering) [m].</summary>
    public const double PandelLambda = 33.29;

    /// <summary>Pandel λa (absorption) [m].</summary>
    public const double PandelLambdaA = 98.0;

    /// <summary>Cherenkov angle θc = acos(1/n_p) [rad].</summary>
    public static readonly double CherenkovAngle = Math.Acos(1.0 / NPhase);

    /// <summary>tan θc.</summary>
    public static readonly double TanCherenkov = Math.Tan(CherenkovAngle);

    /// <summary>sin θc.</summary>
    public static readonly double SinCherenkov = Math.Sin(CherenkovAngle);

    /// <summary>K_t = (n_p·n_g − 1)/(n_p·sin θc), the geometric-time factor of the perpendicular distance.</summary>
    public static readonly double Kt = ((NPhase * NGroup) - 1.0) / (NPhase * SinCherenkov);

    /// <summary>Pandel ρ = 1/τ + c_ice/λa [1/ns].</summary>
    public static readonly double PandelRho = (1.0 / PandelTau) + (CIce / PandelLambdaA);

    /// <summary>Time jitter σ [ns] of the patched pdf.</summary>
    public const double JitterSigma = 15.0;

    /// <summary>Noise density ν added to each DOM likelihood [1/ns].</summary>
    public const double NoiseDensity = 1e-8;

    /// <summary>Effective distance beyond which the jitter patch is not applied [m].</summary>
    public const double DistMagic = 100.0;

    /// <summary>Jitter-patch boundary t0p = √(2π)·σ [ns] (PHYSICS.md §3).</summary>
    public static readonly double JitterT0p = Math.Sqrt(2.0 * Math.PI) * JitterSigma;

    /// <summary>Effective distance d_eff = c1·ρ⊥ + c0 − c2·cosη + c3·cos²η: c1 (PHYSICS.md §3).</summary>
    public const double EffectiveDistanceRho = 0.8395;

    /// <summary>Effective distance constant term c0 [m].</summary>
    public const double EffectiveDistanceConstant = 3.094;

    /// <summary>Effective distance cosη coefficient c2 [m] (enters with a minus sign).</summary>
    public const double EffectiveDistanceCosEta = 3.946;

    /// <summary>Effective distance cos²η coefficient c3 [m].</summary>
    public const double EffectiveDistanceCosEta2 = 4.636;

    /// <summary>Perpendicular distance below which cosη is taken as 0 [m].</summary>
    public const double PerpendicularEpsilon = 1e-9;

    /// <summary>Highest string number used by millipede (DeepCore strings 79–86 are excluded).</summary>
    public const int MillipedeMaxString = 78;

    /// <summary>Margin by which the instrumented volume extends beyond the strings' hull and the DOMs' z-range [m] (PHYSICS.md §4).</summary>
    public const double InstrumentedVolumeMargin = 60.0;

    /// <summary>Offset added to the cascade–DOM distance in the light yield [m] (PHYSICS.md §4).</summary>
    public const double YieldDistanceOffset = 0.1;

    /// <summary>Millipede cascade spacing along the track [m].</summary>
    public const double CascadeSpacing = 5.0;

    /// <summary>Half-size of the cube tracks are clipped to [m].</summary>
    public const double ClipHalfSize = 600.0;

    /// <summary>Light-yield normalisation A [PE·m/GeV].</summary>
    public const double YieldA = 3.0;

    /// <summary>Light-yield attenuation length λd [m].</summary>
    public const double YieldLambda = 30.0;

    /// <summary>Distance beyond which a cascade contributes no light [m].</summary>
    public const double YieldMaxDistance = 300.0;

    /// <summary>Per-DOM noise expectation in the Poisson likelihood [PE].</summary>
    public const double PoissonNoise = 0.005;
}
