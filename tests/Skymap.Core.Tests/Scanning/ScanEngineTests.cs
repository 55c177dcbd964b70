using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Refinement;
using Skymap.Core.Results;
using Skymap.Core.Scanning;
using Skymap.Recos;
using HealpixGrid = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Scanning;

public class ScanEngineTests
{
    [Theory]
    [InlineData("1:0", 1.0)]
    [InlineData("1:0 2:12", 1.0)]
    [InlineData("1:0 2:12 4:12", 1.0)]
    [InlineData("1:0", 0.65)]
    [InlineData("1:0 2:12", 0.65)]
    [InlineData("1:0 2:12 4:12", 0.65)]
    [InlineData("1:0 2:12 4:12", 0.1)]
    public async Task Every_nside_of_the_progression_is_present(string nsides, double pst)
    {
        var (outcome, _) = await ScanTestSupport.RunAsync(new DummyReco(), nsides, pst: pst);
        Assert.Equal(ScanStatus.Completed, outcome.Status);
        var progression = NSideProgression.Parse(nsides);
        Assert.Equal(progression.Nsides, outcome.Result.Pixels.Keys.ToArray());
        Assert.Equal(12, outcome.Result.Pixels[1].Count);
        Assert.True(outcome.Result.Complete);
        Assert.Equal(outcome.Tallies.Generated, outcome.Tallies.Done);
    }

    [Fact]
    public async Task Default_progression_refines_whole_children_groups_around_the_minimum()
    {
        var (outcome, _) = await ScanTestSupport.RunAsync(new DummyReco(), "8:0 64:12 512:24", seed: 1, workers: 2);
        var px = outcome.Result.Pixels;
        Assert.Equal(768, px[8].Count);
        foreach (var (coarse, fine, ext) in new[] { (8, 64, 12), (64, 512, 24) })
        {
            var parents = px[fine].Select(p => HealpixGrid.Parent(fine, p.PixelId, coarse)).ToHashSet();
            Assert.Equal(64 * parents.Count, px[fine].Count);
            // Every child of every refined parent is present.
            foreach (var parent in parents)
            {
                Assert.All(HealpixGrid.Children(coarse, parent, fine), c => Assert.Contains(c, px[fine].Select(p => p.PixelId)));
            }

            // The disc around the final minimum is fully refined.
            var best = outcome.Result.ToSkyScanResult().BestFit()!.Value;
            var centre = HealpixGrid.Pix2Vec(best.Nside, best.Index);
            var disc = HealpixGrid.QueryDisc(coarse, centre, PixelSelector.DiscRadius(coarse, ext));
            Assert.NotEmpty(disc);
            Assert.Subset(parents, disc.ToHashSet());
        }
    }

    [Fact]
    public async Task Same_seed_gives_identical_results_and_another_seed_does_not()
    {
        var a = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", seed: 7)).Outcome.Result.ToSkyScanResult();
        var b = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", seed: 7, workers: 3)).Outcome.Result.ToSkyScanResult();
        var c = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", seed: 8)).Outcome.Result.ToSkyScanResult();
        Assert.Equal(SkyScanResultJson.Serialize(a), SkyScanResultJson.Serialize(b));
        Assert.Equal(SkyScanResultNpz.ToBytes(a), SkyScanResultNpz.ToBytes(b));
        Assert.NotEqual(SkyScanResultJson.Serialize(a), SkyScanResultJson.Serialize(c));
    }

    [Fact]
    public async Task Crash_dummy_scan_terminates_with_failed_pixels_and_counted_retries()
    {
        var settings = new Dictionary<string, string> { ["crash_probability"] = "0.75" };
        var (outcome, observer) = await ScanTestSupport.RunAsync(new CrashDummyReco(), "1:0 2:12 4:12", settings: settings);
        Assert.Equal(ScanStatus.Completed, outcome.Status);
        Assert.True(outcome.Tallies.Failed > 0);
        Assert.True(outcome.Tallies.Retried > 0);
        var nanPixels = outcome.Result.Pixels.Values.SelectMany(p => p).Count(p => double.IsNaN(p.Llh));
        Assert.Equal(outcome.Tallies.Failed, nanPixels);
        var manifest = observer.Progress[^1].Manifest;
        Assert.Equal(outcome.Tallies.Failed, (long)manifest["progress"]!["tallies"]!["overall"]!["recos"]!["failed"]!);
        Assert.Equal("The Skymap Scanner has finished.", (string)manifest["progress"]!["summary"]!);
    }

    [Fact]
    public async Task Crash_dummy_at_probability_zero_equals_dummy()
    {
        var settings = new Dictionary<string, string> { ["crash_probability"] = "0" };
        var a = (await ScanTestSupport.RunAsync(new CrashDummyReco(), "1:0 2:12", settings: settings)).Outcome;
        var b = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12")).Outcome;
        Assert.True(a.Result.ToSkyScanResult().ResultEquals(b.Result.ToSkyScanResult()));
        Assert.Equal(0, a.Tallies.Failed);
    }

    [Fact]
    public async Task Duplicate_replies_are_dropped_and_do_not_change_the_result()
    {
        var plain = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12")).Outcome;
        var dup = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", wrap: d => new WrappingDispatcher(d) { DuplicateReplies = true })).Outcome;
        Assert.True(plain.Result.ToSkyScanResult().ResultEquals(dup.Result.ToSkyScanResult()));
        // Every reply came twice; the very last duplicate may still be in flight when the scan ends.
        Assert.InRange(dup.Tallies.Duplicates, dup.Tallies.Done - 1, dup.Tallies.Done);
    }

    [Fact]
    public async Task Silence_timeout_fails_the_scan()
    {
        var (outcome, observer) = await ScanTestSupport.RunAsync(
            new DummyReco(), "1:0 2:12", wrap: d => new WrappingDispatcher(d) { Swallow = true }, silence: TimeSpan.FromMilliseconds(200));
        Assert.Equal(ScanStatus.Failed, outcome.Status);
        Assert.Contains("server silence timeout", outcome.Error, StringComparison.Ordinal);
        Assert.Empty(observer.Results);
    }

    [Fact]
    public async Task Resume_from_a_checkpoint_recomputes_nothing_and_gives_the_same_result()
    {
        var checkpoint = new MemoryCheckpoint();
        var first = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", checkpoint: checkpoint)).Outcome;
        WrappingDispatcher? counter = null;
        var second = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", checkpoint: checkpoint,
            wrap: d => counter = new WrappingDispatcher(d))).Outcome;
        Assert.Equal(0, counter!.TasksSent);
        Assert.True(first.Result.ToSkyScanResult().ResultEquals(second.Result.ToSkyScanResult()));
    }

    [Fact]
    public async Task Partial_checkpoint_resumes_only_the_missing_variations()
    {
        var checkpoint = new MemoryCheckpoint();
        var full = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", checkpoint: checkpoint)).Outcome;
        var keep = checkpoint.Stored.Count / 2;
        checkpoint.Stored.RemoveRange(keep, checkpoint.Stored.Count - keep);
        WrappingDispatcher? counter = null;
        var resumed = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", checkpoint: checkpoint,
            wrap: d => counter = new WrappingDispatcher(d))).Outcome;
        Assert.Equal(full.Tallies.Done - keep, counter!.TasksSent);
        Assert.True(full.Result.ToSkyScanResult().ResultEquals(resumed.Result.ToSkyScanResult()));
    }

    [Fact]
    public async Task Cancellation_reports_the_partial_result_and_throws()
    {
        using var cts = new CancellationTokenSource();
        var settings = new Dictionary<string, string> { ["sleep"] = "0.01" };
        var task = ScanTestSupport.RunAsync(new DummyReco(), "8:0 64:12", settings: settings, ct: cts.Token);
        await Task.Delay(500);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => task);
    }

    [Fact]
    public async Task Manifest_has_the_upstream_structure()
    {
        var (_, observer) = await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12");
        var m = observer.Progress[^1].Manifest;
        Assert.Equal(new[] { "progress", "event_metadata", "scan_metadata" }, m.Select(kv => kv.Key).ToArray());
        var p = m["progress"]!.AsObject();
        Assert.Equal(
            new[] { "summary", "epilogue", "tallies", "processing_stats", "predictive_scanning_threshold", "last_updated", "start", "end" },
            p.Select(kv => kv.Key).ToArray());
        Assert.NotNull(p["end"]);
        Assert.Equal(12, (long)p["tallies"]!["nsides"]!["1"]!["recos"]!["done"]!);
        Assert.Equal(12.0, (double)p["tallies"]!["nsides"]!["1"]!["pixels"]!["generated"]!);
        Assert.Equal(1, (int)m["scan_metadata"]!["position_variations"]!);
        Assert.Equal(12, (int)m["scan_metadata"]!["nside_progression"]!["2"]!);
        Assert.Equal("0:00:00", ScanManifestBuilder.Duration(TimeSpan.FromSeconds(0.4)));
        Assert.Equal("1 day, 2:03:04", ScanManifestBuilder.Duration(new TimeSpan(1, 2, 3, 4)));
    }

    [Fact]
    public async Task A_cache_directory_resumes_with_the_same_seed_scan_id_and_result()
    {
        var cache = Directory.CreateTempSubdirectory("skymap-resume-").FullName;
        try
        {
            var first = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", seed: null, cacheDirectory: cache)).Outcome;
            WrappingDispatcher? counter = null;
            var second = (await ScanTestSupport.RunAsync(new DummyReco(), "1:0 2:12 4:12", seed: null, cacheDirectory: cache,
                wrap: d => counter = new WrappingDispatcher(d))).Outcome;
            Assert.Equal(first.Seed, second.Seed);
            Assert.Equal(first.ScanId, second.ScanId);
            Assert.Equal(0, counter!.TasksSent);
            Assert.True(first.Result.ToSkyScanResult().ResultEquals(second.Result.ToSkyScanResult()));
            Assert.True(File.Exists(Path.Combine(cache, "scan-state.json")));
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public async Task A_broken_scan_state_file_is_named_in_the_error()
    {
        var cache = Directory.CreateTempSubdirectory("skymap-resume-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(cache, "scan-state.json"), "{ not json");
            var e = await Assert.ThrowsAsync<InvalidDataException>(() => ScanTestSupport.RunAsync(new DummyReco(), "1:0", seed: null, cacheDirectory: cache));
            Assert.Contains("scan-state.json", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(cache, recursive: true);
        }
    }

    [Fact]
    public async Task The_reco_supplies_the_seeding_rule()
    {
        RecordingDispatcher? recorder = null;
        var reco = new ShiftedSeedingReco();
        var (outcome, _) = await ScanTestSupport.RunAsync(reco, "1:0 2:12", wrap: d => recorder = new RecordingDispatcher(d));
        Assert.Equal(ScanStatus.Completed, outcome.Status);
        var prepared = reco.Prepare(ScanTestSupport.Event, new RecoContext());
        Assert.NotEmpty(recorder!.Sent);
        Assert.All(recorder.Sent.Where(v => v.Nside == 1), v =>
            Assert.Equal(prepared.SeedVertex + new Vector3D(0, 0, ShiftedSeedingReco.Shift), v.Seed.Position));
        Assert.All(recorder.Sent, v => Assert.Equal(-1.0, v.Seed.Energy));
    }

    [Fact]
    public void The_default_seeding_rule_is_the_flag_rule()
    {
        var dir = new LocalDirection(1.1, 4.2);
        var prepared = new DummyReco().Prepare(ScanTestSupport.Event, new RecoContext());
        var inherited = new RecoSeed(new Vector3D(5, 6, 7), 100, 3);
        var offset = new Vector3D(10, 0, 0);
        IRecoAlgorithm reco = new DummyReco();
        Assert.Equal(
            SeedingStrategy.FromFlags(reco.Flags).SeedVariation(prepared, inherited, offset, dir),
            reco.Seeding.SeedVariation(prepared, inherited, offset, dir));
        var rotated = SeedingStrategy.FromFlags(RecoFlags.RotateVertex | RecoFlags.AddFallbackPosition).SeedVariation(prepared, inherited, offset, dir);
        Assert.Equal(inherited.Position + SeedingStrategy.RotateIntoTrackFrame(offset, dir), rotated.Main.Position);
        Assert.Equal(prepared.SeedVertex + SeedingStrategy.RotateIntoTrackFrame(offset, dir), rotated.Fallback!.Value.Position);
    }

    /// <summary>The dummy reco with its own seeding rule: every seed shifted up by <see cref="Shift"/> m, energy −1.</summary>
    private sealed class ShiftedSeedingReco : IRecoAlgorithm, ISeedingStrategy
    {
        public const double Shift = 12.5;
        private readonly DummyReco _inner = new();

        public string Name => _inner.Name;

        public IReadOnlyList<Vector3D> VertexVariations => _inner.VertexVariations;

        public RecoFlags Flags => _inner.Flags;

        public ISeedingStrategy Seeding => this;

        public void ValidateSettings(RecoContext context) => _inner.ValidateSettings(context);

        public PreparedEvent Prepare(SkymapEvent evt, RecoContext context) => _inner.Prepare(evt, context);

        public IRecoWorker CreateWorker(PreparedEvent prepared, RecoContext context) => _inner.CreateWorker(prepared, context);

        public (RecoSeed Main, RecoSeed? Fallback) SeedVariation(PreparedEvent prepared, RecoSeed inherited, Vector3D offset, LocalDirection direction) =>
            (new RecoSeed(inherited.Position + offset + new Vector3D(0, 0, Shift), inherited.Time, -1.0), null);
    }
}
