using Skymap.Core.Coordinates;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Physics;
using Skymap.Core.Simulation;

namespace Skymap.Core.Tests.Simulation;

public sealed class EventSimulatorTests
{
    private static readonly SimulationOptions Track10TeV = new()
    {
        Kind = SimulationKind.Track,
        Zenith = 1.6,
        Azimuth = 0.4,
        Energy = 1e4,
        Vertex = new Vector3D(10.0, 20.0, -30.0),
        Time = 10_000.0,
        Mjd = 60_000.0,
        Seed = 17,
    };

    private static readonly SimulationOptions Cascade10TeV = Track10TeV with { Kind = SimulationKind.Cascade, Seed = 18 };

    // ---- Determinism and the written event ------------------------------------------------------------------------

    [Fact]
    public void Same_options_give_the_same_event_bit_for_bit()
    {
        var a = SkymapEventSerializer.Serialize(EventSimulator.Simulate(Track10TeV));
        var b = SkymapEventSerializer.Serialize(EventSimulator.Simulate(Track10TeV));
        Assert.Equal(a, b);
        var c = SkymapEventSerializer.Serialize(EventSimulator.Simulate(Track10TeV with { Seed = 99 }));
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Header_and_truth_are_filled_from_the_options()
    {
        var options = Track10TeV with { Azimuth = -1.0, RunId = 7, EventId = 8, EventType = "sim-test", Mjd = 59_000.125 };
        var evt = EventSimulator.Simulate(options);
        Assert.Equal(new EventHeader(7, 8, "sim-test", 59_000.125, false), evt.Header);
        Assert.Equal("ic86", evt.GeometryName);
        Assert.Null(evt.Seed);
        var t = evt.Truth!;
        Assert.Equal("track", t.Kind);
        Assert.Equal(1.6, t.Zenith);
        Assert.Equal((2.0 * Math.PI) - 1.0, t.Azimuth, 1e-15); // wrapped into [0, 2π)
        var sky = SkyCoordinates.LocalToEquatorial(t.Zenith, t.Azimuth, options.Mjd);
        Assert.Equal(sky.Ra, t.Ra);
        Assert.Equal(sky.Dec, t.Dec);
        Assert.Equal((10.0, 20.0, -30.0, 10_000.0, 1e4), (t.X, t.Y, t.Z, t.Time, t.Energy));
        Assert.Equal("cascade", EventSimulator.Simulate(Cascade10TeV).Truth!.Kind);
    }

    [Fact]
    public void Default_event_id_is_the_seed_and_default_type_is_simulated()
    {
        var evt = EventSimulator.Simulate(Track10TeV with { Seed = 123456789 });
        Assert.Equal(123456789, evt.Header.EventId);
        Assert.Equal(0, evt.Header.RunId);
        Assert.Equal("simulated", evt.Header.EventType);
        Assert.Equal(long.MaxValue, (Track10TeV with { Seed = ulong.MaxValue }).EffectiveEventId);
    }

    [Fact]
    public void Written_event_is_a_valid_event_file_with_ordered_quantised_pulses()
    {
        var result = EventSimulator.Run(Track10TeV);
        var evt = result.Event;
        var back = SkymapEventSerializer.Parse(SkymapEventSerializer.Serialize(evt));
        Assert.Equal(evt.Pulses.SensorId, back.Pulses.SensorId);
        Assert.Equal(evt.Pulses.Time, back.Pulses.Time);
        Assert.Equal(evt.Pulses.Charge, back.Pulses.Charge);
        Assert.Equal(evt.Truth, back.Truth);

        var geometry = DetectorGeometry.IC86;
        for (var i = 0; i < evt.Pulses.Count; i++)
        {
            Assert.True(geometry.Doms[evt.Pulses.SensorId[i]].Active);
            Assert.True(evt.Pulses.Charge[i] >= EventSimulator.ChargeMinimum);
            Assert.Equal(Math.Round(evt.Pulses.Time[i], 3), evt.Pulses.Time[i]);
            Assert.Equal(Math.Round(evt.Pulses.Charge[i], 3), evt.Pulses.Charge[i]);
            if (i > 0)
            {
                var (s0, s1) = (evt.Pulses.SensorId[i - 1], evt.Pulses.SensorId[i]);
                Assert.True(s0 < s1 || (s0 == s1 && evt.Pulses.Time[i - 1] <= evt.Pulses.Time[i]));
            }
        }

        Assert.Equal(evt.Pulses.Count, result.IsNoise.Count);
        Assert.Equal(evt.Pulses.Count, result.PhysicsPulseCount + result.NoisePulseCount);
    }

    [Fact]
    public void Pulse_charges_follow_the_truncated_normal()
    {
        var q = EventSimulator.Simulate(Cascade10TeV with { Energy = 1e5 }).Pulses.Charge;
        Assert.True(q.Length > 5000);
        Assert.InRange(q.Min(), EventSimulator.ChargeMinimum, 0.3);
        // N(1, 0.3) truncated at 0.25 (2.5σ below the mean): mean 1 + 0.3·φ(2.5)/Φ(2.5) = 1.00527.
        Assert.Equal(1.00527, q.Average(), 0.02);
    }

    // ---- Option validation -----------------------------------------------------------------------------------------

    public static TheoryData<SimulationOptions, string> BadOptions => new()
    {
        { Track10TeV with { Zenith = -0.01 }, "zenith" },
        { Track10TeV with { Zenith = 3.2 }, "zenith" },
        { Track10TeV with { Zenith = double.NaN }, "zenith" },
        { Track10TeV with { Azimuth = double.PositiveInfinity }, "azimuth" },
        { Track10TeV with { Energy = 0.0 }, "energy" },
        { Track10TeV with { Energy = -5.0 }, "energy" },
        { Track10TeV with { Energy = double.PositiveInfinity }, "energy" },
        { Track10TeV with { Vertex = new Vector3D(double.NaN, 0, 0) }, "vertex" },
        { Track10TeV with { Time = double.NaN }, "time" },
        { Track10TeV with { Mjd = double.NegativeInfinity }, "mjd" },
        { Track10TeV with { RunId = -1 }, "run id" },
        { Track10TeV with { EventId = -1 }, "event id" },
        { Track10TeV with { EventType = "" }, "event type" },
        { Track10TeV with { Kind = (SimulationKind)5 }, "kind" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Bad_options_are_rejected_naming_the_field(SimulationOptions options, string field)
    {
        Assert.StartsWith(field, options.Validate(), StringComparison.Ordinal);
        var e = Assert.Throws<ArgumentException>(() => EventSimulator.Simulate(options));
        Assert.StartsWith(field, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(Math.PI)]
    public void Zenith_at_the_interval_ends_is_allowed(double zenith)
    {
        Assert.Null((Track10TeV with { Zenith = zenith }).Validate());
        Assert.True(EventSimulator.Simulate(Track10TeV with { Zenith = zenith }).Pulses.Count > 0);
    }

    // ---- Track geometry ---------------------------------------------------------------------------------------------

    [Fact]
    public void Clipping_an_axis_parallel_line_through_the_centre_gives_the_cube_faces()
    {
        Assert.True(EventSimulator.ClipToCube(Vector3D.Zero, new Vector3D(0, 0, -1), 600, out var a, out var b));
        Assert.Equal((-600.0, 600.0), (a, b));
        Assert.True(EventSimulator.ClipToCube(new Vector3D(100, 0, 0), new Vector3D(1, 0, 0), 600, out a, out b));
        Assert.Equal((-700.0, 500.0), (a, b));
        Assert.False(EventSimulator.ClipToCube(new Vector3D(0, 700, 0), new Vector3D(1, 0, 0), 600, out _, out _));
        Assert.False(EventSimulator.ClipToCube(new Vector3D(2000, 0, 0), new Vector3D(0, 0.6, 0.8), 600, out _, out _));
        // A line is infinite: pointing away from the cube still crosses it behind the vertex.
        Assert.True(EventSimulator.ClipToCube(new Vector3D(0, 0, 1000), new Vector3D(0, 0, 1), 600, out a, out b));
        Assert.Equal((-1600.0, -400.0), (a, b));
        // The cube diagonal: √3·1200 long.
        Assert.True(EventSimulator.ClipToCube(Vector3D.Zero, new Vector3D(1, 1, 1).Normalized(), 600, out a, out b));
        Assert.Equal(Math.Sqrt(3.0) * 1200.0, b - a, 1e-9);
    }

    [Fact]
    public void Track_losses_are_every_5_m_from_the_entry_point_inside_the_cube_with_mean_dEdx_times_5_m()
    {
        var d = EventSimulator.TravelDirection(0.0, 0.0); // straight down
        Assert.Equal(new Vector3D(-0.0, -0.0, -1.0), d);
        var sources = EventSimulator.TrackSources(new Vector3D(5, 5, 123), d, 1e4, new SimulationRandom(3));
        Assert.Equal(241, sources.Count); // 1200 m / 5 m + 1
        Assert.Equal(600.0, sources[0].Position.Z, 1e-12);
        Assert.Equal(-600.0, sources[^1].Position.Z, 1e-9);
        Assert.All(sources, s => Assert.Equal((5.0, 5.0), (s.Position.X, s.Position.Y)));

        var many = Enumerable.Range(0, 200)
            .SelectMany(i => EventSimulator.TrackSources(Vector3D.Zero, EventSimulator.TravelDirection(1.0, i), 1e4, new SimulationRandom((ulong)i)))
            .ToArray();
        Assert.All(many, s =>
        {
            Assert.InRange(Math.Abs(s.Position.X), 0, 600 + 1e-9);
            Assert.InRange(Math.Abs(s.Position.Y), 0, 600 + 1e-9);
            Assert.InRange(Math.Abs(s.Position.Z), 0, 600 + 1e-9);
            Assert.True(s.Energy >= 0);
        });
        var dedx5 = (0.26 + (3.6e-4 * 1e4)) * 5.0; // 19.3 GeV per 5 m
        Assert.Equal(dedx5, many.Average(s => s.Energy), dedx5 * 5.0 / Math.Sqrt(many.Length));
        Assert.Empty(EventSimulator.TrackSources(new Vector3D(0, 0, 1000), new Vector3D(1, 0, 0), 1e4, new SimulationRandom(1)));
    }

    [Fact]
    public void Expected_photons_follow_the_section_4_yield()
    {
        var dom = new Vector3D(0, 0, 0);
        var at = (double r) => EventSimulator.ExpectedPhotons(dom, 1.35, [new LightSource(new Vector3D(r, 0, 0), 100.0)]);
        // 100 GeV · 1.35 · 3/(r + 0.1) · exp(−(r + 0.1)/30).
        Assert.Equal(100.0 * 1.35 * 3.0 / 10.1 * Math.Exp(-10.1 / 30.0), at(10.0), 1e-12);
        Assert.Equal(100.0 * 1.35 * 3.0 / 300.1 * Math.Exp(-300.1 / 30.0), at(300.0), 1e-15);
        Assert.Equal(0.0, at(300.000001));
        Assert.Equal(2.0 * at(50.0), EventSimulator.ExpectedPhotons(dom, 1.35, [new LightSource(new Vector3D(0, 50, 0), 100.0), new LightSource(new Vector3D(0, 0, -50), 100.0)]), 1e-12);
    }

    [Fact]
    public void Track_timing_is_the_section_3_geometry()
    {
        // Track along −z through the origin at t0 = 0; DOM at ρ⊥ = 50 m, l = 0.
        var d = new Vector3D(0, 0, -1);
        var (tGeo, shape) = EventSimulator.TrackTiming(new Vector3D(50, 0, 0), Vector3D.Zero, 0.0, d);
        Assert.Equal(PhysicsConstants.Kt * 50.0 / PhysicsConstants.C, tGeo, 1e-9);
        // s_e = −50/tanθc, L = 50/sinθc, cosη = (0 − (0 + s_e·(−1)))/L = −cosθc = −1/n_p.
        var cosEta = -1.0 / PhysicsConstants.NPhase;
        var dEff = (0.8395 * 50.0) + 3.094 - (3.946 * cosEta) + (4.636 * cosEta * cosEta);
        Assert.Equal(dEff / PhysicsConstants.PandelLambda, shape, 1e-12);
        // A DOM on the track: ρ⊥ = 0, cosη = 0, d_eff = 3.094.
        var (tOn, shapeOn) = EventSimulator.TrackTiming(new Vector3D(0, 0, -30), Vector3D.Zero, 100.0, d);
        Assert.Equal(100.0 + (30.0 / PhysicsConstants.C), tOn, 1e-9);
        Assert.Equal(3.094 / PhysicsConstants.PandelLambda, shapeOn, 1e-12);

        var (tc, sc) = EventSimulator.CascadeTiming(new Vector3D(30, 40, 0), Vector3D.Zero, 5.0);
        Assert.Equal(5.0 + (50.0 * PhysicsConstants.NGroup / PhysicsConstants.C), tc, 1e-9);
        Assert.Equal(50.0 / PhysicsConstants.PandelLambda, sc, 1e-12);
        Assert.Equal(EventSimulator.MinimumShape, EventSimulator.CascadeTiming(Vector3D.Zero, Vector3D.Zero, 0).Shape);
    }

    // ---- Physical sanity --------------------------------------------------------------------------------------------

    [Fact]
    public void Higher_energy_gives_more_charge_and_more_hit_DOMs()
    {
        double Charge(double e, SimulationKind kind) => Enumerable.Range(0, 3)
            .Sum(i => EventSimulator.Simulate(Track10TeV with { Kind = kind, Energy = e, Seed = (ulong)(100 + i) }).Pulses.Charge.Sum());
        int HitDoms(double e) => EventSimulator.Simulate(Track10TeV with { Energy = e }).Pulses.SensorId.Distinct().Count();

        var track = new[] { 1e3, 1e4, 1e5 }.Select(e => Charge(e, SimulationKind.Track)).ToArray();
        Assert.True(track[0] < track[1] && track[1] < track[2], string.Join(", ", track));
        var cascade = new[] { 1e3, 1e4, 1e5 }.Select(e => Charge(e, SimulationKind.Cascade)).ToArray();
        Assert.True(cascade[0] < cascade[1] && cascade[1] < cascade[2], string.Join(", ", cascade));
        Assert.True(HitDoms(1e3) < HitDoms(1e5));

        // The expected photon count of a cascade is exactly linear in its energy.
        var mu1 = EventSimulator.Run(Cascade10TeV).ExpectedPhotons;
        var mu2 = EventSimulator.Run(Cascade10TeV with { Energy = 2e4 }).ExpectedPhotons;
        Assert.Equal(2.0 * mu1, mu2, 1e-9 * mu2);
    }

    [Fact]
    public void Physics_photon_count_is_Poisson_around_the_expectation()
    {
        var r = EventSimulator.Run(Track10TeV);
        Assert.True(Math.Abs(r.PhysicsPulseCount - r.ExpectedPhotons) < 5 * Math.Sqrt(r.ExpectedPhotons), $"{r.PhysicsPulseCount} vs μ = {r.ExpectedPhotons}");
    }

    [Fact]
    public void Hit_DOMs_lie_near_the_track()
    {
        var r = EventSimulator.Run(Track10TeV);
        var d = EventSimulator.TravelDirection(Track10TeV.Zenith, Track10TeV.Azimuth);
        var geometry = DetectorGeometry.IC86;
        var weighted = 0.0;
        var total = 0.0;
        for (var i = 0; i < r.Event.Pulses.Count; i++)
        {
            if (r.IsNoise[i])
            {
                continue;
            }

            var rho = PerpendicularDistance(geometry.Doms[r.Event.Pulses.SensorId[i]].Position, Track10TeV.Vertex, d);
            Assert.True(rho <= 300.0, $"physics pulse at ρ⊥ = {rho} m"); // no light beyond 300 m
            weighted += rho * r.Event.Pulses.Charge[i];
            total += r.Event.Pulses.Charge[i];
        }

        Assert.True(weighted / total < 80.0, $"charge-weighted mean ρ⊥ = {weighted / total} m");
    }

    [Fact]
    public void Photon_times_follow_t_geo_within_the_jitter()
    {
        var r = EventSimulator.Run(Track10TeV with { Energy = 1e5 });
        var o = Track10TeV;
        var d = EventSimulator.TravelDirection(o.Zenith, o.Azimuth);
        var geometry = DetectorGeometry.IC86;
        var firstResidual = new Dictionary<int, (double Residual, double Charge)>();
        for (var i = 0; i < r.Event.Pulses.Count; i++)
        {
            if (r.IsNoise[i])
            {
                continue;
            }

            var id = r.Event.Pulses.SensorId[i];
            var (tGeo, _) = EventSimulator.TrackTiming(geometry.Doms[id].Position, o.Vertex, o.Time, d);
            var residual = r.Event.Pulses.Time[i] - tGeo;
            // Delay ≥ 0 and jitter N(0, 3 ns): nothing earlier than 7σ.
            Assert.True(residual > -21.0, $"DOM {id}: residual {residual} ns");
            var (res, q) = firstResidual.GetValueOrDefault(id, (double.PositiveInfinity, 0.0));
            firstResidual[id] = (Math.Min(res, residual), q + r.Event.Pulses.Charge[i]);
        }

        // Bright DOMs see their first photon promptly: the median first residual of DOMs with ≥ 20 PE is small.
        var bright = firstResidual.Values.Where(v => v.Charge >= 20).Select(v => v.Residual).Order().ToArray();
        Assert.True(bright.Length >= 20, $"{bright.Length} bright DOMs");
        Assert.InRange(bright[bright.Length / 2], -10.0, 15.0);
    }

    [Fact]
    public void Cascade_photons_arrive_after_the_direct_light_time()
    {
        var r = EventSimulator.Run(Cascade10TeV);
        var geometry = DetectorGeometry.IC86;
        Assert.Single(r.Sources);
        for (var i = 0; i < r.Event.Pulses.Count; i++)
        {
            if (!r.IsNoise[i])
            {
                var pos = geometry.Doms[r.Event.Pulses.SensorId[i]].Position;
                var (tDirect, _) = EventSimulator.CascadeTiming(pos, Cascade10TeV.Vertex, Cascade10TeV.Time);
                Assert.True(r.Event.Pulses.Time[i] - tDirect > -21.0);
                Assert.True((pos - Cascade10TeV.Vertex).Length <= 300.0);
            }
        }
    }

    [Fact]
    public void Window_starts_1000_ns_before_the_earliest_physics_photon_and_holds_the_noise()
    {
        var r = EventSimulator.Run(Track10TeV);
        var physics = Enumerable.Range(0, r.Event.Pulses.Count).Where(i => !r.IsNoise[i]).Select(i => r.Event.Pulses.Time[i]);
        Assert.Equal(physics.Min() - EventSimulator.WindowLead, r.WindowStart);
        foreach (var i in Enumerable.Range(0, r.Event.Pulses.Count).Where(i => r.IsNoise[i]))
        {
            Assert.InRange(r.Event.Pulses.Time[i], r.WindowStart, r.WindowStart + EventSimulator.NoiseWindow);
        }
    }

    [Fact]
    public void Noise_rate_is_500_Hz_per_active_DOM_in_the_10_us_window()
    {
        // A cascade 2 km below the detector lights no DOM (no light beyond 300 m): every pulse is noise, and the
        // window starts at t0 − 1000 ns.
        var activeDoms = DetectorGeometry.IC86.Doms.Count(d => d.Active);
        var expectedPerEvent = activeDoms * EventSimulator.NoiseRate * EventSimulator.NoiseWindow; // 5083 · 0.005 = 25.4
        Assert.Equal(25.415, expectedPerEvent, 1e-9);
        const int events = 60;
        var total = 0;
        var times = new List<double>();
        for (var seed = 0; seed < events; seed++)
        {
            var options = Cascade10TeV with { Vertex = new Vector3D(0, 0, -2500), Seed = (ulong)seed };
            var r = EventSimulator.Run(options);
            Assert.Equal(0.0, r.ExpectedPhotons);
            Assert.All(r.IsNoise, Assert.True);
            Assert.Equal(options.Time - 1000.0, r.WindowStart);
            total += r.Event.Pulses.Count;
            times.AddRange(r.Event.Pulses.Time.Select(t => t - r.WindowStart));
        }

        var expected = events * expectedPerEvent;
        Assert.True(Math.Abs(total - expected) < 4 * Math.Sqrt(expected), $"{total} noise pulses, expected {expected}");
        Assert.All(times, t => Assert.InRange(t, 0.0, EventSimulator.NoiseWindow));
        // Uniform in the window: mean 5000 ns, sd 2887 ns.
        Assert.True(Math.Abs(times.Average() - 5000.0) < 4 * 2887.0 / Math.Sqrt(times.Count));
    }

    [Fact]
    public void Noise_pulses_are_rare_but_present_in_a_bright_event()
    {
        var r = EventSimulator.Run(Track10TeV);
        Assert.InRange(r.NoisePulseCount, 5, 60);
    }

    private static double PerpendicularDistance(Vector3D p, Vector3D r0, Vector3D d)
    {
        var delta = p - r0;
        var l = delta.Dot(d);
        return Math.Sqrt(Math.Max(delta.LengthSquared - (l * l), 0.0));
    }
}
