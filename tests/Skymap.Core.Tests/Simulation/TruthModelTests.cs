using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Simulation;

namespace Skymap.Core.Tests.Simulation;

public sealed class TruthModelTests
{
    private static readonly SimulationOptions Track = new()
    {
        Kind = SimulationKind.Track,
        Zenith = 1.2,
        Azimuth = 2.0,
        Energy = 1e5,
        Vertex = new Vector3D(20.0, -10.0, 40.0),
        Seed = 5,
    };

    private static double MeanPhysicsTime(SimulationResult r) =>
        Enumerable.Range(0, r.IsNoise.Count).Where(i => !r.IsNoise[i]).Average(i => r.Event.Pulses.Time[i]);

    [Fact]
    public void An_explicit_nominal_model_changes_nothing_and_writes_no_model()
    {
        var nominal = EventSimulator.Simulate(Track with { Model = new TruthModel() });
        var implicitNominal = EventSimulator.Simulate(Track);
        Assert.Equal(SkymapEventSerializer.Serialize(implicitNominal), SkymapEventSerializer.Serialize(nominal));
        Assert.Null(nominal.Truth!.Model);
        Assert.DoesNotContain("\"model\"", SkymapEventSerializer.Serialize(nominal), StringComparison.Ordinal);
    }

    [Fact]
    public void Dom_efficiency_scales_the_expected_light_exactly()
    {
        var a = EventSimulator.Run(Track);
        var b = EventSimulator.Run(Track with { Model = new TruthModel { DomEfficiency = 0.5 } });
        Assert.Equal(0.5, b.ExpectedPhotons / a.ExpectedPhotons, 12);
        Assert.True(b.PhysicsPulseCount < 0.6 * a.PhysicsPulseCount, $"{b.PhysicsPulseCount} vs {a.PhysicsPulseCount}");
    }

    [Fact]
    public void Clearer_ice_gives_more_light_and_noise_scale_gives_more_noise()
    {
        var a = EventSimulator.Run(Track);
        var clear = EventSimulator.Run(Track with { Model = new TruthModel { AbsorptionScale = 1.2 } });
        Assert.True(clear.ExpectedPhotons > 1.1 * a.ExpectedPhotons, $"{clear.ExpectedPhotons} vs {a.ExpectedPhotons}");
        var noisy = EventSimulator.Run(Track with { Model = new TruthModel { NoiseScale = 4.0 } });
        Assert.Equal(a.ExpectedPhotons, noisy.ExpectedPhotons);
        Assert.True(noisy.NoisePulseCount > 3 * a.NoisePulseCount, $"{noisy.NoisePulseCount} vs {a.NoisePulseCount}");
        var quiet = EventSimulator.Run(Track with { Model = new TruthModel { NoiseScale = 0.0 } });
        Assert.Equal(0, quiet.NoisePulseCount);
    }

    [Fact]
    public void Scattering_jitter_and_late_tail_delay_the_photons()
    {
        var a = EventSimulator.Run(Track);
        var scattering = EventSimulator.Run(Track with { Model = new TruthModel { ScatteringScale = 0.5 } });
        Assert.Equal(a.ExpectedPhotons, scattering.ExpectedPhotons);
        Assert.True(MeanPhysicsTime(scattering) > MeanPhysicsTime(a) + 20, $"{MeanPhysicsTime(scattering)} vs {MeanPhysicsTime(a)}");

        // Every photon delayed by Exponential(1000 ns): the mean moves by about 1000 ns.
        var tail = EventSimulator.Run(Track with { Model = new TruthModel { LateTailFraction = 1.0, LateTailTime = 1000.0 } });
        var shift = MeanPhysicsTime(tail) - MeanPhysicsTime(a);
        Assert.InRange(shift, 900, 1100);

        var jitter = EventSimulator.Run(Track with { Model = new TruthModel { TimeJitter = 50.0 } });
        Assert.Equal(a.PhysicsPulseCount, jitter.PhysicsPulseCount);
        Assert.NotEqual(SkymapEventSerializer.Serialize(a.Event), SkymapEventSerializer.Serialize(jitter.Event));
    }

    [Fact]
    public void The_model_is_recorded_in_the_truth_and_survives_a_round_trip()
    {
        var evt = EventSimulator.Simulate(Track with { Model = TruthModel.Mismatch });
        Assert.Equal(TruthModel.Mismatch, evt.Truth!.Model);
        var json = SkymapEventSerializer.Serialize(evt);
        Assert.Contains("\"model\"", json, StringComparison.Ordinal);
        Assert.Contains("\"late_tail_fraction\": 0.05", json, StringComparison.Ordinal);
        var back = SkymapEventSerializer.Parse(json);
        Assert.Equal(TruthModel.Mismatch, back.Truth!.Model);
        Assert.Equal(json, SkymapEventSerializer.Serialize(back));
    }

    [Fact]
    public void A_bad_model_in_an_event_file_is_a_clear_error()
    {
        var json = SkymapEventSerializer.Serialize(EventSimulator.Simulate(Track with { Model = TruthModel.Mismatch }))
            .Replace("\"dom_efficiency\": 0.9", "\"dom_efficiency\": -1", StringComparison.Ordinal);
        var e = Assert.Throws<EventFormatException>(() => SkymapEventSerializer.Parse(json));
        Assert.Contains("truth.model", e.Message, StringComparison.Ordinal);
        Assert.Contains("DOM efficiency", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ScatteringScale", "scattering scale")]
    [InlineData("AbsorptionScale", "absorption scale")]
    [InlineData("DomEfficiency", "DOM efficiency")]
    [InlineData("NoiseScale", "noise scale")]
    [InlineData("TimeJitter", "time jitter")]
    [InlineData("LateTailFraction", "late-tail fraction")]
    [InlineData("LateTailTime", "late-tail time")]
    public void Invalid_knobs_are_named(string knob, string words)
    {
        var model = knob switch
        {
            "ScatteringScale" => new TruthModel { ScatteringScale = 0 },
            "AbsorptionScale" => new TruthModel { AbsorptionScale = double.NaN },
            "DomEfficiency" => new TruthModel { DomEfficiency = -0.1 },
            "NoiseScale" => new TruthModel { NoiseScale = -1 },
            "TimeJitter" => new TruthModel { TimeJitter = double.PositiveInfinity },
            "LateTailFraction" => new TruthModel { LateTailFraction = 1.5 },
            _ => new TruthModel { LateTailFraction = 0.1, LateTailTime = 0 },
        };
        var error = (Track with { Model = model }).Validate();
        Assert.NotNull(error);
        Assert.Contains(words, error, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => EventSimulator.Simulate(Track with { Model = model }));
    }

    [Fact]
    public void Presets_are_found_by_name()
    {
        Assert.Same(TruthModel.Mismatch, TruthModel.FromName("Mismatch"));
        Assert.Same(TruthModel.Nominal, TruthModel.FromName("nominal"));
        Assert.Null(TruthModel.FromName("wrong"));
        Assert.True(TruthModel.Nominal.IsNominal);
        Assert.False(TruthModel.Mismatch.IsNominal);
        Assert.Contains("noise×2", TruthModel.Mismatch.ToString(), StringComparison.Ordinal);
    }
}
