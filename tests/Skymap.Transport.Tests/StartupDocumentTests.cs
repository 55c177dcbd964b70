using System.Text;
using Skymap.Transport.Contract;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.Startup;
using Skymap.Transport.Tests.Support;
using Skymap.Transport.Workers;

namespace Skymap.Transport.Tests;

public sealed class StartupDocumentTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-startup-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Serialize_is_deterministic_and_parse_restores_every_field()
    {
        var s = TestScans.Startup(settings: TestScans.Settings(("sleep_ms", "5"), ("fail", "1:2:0")), taskTimeout: TimeSpan.FromSeconds(12.5));
        var bytes = StartupDocument.Serialize(s);
        Assert.Equal(bytes, StartupDocument.Serialize(s));
        var doc = StartupDocument.Parse(bytes);

        Assert.Equal(StartupDocument.ComputeSha256(bytes), doc.Sha256);
        Assert.Equal(64, doc.Sha256.Length);
        Assert.Equal(s.ScanId, doc.ScanId);
        Assert.Equal("test_dummy", doc.RecoAlgo);
        Assert.Equal(TestScans.Seed, doc.RecoContext.ScanSeed);
        Assert.Equal(s.RecoContext.Settings.OrderBy(k => k.Key), doc.RecoContext.Settings.OrderBy(k => k.Key));
        Assert.Equal(s.Prepared.SeedVertex, doc.SeedVertex);
        Assert.Equal(s.Prepared.SeedTime, doc.SeedTime);
        Assert.Equal(s.Variations, doc.Variations);
        Assert.Equal(s.Flags, doc.Flags);
        Assert.Equal("1:0 2:12", doc.Nsides);
        Assert.Equal(TimeSpan.FromSeconds(12.5), doc.TaskTimeout);
        Assert.Equal(s.Created, doc.Created);
        Assert.Equal(Core.Events.SkymapEventSerializer.Serialize(s.Event), Core.Events.SkymapEventSerializer.Serialize(doc.Event));
    }

    [Fact]
    public void The_document_has_the_documented_layout()
    {
        var s = TestScans.Startup() with { Reco = new NamedReco("test_dummy") { Flags = RecoFlags.RotateVertex | RecoFlags.AddFallbackPosition } };
        using var json = System.Text.Json.JsonDocument.Parse(StartupDocument.Serialize(s));
        var root = json.RootElement;
        Assert.Equal(1, root.GetProperty("schema").GetInt32());
        Assert.Equal("skymap-event/1", root.GetProperty("event").GetProperty("format").GetString());
        Assert.Equal(3, root.GetProperty("prepared").GetProperty("seed_vertex").EnumerateObject().Count());
        Assert.True(root.GetProperty("prepared").TryGetProperty("seed_time", out _));
        Assert.Equal(3, root.GetProperty("variations")[1].GetArrayLength());
        Assert.True(root.GetProperty("flags").GetProperty("rotate_vertex").GetBoolean());
        Assert.False(root.GetProperty("flags").GetProperty("refine_time").GetBoolean());
        Assert.True(root.GetProperty("flags").GetProperty("add_fallback_position").GetBoolean());
        Assert.Equal(s.Created, root.GetProperty("created").GetDouble());
    }

    [Fact]
    public void An_unknown_schema_or_a_missing_field_is_named()
    {
        var text = Encoding.UTF8.GetString(StartupDocument.Serialize(TestScans.Startup()));
        var e = Assert.Throws<StartupDocumentException>(() => StartupDocument.Parse(Encoding.UTF8.GetBytes(text.Replace("\"schema\": 1", "\"schema\": 2", StringComparison.Ordinal))));
        Assert.Contains("schema 2 is not supported", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<StartupDocumentException>(() => StartupDocument.Parse(Encoding.UTF8.GetBytes(text.Replace("\"reco_algo\"", "\"reco\"", StringComparison.Ordinal))));
        Assert.Contains("'reco_algo'", e.Message, StringComparison.Ordinal);
        Assert.Throws<StartupDocumentException>(() => StartupDocument.Parse("{"u8.ToArray()));
    }

    [Fact]
    public async Task Workers_wait_for_the_file_to_appear_and_give_up_after_the_timeout()
    {
        var path = Path.Combine(_dir, "startup.json");
        var bytes = StartupDocument.Serialize(TestScans.Startup());
        var reading = StartupDocument.ReadFileAsync(path, TimeSpan.FromSeconds(30), CancellationToken.None);
        await Task.Delay(600);
        Assert.False(reading.IsCompleted);
        StartupDocument.WriteFile(path, bytes);
        Assert.Equal(StartupDocument.ComputeSha256(bytes), (await reading).Sha256);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => StartupDocument.ReadFileAsync(Path.Combine(_dir, "never.json"), TimeSpan.FromMilliseconds(300), CancellationToken.None));
        Assert.Contains("did not appear within", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_scan_refuses_tasks_of_other_scans_recos_and_documents()
    {
        var s = TestScans.Startup();
        var doc = StartupDocument.Parse(StartupDocument.Serialize(s));
        var scan = doc.CreateHost(TestScans.Registry);
        var reco = scan.CreateWorker();
        var good = TestScans.Task(s, 1, 2, 0) with { StartupSha256 = doc.Sha256 };

        Assert.Equal(PixelVariationStatus.Ok, scan.Run(reco, good, "w", CancellationToken.None).Status);
        Assert.Equal(TestDummyReco.Llh(TestScans.Seed, 1, 2, 0), scan.Run(reco, good, "w", CancellationToken.None).Fit.Llh);
        var bad = scan.Run(reco, good with { StartupSha256 = "ff" }, "w", CancellationToken.None);
        Assert.Equal(PixelVariationStatus.Failed, bad.Status);
        Assert.Equal($"startup_sha256 mismatch: task expects ff, this worker holds {doc.Sha256}", bad.Error);
        Assert.Contains("scan 'other'", scan.Run(reco, good with { ScanId = "other" }, "w", CancellationToken.None).Error, StringComparison.Ordinal);
        Assert.Contains("reco 'dummy'", scan.Run(reco, good with { RecoAlgo = "dummy" }, "w", CancellationToken.None).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_reco_fails_worker_setup_naming_it()
    {
        var doc = StartupDocument.Parse(StartupDocument.Serialize(TestScans.Startup() with { Reco = new NamedReco("no_such_reco") }));
        var e = Assert.Throws<UnknownRecoException>(() => doc.CreateHost(TestScans.Registry));
        Assert.Contains("no_such_reco", e.Message, StringComparison.Ordinal);
    }
}
