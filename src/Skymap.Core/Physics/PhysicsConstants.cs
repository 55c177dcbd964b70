namespace Skymap.Core.Physics;

/// <summary>The constants of PHYSICS.md §3 (Pandel, "H2" ice) and §4 (Millipede-like unfolding), with their units.</summary>
public static class PhysicsConstants
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
