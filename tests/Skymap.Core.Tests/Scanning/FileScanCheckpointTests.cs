using System.Text;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Recos;

namespace Skymap.Core.Tests.Scanning;

public sealed class FileScanCheckpointTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static RecoPixelVariation V(int nside, long pixel, int posvar, double llh) => new()
    {
        ScanId = "s",
        Id = new PixelVariationId(nside, pixel, posvar),
        Status = PixelVariationStatus.Ok,
        Fit = new RecoFitResult(llh, double.NaN, 1e300, new Vector3D(-0.0, 1.5, -2.25), 9876.54321, double.PositiveInfinity),
    };

    private static RecoPixelVariation Failed(int nside, long pixel, int posvar) =>
        RecoPixelVariation.Failure(
            new PixelVariation { Id = new(nside, pixel, posvar), Direction = default, Seed = default }, PixelVariationStatus.Failed, "x", 0, "w");

    private static ScanStartup Startup()
    {
        var reco = new DummyReco();
        var evt = BuiltinEvents.Get(BuiltinEvents.Names[0]);
        var ctx = new RecoContext { ScanSeed = 42 };
        return new ScanStartup
        {
            ScanId = "s",
            Reco = reco,
            RecoContext = ctx,
            Event = evt,
            Prepared = reco.Prepare(evt, ctx),
            Progression = NSideProgression.Parse("1:0 2:12"),
        };
    }

    [Fact]
    public async Task Appended_variations_load_back_exactly_in_a_new_instance()
    {
        var id = FileScanCheckpoint.ComputeScanIdentity(Startup());
        var written = new[] { V(1, 0, 0, 0.1), V(1, 0, 1, 1.0 / 3), Failed(2, 47, 1) };
        using (var c = new FileScanCheckpoint(_dir, id))
        {
            Assert.Empty(await c.LoadAsync(CancellationToken.None));
            foreach (var v in written)
            {
                await c.AppendAsync(v, CancellationToken.None);
            }
        }

        using var again = new FileScanCheckpoint(_dir, id);
        var loaded = await again.LoadAsync(CancellationToken.None);
        Assert.Equal(written.Length, loaded.Count);
        for (var i = 0; i < written.Length; i++)
        {
            Assert.Equal(written[i].Id, loaded[i].Id);
            Assert.Equal(Bits(written[i]), Bits(loaded[i]));
        }
    }

    [Fact]
    public async Task A_torn_last_line_is_ignored_and_cut_before_the_next_append()
    {
        var id = "torn";
        using (var c = new FileScanCheckpoint(_dir, id))
        {
            await c.AppendAsync(V(1, 3, 0, 0.5), CancellationToken.None);
        }

        var path = Path.Combine(_dir, "torn.checkpoint.jsonl");
        await File.AppendAllTextAsync(path, "{\"nside\":1,\"pixel\":4,\"pos");
        using (var c = new FileScanCheckpoint(_dir, id))
        {
            var loaded = await c.LoadAsync(CancellationToken.None);
            Assert.Equal(new PixelVariationId(1, 3, 0), Assert.Single(loaded).Id);
            await c.AppendAsync(V(1, 4, 0, 0.25), CancellationToken.None);
        }

        var lines = (await File.ReadAllTextAsync(path)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        using var last = new FileScanCheckpoint(_dir, id);
        Assert.Equal(2, (await last.LoadAsync(CancellationToken.None)).Count);
    }

    [Fact]
    public async Task A_file_of_another_scan_identity_is_refused()
    {
        using (var c = new FileScanCheckpoint(_dir, "aaa"))
        {
            await c.AppendAsync(V(1, 3, 0, 0.5), CancellationToken.None);
        }

        File.Move(Path.Combine(_dir, "aaa.checkpoint.jsonl"), Path.Combine(_dir, "bbb.checkpoint.jsonl"));
        using var other = new FileScanCheckpoint(_dir, "bbb");
        var e = await Assert.ThrowsAsync<InvalidDataException>(() => other.LoadAsync(CancellationToken.None));
        Assert.Contains("scan identity bbb", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_scan_identity_depends_on_event_reco_settings_nsides_and_seed()
    {
        var s = Startup();
        var id = FileScanCheckpoint.ComputeScanIdentity(s);
        Assert.Equal(id, FileScanCheckpoint.ComputeScanIdentity(s with { ScanId = "another", Created = 5, TaskTimeout = TimeSpan.FromSeconds(1) }));
        Assert.NotEqual(id, FileScanCheckpoint.ComputeScanIdentity(s with { RecoContext = s.RecoContext with { ScanSeed = 43 } }));
        Assert.NotEqual(id, FileScanCheckpoint.ComputeScanIdentity(s with { Reco = new CrashDummyReco() }));
        Assert.NotEqual(id, FileScanCheckpoint.ComputeScanIdentity(s with { Progression = NSideProgression.Parse("1:0 2:12 4:12") }));
        Assert.NotEqual(id, FileScanCheckpoint.ComputeScanIdentity(s with { RecoContext = s.RecoContext with { Settings = new Dictionary<string, string> { ["sleep"] = "1" } } }));
        Assert.NotEqual(id, FileScanCheckpoint.ComputeScanIdentity(s with { Event = s.Event with { Header = s.Event.Header with { EventId = 99 } } }));
        Assert.Matches("^[0-9a-f]{64}$", id);
    }

    [Fact]
    public void Lines_are_one_json_object_per_variation()
    {
        var line = Encoding.UTF8.GetString(FileScanCheckpoint.FormatLine(V(8, 767, 6, 1234.5)));
        Assert.Equal("{\"nside\":8,\"pixel\":767,\"posvar\":6,\"llh\":1234.5,\"e_in\":\"NaN\",\"e_tot\":1E+300,\"x\":-0,\"y\":1.5,\"z\":-2.25,\"t\":9876.54321,\"energy\":\"Infinity\"}\n", line);
    }

    private static long[] Bits(RecoPixelVariation v) =>
        new[] { v.Fit.Llh, v.Fit.RecoLossesInside, v.Fit.RecoLossesTotal, v.Fit.Position.X, v.Fit.Position.Y, v.Fit.Position.Z, v.Fit.Time, v.Fit.Energy }
            .Select(BitConverter.DoubleToInt64Bits).ToArray();
}
