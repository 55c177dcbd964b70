using System.CommandLine;
using Skymap.Core.Simulation;

namespace Skymap.Cli.Commands;

/// <summary>The truth-model options shared by <c>simulate</c>, <c>bench quality</c> and <c>calibrate</c>: a preset and knobs.</summary>
internal sealed class TruthModelOptions
{
    private readonly string _prefix;

    public TruthModelOptions(string prefix = "", string? what = null)
    {
        _prefix = prefix;
        var of = what is null ? "" : $" of {what}";
        Preset = new Option<string?>($"--{prefix}truth-model") { Description = $"Truth model{of}: nominal | mismatch (λ×0.9, λa×1.1, DOM eff×0.9, noise×2, jitter 5 ns, 5% late tail × 100 ns); the knobs below override it" };
        Scattering = new Option<double?>($"--{prefix}scattering-scale") { Description = $"Scattering length λ multiplier{of} (1 = nominal)" };
        Absorption = new Option<double?>($"--{prefix}absorption-scale") { Description = $"Absorption length λa (and yield attenuation) multiplier{of}" };
        Efficiency = new Option<double?>($"--{prefix}dom-efficiency") { Description = $"DOM efficiency multiplier{of}" };
        Noise = new Option<double?>($"--{prefix}noise-scale") { Description = $"Dark-noise rate multiplier{of} (nominal 500 Hz)" };
        Jitter = new Option<double?>($"--{prefix}time-jitter") { Description = $"Photon time jitter σ [ns]{of} (nominal 3)" };
        TailFraction = new Option<double?>($"--{prefix}late-tail-fraction") { Description = $"Fraction of photons with an extra late delay{of} (nominal 0)" };
        TailTime = new Option<double?>($"--{prefix}late-tail-time") { Description = $"Mean of the late delay [ns]{of} (default 100)" };
    }

    public Option<string?> Preset { get; }
    public Option<double?> Scattering { get; }
    public Option<double?> Absorption { get; }
    public Option<double?> Efficiency { get; }
    public Option<double?> Noise { get; }
    public Option<double?> Jitter { get; }
    public Option<double?> TailFraction { get; }
    public Option<double?> TailTime { get; }

    public IEnumerable<Option> All => [Preset, Scattering, Absorption, Efficiency, Noise, Jitter, TailFraction, TailTime];

    /// <summary>Whether the preset or any knob was given.</summary>
    public bool IsGiven(ParseResult pr) =>
        pr.GetValue(Preset) is not null || pr.GetValue(Scattering) is not null || pr.GetValue(Absorption) is not null
        || pr.GetValue(Efficiency) is not null || pr.GetValue(Noise) is not null || pr.GetValue(Jitter) is not null
        || pr.GetValue(TailFraction) is not null || pr.GetValue(TailTime) is not null;

    /// <summary>The model: the preset (default nominal) with the given knobs applied.</summary>
    /// <exception cref="CliException">Unknown preset or an invalid knob.</exception>
    public TruthModel Resolve(ParseResult pr, TruthModel? fallback = null)
    {
        TruthModel model;
        if (pr.GetValue(Preset) is { } name)
        {
            model = TruthModel.FromName(name)
                ?? throw new CliException($"--{_prefix}truth-model: unknown truth model '{name}' (known: {string.Join(", ", TruthModel.PresetNames)})");
        }
        else
        {
            model = fallback ?? TruthModel.Nominal;
        }

        var knobs = model;
        knobs = pr.GetValue(Scattering) is { } s ? knobs with { ScatteringScale = s } : knobs;
        knobs = pr.GetValue(Absorption) is { } a ? knobs with { AbsorptionScale = a } : knobs;
        knobs = pr.GetValue(Efficiency) is { } e ? knobs with { DomEfficiency = e } : knobs;
        knobs = pr.GetValue(Noise) is { } n ? knobs with { NoiseScale = n } : knobs;
        knobs = pr.GetValue(Jitter) is { } j ? knobs with { TimeJitter = j } : knobs;
        knobs = pr.GetValue(TailFraction) is { } f ? knobs with { LateTailFraction = f } : knobs;
        knobs = pr.GetValue(TailTime) is { } t ? knobs with { LateTailTime = t } : knobs;
        if (!ReferenceEquals(knobs, model))
        {
            knobs = knobs with { Name = knobs.IsNominal ? TruthModel.NominalName : TruthModel.CustomName };
        }

        if (knobs.Validate() is { } error)
        {
            throw new CliException($"--{_prefix}truth-model: {error}");
        }

        return knobs;
    }
}
