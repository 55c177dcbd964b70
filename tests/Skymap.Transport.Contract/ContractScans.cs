using Microsoft.Extensions.DependencyInjection;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;

namespace Skymap.Transport.Contract;

/// <summary>Startups, tasks and expectations for the contract reco <c>test_dummy</c> (<see cref="TestDummyReco"/>).</summary>
public static class TestScans
{
    public const ulong Seed = 42;

    public static RecoRegistry Registry { get; } = new ServiceCollection()
        .AddRecosFromAssemblies(typeof(TestDummyReco).Assembly)
        .BuildServiceProvider()
        .GetRequiredService<RecoRegistry>();

    public static string NewScanId() => "test-" + Guid.NewGuid().ToString("N")[..12];

    public static ScanStartup Startup(
        string? scanId = null, IReadOnlyDictionary<string, string>? settings = null, TimeSpan? taskTimeout = null, string? directory = null)
    {
        var reco = new TestDummyReco();
        var evt = BuiltinEvents.Get(BuiltinEvents.Names[0]);
        var ctx = new RecoContext { ScanSeed = Seed, Settings = settings ?? new Dictionary<string, string>() };
        return new ScanStartup
        {
            ScanId = scanId ?? NewScanId(),
            Reco = reco,
            RecoContext = ctx,
            Event = evt,
            Prepared = reco.Prepare(evt, ctx),
            Progression = NSideProgression.Parse("1:0 2:12"),
            Created = 1_700_000_000.25,
            StartupDirectory = directory,
            TaskTimeout = taskTimeout ?? TimeSpan.FromSeconds(60),
        };
    }

    public static PixelVariation Task(ScanStartup s, int nside, long pixel, int posvar, int attempt = 1) => new()
    {
        ScanId = s.ScanId,
        Id = new PixelVariationId(nside, pixel, posvar),
        RecoAlgo = s.RecoAlgo,
        Direction = new LocalDirection(0.1 + (pixel * 0.01), 0.2 + (posvar * 0.1)),
        Ra = pixel * 0.05,
        Dec = -0.3,
        Seed = new RecoSeed(s.Prepared.SeedVertex + s.Variations[posvar], s.Prepared.SeedTime, double.NaN),
        FallbackSeed = posvar == 1 ? new RecoSeed(s.Prepared.SeedVertex, s.Prepared.SeedTime, double.NaN) : null,
        Attempt = attempt,
        SentTime = 1_700_000_001.5,
    };

    /// <summary>Tasks for the first <paramref name="pixels"/> pixels of an nside, both variations each.</summary>
    public static List<PixelVariation> Tasks(ScanStartup s, int pixels, int nside = 2) =>
        Enumerable.Range(0, pixels).SelectMany(p => new[] { Task(s, nside, p, 0), Task(s, nside, p, 1) }).ToList();

    public static double ExpectedLlh(PixelVariationId id) => TestDummyReco.Llh(Seed, id.Nside, id.PixelId, id.PosvarId);

    public static Dictionary<string, string> Settings(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>Receives until every id in <paramref name="expected"/> has a reply, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<List<RecoPixelVariation>> CollectAsync(
        IPixelDispatcher dispatcher, IEnumerable<PixelVariationId> expected, TimeSpan timeout, Func<RecoPixelVariation, Task>? onReply = null)
    {
        var missing = expected.ToHashSet();
        var replies = new List<RecoPixelVariation>();
        var deadline = DateTime.UtcNow + timeout;
        while (missing.Count > 0)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"timed out with {missing.Count} of the expected replies missing, e.g. {string.Join(", ", missing.Take(5))}");
            var r = await dispatcher.ReceiveAsync(left, CancellationToken.None);
            if (r is null)
            {
                continue;
            }

            await dispatcher.AcknowledgeAsync(r, CancellationToken.None);
            replies.Add(r);
            missing.Remove(r.Id);
            if (onReply is not null)
            {
                await onReply(r);
            }
        }

        return replies;
    }

    /// <summary>
    /// Plays the engine's retry rule: FAILED/TIMEOUT replies are sent again with attempt + 1 until <paramref name="k"/>
    /// failures; returns the final reply per id (OK, the K-th failure, or DeadLettered).
    /// </summary>
    public static async Task<Dictionary<PixelVariationId, RecoPixelVariation>> RunWithRetriesAsync(
        IPixelDispatcher dispatcher, IReadOnlyList<PixelVariation> tasks, int k, TimeSpan timeout, Func<RecoPixelVariation, Task>? onReply = null)
    {
        var byId = tasks.ToDictionary(t => t.Id);
        var final = new Dictionary<PixelVariationId, RecoPixelVariation>();
        var failures = new Dictionary<PixelVariationId, int>();
        var deadline = DateTime.UtcNow + timeout;
        await dispatcher.SendAsync(tasks, CancellationToken.None);
        while (final.Count < tasks.Count)
        {
            var left = deadline - DateTime.UtcNow;
            Assert.True(left > TimeSpan.Zero, $"timed out with {tasks.Count - final.Count} tasks unfinished");
            var r = await dispatcher.ReceiveAsync(left, CancellationToken.None);
            if (r is null)
            {
                continue;
            }

            await dispatcher.AcknowledgeAsync(r, CancellationToken.None);
            if (final.ContainsKey(r.Id) || !byId.ContainsKey(r.Id))
            {
                continue;
            }

            if (onReply is not null)
            {
                await onReply(r);
            }

            if (r.Status is PixelVariationStatus.Ok or PixelVariationStatus.DeadLettered)
            {
                final[r.Id] = r;
                continue;
            }

            var n = failures[r.Id] = failures.GetValueOrDefault(r.Id) + 1;
            if (n >= k)
            {
                final[r.Id] = r;
            }
            else
            {
                await dispatcher.SendAsync([byId[r.Id] with { Attempt = n + 1 }], CancellationToken.None);
            }
        }

        return final;
    }
}
