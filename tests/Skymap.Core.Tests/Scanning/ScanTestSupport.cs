using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Recos;
using Skymap.Transport.InProcess;

namespace Skymap.Core.Tests.Scanning;

/// <summary>Helpers to run real scans in tests.</summary>
internal static class ScanTestSupport
{
    public static SkymapEvent Event => BuiltinEvents.Get("oscnext-genie-0");

    public static async Task<(ScanOutcome Outcome, RecordingObserver Observer)> RunAsync(
        IRecoAlgorithm reco, string nsides, ulong? seed = 1, double pst = 1.0, IReadOnlyDictionary<string, string>? settings = null,
        Func<IPixelDispatcher, IPixelDispatcher>? wrap = null, IScanCheckpoint? checkpoint = null, TimeSpan? silence = null,
        int workers = 2, CancellationToken ct = default, string? cacheDirectory = null)
    {
        var observer = new RecordingObserver();
        IPixelDispatcher dispatcher = new InProcessDispatcher(workers);
        if (wrap is not null)
        {
            dispatcher = wrap(dispatcher);
        }

        await using (dispatcher)
        {
            var options = new ScanOptions
            {
                Progression = NSideProgression.Parse(nsides),
                Seed = seed,
                PredictiveScanningThreshold = pst,
                RecoSettings = settings ?? new Dictionary<string, string>(),
                ServerSilenceTimeout = silence ?? TimeSpan.FromSeconds(60),
                CacheDirectory = cacheDirectory,
            };
            var engine = new ScanEngine(reco, dispatcher, options, [observer], checkpoint);
            var outcome = await engine.RunAsync(Event, ct);
            return (outcome, observer);
        }
    }
}

internal sealed class RecordingObserver : IScanObserver
{
    public List<ScanProgressReport> Progress { get; } = new();

    public List<ScanResultSnapshot> Results { get; } = new();

    public Task OnProgressAsync(ScanProgressReport report, CancellationToken cancellationToken)
    {
        Progress.Add(report);
        return Task.CompletedTask;
    }

    public Task OnResultAsync(ScanResultSnapshot result, CancellationToken cancellationToken)
    {
        Results.Add(result);
        return Task.CompletedTask;
    }
}

internal sealed class MemoryCheckpoint : IScanCheckpoint
{
    public List<RecoPixelVariation> Stored { get; } = new();

    public Task<IReadOnlyList<RecoPixelVariation>> LoadAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RecoPixelVariation>>(Stored.ToArray());

    public Task AppendAsync(RecoPixelVariation variation, CancellationToken cancellationToken)
    {
        Stored.Add(variation);
        return Task.CompletedTask;
    }
}

/// <summary>Wraps a dispatcher: counts tasks, duplicates replies, or swallows everything.</summary>
internal sealed class WrappingDispatcher(IPixelDispatcher inner) : IPixelDispatcher
{
    private RecoPixelVariation? _pendingDuplicate;

    public int TasksSent { get; private set; }

    public bool DuplicateReplies { get; init; }

    public bool Swallow { get; init; }

    public string Name => "wrapped-" + inner.Name;

    public Task StartAsync(ScanStartup startup, CancellationToken cancellationToken) => inner.StartAsync(startup, cancellationToken);

    public Task SendAsync(IReadOnlyList<PixelVariation> tasks, CancellationToken cancellationToken)
    {
        TasksSent += tasks.Count;
        return Swallow ? Task.CompletedTask : inner.SendAsync(tasks, cancellationToken);
    }

    public async Task<RecoPixelVariation?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_pendingDuplicate is { } d)
        {
            _pendingDuplicate = null;
            return d;
        }

        var r = await inner.ReceiveAsync(timeout, cancellationToken);
        if (DuplicateReplies && r is not null)
        {
            _pendingDuplicate = r;
        }

        return r;
    }

    public Task AcknowledgeAsync(RecoPixelVariation reply, CancellationToken cancellationToken) => inner.AcknowledgeAsync(reply, cancellationToken);

    public Task CompleteAsync(CancellationToken cancellationToken) => inner.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

/// <summary>Wraps a dispatcher and records every request sent.</summary>
internal sealed class RecordingDispatcher(IPixelDispatcher inner) : IPixelDispatcher
{
    public List<PixelVariation> Sent { get; } = new();

    public string Name => inner.Name;

    public Task StartAsync(ScanStartup startup, CancellationToken cancellationToken) => inner.StartAsync(startup, cancellationToken);

    public Task SendAsync(IReadOnlyList<PixelVariation> requests, CancellationToken cancellationToken)
    {
        Sent.AddRange(requests);
        return inner.SendAsync(requests, cancellationToken);
    }

    public Task<RecoPixelVariation?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken) => inner.ReceiveAsync(timeout, cancellationToken);

    public Task AcknowledgeAsync(RecoPixelVariation reply, CancellationToken cancellationToken) => inner.AcknowledgeAsync(reply, cancellationToken);

    public Task CompleteAsync(CancellationToken cancellationToken) => inner.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
