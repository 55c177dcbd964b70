using Skymap.Core.Pixels;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Recos;

namespace Skymap.Recos.Tests.Physics;

public class PandelRecoTests
{
    private static readonly LocalDirection TrueDir = new(1.1, 2.3);
    private static readonly Lazy<SkymapEvent> Event = new(() => SyntheticEvents.Track(17, TrueDir.Zenith, TrueDir.Azimuth, new Vector3D(40, -30, 20), 1e5));

    private static RecoContext Context(params (string Key, string Value)[] settings) =>
        new() { Settings = settings.ToDictionary(s => s.Key, s => s.Value) };

    /// <summary>A direction <paramref name="deg"/> degrees from <paramref name="dir"/>, rotated by <paramref name="around"/> about it.</summary>
    internal static LocalDirection Offset(LocalDirection dir, double deg, double around)
    {
        var from = -dir.Travel;
        var helper = Math.Abs(from.Z) < 0.9 ? new Vector3D(0, 0, 1) : new Vector3D(1, 0, 0);
        var e1 = helper.Cross(from).Normalized();
        var e2 = from.Cross(e1);
        var a = deg * Math.PI / 180;
        var v = (Math.Cos(a) * from) + (Math.Sin(a) * ((Math.Cos(around) * e1) + (Math.Sin(around) * e2)));
        return new LocalDirection(Math.Acos(Math.Clamp(v.Z, -1, 1)), Math.Atan2(v.Y, v.X));
    }

    [Fact]
    public void Synthetic_event_is_a_realistic_bright_track()
    {
        var prepared = new PandelMpeReco().Prepare(Event.Value, new RecoContext());
        Assert.InRange(prepared.HitDoms.Count, 150, 3000);
        Assert.True(Offset(TrueDir, 5, 1).Travel.AngleTo(TrueDir.Travel) * 180 / Math.PI is > 4.999 and < 5.001);
    }

    [Theory]
    [InlineData("pandel_mpe")]
    [InlineData("pandel_spe")]
    public void Fit_prefers_the_true_direction_over_5_and_20_degrees_away(string name)
    {
        IRecoAlgorithm reco = name == "pandel_mpe" ? new PandelMpeReco() : new PandelSpeReco();
        var prepared = reco.Prepare(Event.Value, new RecoContext());
        var worker = reco.CreateWorker(prepared, new RecoContext());
        var atTruth = SyntheticEvents.FitPixel(reco, worker, prepared, TrueDir).Llh;
        foreach (var deg in new[] { 5.0, 20.0 })
        {
            foreach (var around in new[] { 0.0, Math.PI / 2, Math.PI, 1.5 * Math.PI })
            {
                var other = SyntheticEvents.FitPixel(reco, worker, prepared, Offset(TrueDir, deg, around)).Llh;
                Assert.True(atTruth < other, $"{name}: llh(truth) = {atTruth}, llh({deg}°, {around:0.00}) = {other}");
            }
        }
    }

    [Theory]
    [InlineData("pandel_mpe", "simd")]
    [InlineData("pandel_mpe", "scalar")]
    [InlineData("pandel_spe", "auto")]
    public void Reported_vertex_and_time_reproduce_the_reported_llh(string name, string kernel)
    {
        IRecoAlgorithm reco = name == "pandel_mpe" ? new PandelMpeReco() : new PandelSpeReco();
        var ctx = Context(("kernel", kernel));
        var prepared = reco.Prepare(Event.Value, ctx);
        var worker = reco.CreateWorker(prepared, ctx);
        var dir = Offset(TrueDir, 2, 1);
        var r = SyntheticEvents.FitPixel(reco, worker, prepared, dir);
        Assert.True(double.IsNaN(r.Energy) && double.IsNaN(r.RecoLossesInside) && double.IsNaN(r.RecoLossesTotal));
        var again = PhysicsLlh.Evaluate(prepared, name, dir, r.Position, r.Time, LikelihoodKernels.Parse(kernel));
        Assert.True(Math.Abs(again - r.Llh) <= 1e-9 * Math.Abs(r.Llh), $"fit {r.Llh:R}, re-evaluated {again:R}");

        // The reported vertex is the point of the track closest to the charge-weighted centre of gravity.
        var cog = EventPreparation.ChargeWeightedCentre(prepared.HitDoms).Position;
        Assert.True(Math.Abs((cog - r.Position).Dot(dir.Travel)) < 1e-6);
    }

    [Fact]
    public void Fallback_seed_is_fitted_and_the_better_fit_kept()
    {
        var reco = new PandelMpeReco();
        var prepared = reco.Prepare(Event.Value, new RecoContext());
        var worker = reco.CreateWorker(prepared, new RecoContext());
        var d = TrueDir.Travel;
        var good = new RecoSeed(prepared.SeedVertex, SyntheticEvents.RefineTime(prepared, prepared.SeedVertex, prepared.SeedTime, d), double.NaN);
        var far = prepared.SeedVertex + new Vector3D(900, -700, 0);
        var bad = new RecoSeed(far, 0, double.NaN);
        PixelVariation Req(RecoSeed main, RecoSeed? fallback) =>
            new() { Id = new(8, 1, 0), Direction = TrueDir, Seed = main, FallbackSeed = fallback };
        var fromGood = worker.Fit(Req(good, null), CancellationToken.None);
        var fromBad = worker.Fit(Req(bad, null), CancellationToken.None);
        var both = worker.Fit(Req(bad, good), CancellationToken.None);
        Assert.True(fromGood.Llh < fromBad.Llh);
        Assert.Equal(fromGood, both);
    }

    [Fact]
    public void Fits_are_deterministic_and_honour_cancellation()
    {
        var reco = new PandelMpeReco();
        var prepared = reco.Prepare(Event.Value, new RecoContext());
        var req = new PixelVariation
        {
            Id = new(8, 1, 0), Direction = TrueDir,
            Seed = new RecoSeed(prepared.SeedVertex, prepared.SeedTime, double.NaN),
        };
        var a = reco.CreateWorker(prepared, new RecoContext()).Fit(req, CancellationToken.None);
        var b = reco.CreateWorker(prepared, new RecoContext()).Fit(req, CancellationToken.None);
        Assert.Equal(a, b);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => reco.CreateWorker(prepared, new RecoContext()).Fit(req, cts.Token));
    }

    public static TheoryData<string> AllRecos() => ["pandel_spe", "pandel_mpe", "millipede"];

    private static IRecoAlgorithm Create(string name) => name switch
    {
        "pandel_spe" => new PandelSpeReco(),
        "pandel_mpe" => new PandelMpeReco(),
        _ => new MillipedeReco(),
    };

    [Theory]
    [MemberData(nameof(AllRecos))]
    public void Settings_are_validated_naming_the_key(string name)
    {
        var reco = Create(name);
        reco.ValidateSettings(Context(("time_window", "6000"), ("kernel", "scalar")));
        reco.ValidateSettings(new RecoContext());
        var e = Assert.Throws<ArgumentException>(() => reco.ValidateSettings(Context(("tiem_window", "6000"))));
        Assert.Contains("tiem_window", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => reco.ValidateSettings(Context(("time_window", "-1"))));
        Assert.Contains("time_window", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => reco.ValidateSettings(Context(("kernel", "cuda"))));
        Assert.Contains("kernel", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(AllRecos))]
    public void Recos_are_discoverable_with_their_variations_and_flags(string name)
    {
        var found = RecoServiceCollectionExtensions.Discover(typeof(PandelMpeReco).Assembly);
        Assert.Contains(found, f => f.Name == name);
        var reco = Create(name);
        Assert.Equal(name, reco.Name);
        Assert.Equal(7, reco.VertexVariations.Count);
        if (name == "millipede")
        {
            Assert.Equal(RecoFlags.None, reco.Flags);
            Assert.Equal(VertexVariationSets.Octahedron(20), reco.VertexVariations);
        }
        else
        {
            Assert.Equal(RecoFlags.RotateVertex | RecoFlags.RefineTime, reco.Flags);
            Assert.Same(VertexVariationSets.Cylinder, reco.VertexVariations);
        }
    }

    [Fact]
    public void Time_window_setting_cleans_the_event()
    {
        var reco = new PandelMpeReco();
        var all = reco.Prepare(Event.Value, new RecoContext());
        var windowed = reco.Prepare(Event.Value, Context(("time_window", "3000")));
        Assert.True(windowed.HitDoms.Count < all.HitDoms.Count);
    }

    [Fact]
    public void Physics_llh_rejects_unknown_recos()
    {
        var prepared = new PandelMpeReco().Prepare(Event.Value, new RecoContext());
        Assert.Throws<ArgumentException>(() => PhysicsLlh.Evaluate(prepared, "splinempe", TrueDir, default, 0, KernelKind.Auto));
    }
}

public class PandelWorkerConcurrencyTests
{
    [Fact]
    public async Task Workers_of_one_prepared_event_fit_concurrently_with_sequential_results()
    {
        var dir = new LocalDirection(0.8, 4.0);
        var evt = SyntheticEvents.Track(5, dir.Zenith, dir.Azimuth, new Vector3D(0, 0, 0), 3e4);
        var reco = new PandelMpeReco();
        var prepared = reco.Prepare(evt, new RecoContext());
        var requests = Enumerable.Range(0, 4).Select(i => new PixelVariation
        {
            Id = new(8, i, 0), Direction = new LocalDirection(0.8 + (0.05 * i), 4.0),
            Seed = new RecoSeed(prepared.SeedVertex, prepared.SeedTime, double.NaN),
        }).ToArray();
        var sequential = requests.Select(r => reco.CreateWorker(prepared, new RecoContext()).Fit(r, CancellationToken.None)).ToArray();
        var workers = Enumerable.Range(0, 2).Select(_ => reco.CreateWorker(prepared, new RecoContext())).ToArray();
        var parallel = await Task.WhenAll(workers.Select(w => Task.Run(() => requests.Select(r => w.Fit(r, CancellationToken.None)).ToArray())));
        foreach (var results in parallel)
        {
            Assert.Equal(sequential, results);
        }
    }
}
