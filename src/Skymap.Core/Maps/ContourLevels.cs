namespace Skymap.Core.Maps;

/// <summary>One contour level of a 2ΔLLH map.</summary>
/// <param name="Label">Legend label, e.g. "50%", "90%", "3σ", "50% (IC160427A syst.)".</param>
/// <param name="Value">The level in 2ΔLLH units (a pixel is inside when its 2ΔLLH is below it).</param>
/// <param name="Containment">The nominal containment it stands for, 0..1 (0.5, 0.9, 0.9973…).</param>
public readonly record struct ContourLevel(string Label, double Value, double Containment);

/// <summary>
/// The 2ΔLLH contour levels of FORMATS.md §7 and PHYSICS.md §6: Wilks' theorem with 2 degrees of freedom, or
/// upstream's "IC160427A systematics" levels.
/// </summary>
/// <remarks>
/// For χ² with 2 dof the CDF is 1 − exp(−x/2), so the level of containment p is −2 ln(1 − p). FORMATS.md lists
/// these rounded (1.39 / 4.61 / 11.83, as skyreader hard-codes them); Skymap uses the exact values
/// 2 ln 2 = 1.3863, 2 ln 10 = 4.6052 and 3σ = 11.8292 (two-sided Gaussian 3σ containment). The differences are
/// far below the resolution of a scan.
/// </remarks>
internal static class ContourLevels
{
    /// <summary>Two-sided Gaussian 3σ containment, erf(3/√2).</summary>
    public const double ThreeSigmaContainment = 1.0 - 2.6997960632601866e-3;

    /// <summary>Two-sided Gaussian 5σ containment, erf(5/√2).</summary>
    public const double FiveSigmaContainment = 1.0 - 5.733031437583878e-7;

    /// <summary>Wilks 50 % level, 2 ln 2 ≈ 1.3863 (2ΔLLH).</summary>
    public static readonly double Wilks50 = 2.0 * Math.Log(2.0);

    /// <summary>Wilks 90 % level, 2 ln 10 ≈ 4.6052 (2ΔLLH).</summary>
    public static readonly double Wilks90 = 2.0 * Math.Log(10.0);

    /// <summary>Wilks 3σ level, −2 ln(2.69980e-3) ≈ 11.8292 (2ΔLLH).</summary>
    public static readonly double Wilks3Sigma = -2.0 * Math.Log(2.6997960632601866e-3);

    /// <summary>Wilks 5σ level ≈ 28.74 (2ΔLLH); defined but not drawn, as upstream.</summary>
    public static readonly double Wilks5Sigma = -2.0 * Math.Log(5.733031437583878e-7);

    /// <summary>Upstream's recalibrated 50 % level "IC160427A syst." (2ΔLLH).</summary>
    public const double Systematics50 = 22.2;

    /// <summary>Upstream's recalibrated 90 % level "IC160427A syst." (2ΔLLH).</summary>
    public const double Systematics90 = 64.2;

    /// <summary>The Wilks levels that are drawn: 50 %, 90 %, 3σ.</summary>
    public static IReadOnlyList<ContourLevel> Wilks { get; } =
    [
        new("50%", Wilks50, 0.5),
        new("90%", Wilks90, 0.9),
        new("3σ", Wilks3Sigma, ThreeSigmaContainment),
    ];

    /// <summary>The systematics levels: 50 % and 90 % (IC160427A syst.).</summary>
    public static IReadOnlyList<ContourLevel> Systematics { get; } =
    [
        new("50% (IC160427A syst.)", Systematics50, 0.5),
        new("90% (IC160427A syst.)", Systematics90, 0.9),
    ];

    /// <summary>The level set to use: <see cref="Systematics"/> or <see cref="Wilks"/>; the first two are 50 % and 90 %.</summary>
    /// <param name="systematics">Whether to use the systematics levels.</param>
    /// <returns>The levels, ascending.</returns>
    public static IReadOnlyList<ContourLevel> For(bool systematics) => systematics ? Systematics : Wilks;
}
