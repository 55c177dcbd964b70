using System.Globalization;

namespace Skymap.Core.Simulation;

/// <summary>
/// The physics the simulator's "truth" follows, as departures from the model the reconstructions assume (PHYSICS.md §3,
/// §5). Every knob is off by default (<see cref="Nominal"/>): a nominal simulation is bit for bit what it always was.
/// A non-nominal model is recorded in the event's <c>truth.model</c>.
/// </summary>
/// <remarks>
/// <para>What each knob changes, photon by photon (PHYSICS.md §5 with the knobs applied):</para>
/// <list type="bullet">
/// <item><see cref="ScatteringScale"/> multiplies the Pandel scattering length λ: the delay shape is ξ = d_eff/(s·λ) (tracks)
/// or |r − r0|/(s·λ) (cascades). s &lt; 1 is more scattering ice: later, broader photon delays than the reco expects.</item>
/// <item><see cref="AbsorptionScale"/> multiplies the absorption length λa in the delay rate ρ = 1/τ + c_ice/(s·λa) and the
/// attenuation length λd of the light yield (absorption dominates the attenuation): s &gt; 1 is clearer ice, more and
/// later light far from the track.</item>
/// <item><see cref="DomEfficiency"/> multiplies every DOM's expected photoelectrons μ_j (on top of its own rde).</item>
/// <item><see cref="NoiseScale"/> multiplies the 500 Hz dark rate.</item>
/// <item><see cref="TimeJitter"/> is the Gaussian σ added to every photon time (nominal 3 ns).</item>
/// <item><see cref="LateTailFraction"/> of the photons get an extra Exponential(<see cref="LateTailTime"/>) delay: light the
/// Pandel function does not describe (e.g. late pulses, hole ice, unmodelled scattering).</item>
/// </list>
/// <para>Random draws: a late tail adds one uniform draw per photon (and one exponential draw for the photons it delays)
/// right after the photon's delay and jitter; with <see cref="LateTailFraction"/> = 0 no draw is added, so the other
/// knobs keep the nominal sequence of draws.</para>
/// </remarks>
internal sealed record TruthModel
{
    /// <summary>Name of the nominal model.</summary>
    public const string NominalName = "nominal";

    /// <summary>Name of the mismatch preset.</summary>
    public const string MismatchName = "mismatch";

    /// <summary>Name given to a model built from individual knobs.</summary>
    public const string CustomName = "custom";

    /// <summary>The nominal truth: the simulator's physics equals the reconstructions' (all knobs off).</summary>
    public static TruthModel Nominal { get; } = new();

    /// <summary>
    /// The preset "real data differ from the model the reco assumes": 10% more scattering (λ × 0.9), 10% clearer ice
    /// (λa × 1.1), DOMs 10% less efficient, twice the dark rate, 5 ns jitter, and 5% of the photons delayed by an extra
    /// Exponential(100 ns).
    /// </summary>
    public static TruthModel Mismatch { get; } = new()
    {
        Name = MismatchName,
        ScatteringScale = 0.9,
        AbsorptionScale = 1.1,
        DomEfficiency = 0.9,
        NoiseScale = 2.0,
        TimeJitter = 5.0,
        LateTailFraction = 0.05,
        LateTailTime = 100.0,
    };

    /// <summary>The models known by name: <c>nominal</c>, <c>mismatch</c>.</summary>
    public static IReadOnlyList<string> PresetNames { get; } = [NominalName, MismatchName];

    /// <summary>A name for the model (written into the truth; default <c>nominal</c>).</summary>
    public string Name { get; init; } = NominalName;

    /// <summary>Multiplier of the scattering length λ (default 1).</summary>
    public double ScatteringScale { get; init; } = 1.0;

    /// <summary>Multiplier of the absorption length λa and of the yield attenuation length λd (default 1).</summary>
    public double AbsorptionScale { get; init; } = 1.0;

    /// <summary>Multiplier of every DOM's expected photoelectrons (default 1).</summary>
    public double DomEfficiency { get; init; } = 1.0;

    /// <summary>Multiplier of the dark-noise rate (default 1: 500 Hz).</summary>
    public double NoiseScale { get; init; } = 1.0;

    /// <summary>Gaussian time jitter σ of every photon [ns] (default <see cref="EventSimulator.PhotonJitter"/>, 3 ns).</summary>
    public double TimeJitter { get; init; } = EventSimulator.PhotonJitter;

    /// <summary>Fraction of the photons given an extra late delay, in [0, 1] (default 0: no tail).</summary>
    public double LateTailFraction { get; init; }

    /// <summary>Mean of the late tail's exponential delay [ns] (default 100 ns; used only when the fraction is &gt; 0).</summary>
    public double LateTailTime { get; init; } = 100.0;

    /// <summary>Whether every knob is at its nominal value (the name does not matter).</summary>
    public bool IsNominal =>
        ScatteringScale == 1.0 && AbsorptionScale == 1.0 && DomEfficiency == 1.0 && NoiseScale == 1.0
        && TimeJitter == EventSimulator.PhotonJitter && LateTailFraction == 0.0;

    /// <summary>A preset by name (<c>nominal</c>, <c>mismatch</c>; case-insensitive), or null when unknown.</summary>
    public static TruthModel? FromName(string name) =>
        name?.Trim().ToLowerInvariant() switch
        {
            NominalName => Nominal,
            MismatchName => Mismatch,
            _ => null,
        };

    /// <summary>Checks the knobs; returns null when valid, else a message naming the bad knob.</summary>
    public string? Validate()
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        static bool Positive(double v) => v > 0 && double.IsFinite(v);
        if (string.IsNullOrWhiteSpace(Name))
        {
            return "truth model name must not be empty";
        }

        if (!Positive(ScatteringScale))
        {
            return $"truth model scattering scale must be a finite number > 0, got {F(ScatteringScale)}";
        }

        if (!Positive(AbsorptionScale))
        {
            return $"truth model absorption scale must be a finite number > 0, got {F(AbsorptionScale)}";
        }

        if (!Positive(DomEfficiency))
        {
            return $"truth model DOM efficiency must be a finite number > 0, got {F(DomEfficiency)}";
        }

        if (!(NoiseScale >= 0) || !double.IsFinite(NoiseScale))
        {
            return $"truth model noise scale must be a finite number ≥ 0, got {F(NoiseScale)}";
        }

        if (!(TimeJitter >= 0) || !double.IsFinite(TimeJitter))
        {
            return $"truth model time jitter must be a finite number ≥ 0 ns, got {F(TimeJitter)}";
        }

        if (!(LateTailFraction >= 0 && LateTailFraction <= 1))
        {
            return $"truth model late-tail fraction must be in [0, 1], got {F(LateTailFraction)}";
        }

        return Positive(LateTailTime) ? null : $"truth model late-tail time must be a finite number > 0 ns, got {F(LateTailTime)}";
    }

    /// <summary>A one-line description, e.g. <c>mismatch (λ×0.9, λa×1.1, eff×0.9, noise×2, jitter 5 ns, tail 5% × 100 ns)</c>.</summary>
    public override string ToString()
    {
        if (IsNominal)
        {
            return Name;
        }

        var parts = new List<string>();
        void Add(bool on, FormattableString s)
        {
            if (on)
            {
                parts.Add(s.ToString(CultureInfo.InvariantCulture));
            }
        }

        Add(ScatteringScale != 1.0, $"λ×{ScatteringScale:0.###}");
        Add(AbsorptionScale != 1.0, $"λa×{AbsorptionScale:0.###}");
        Add(DomEfficiency != 1.0, $"eff×{DomEfficiency:0.###}");
        Add(NoiseScale != 1.0, $"noise×{NoiseScale:0.###}");
        Add(TimeJitter != EventSimulator.PhotonJitter, $"jitter {TimeJitter:0.###} ns");
        Add(LateTailFraction != 0.0, $"tail {LateTailFraction * 100:0.###}% × {LateTailTime:0.###} ns");
        return $"{Name} ({string.Join(", ", parts)})";
    }
}
