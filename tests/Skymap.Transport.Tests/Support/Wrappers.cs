using System.Collections.Concurrent;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;

namespace Skymap.Transport.Tests.Support;

/// <summary>Wraps a dispatcher to watch a scan: counts sent tasks and replies, runs a hook per reply, or crashes.</summary>
internal sealed class WatchingDispatcher(IPixelDispatcher inner) : IPixelDispatcher
{
    public ConcurrentBag<PixelVariationId> Sent { get; } = [];

    public int Replies { get; private set; }

    /// <summary>Called with the reply count after each reply.</summary>
    public Func<int, Task>? OnReply { get; init; }

    /// <summary>Throw <see cref="SimulatedCrashException"/> from ReceiveAsync after this many replies, and do not complete the inner transport (a killed server).</summary>
    public int? CrashAfter { get; init; }

    public IPixelDispatcher Inner => inner;

    public string Name => inner.Name;

    public Task StartAsync(ScanStartup startup, CancellationToken cancellationToken) => inner.StartAsync(startup, cancellationToken);

    public Task SendAsync(IReadOnlyList<PixelVariation> tasks, CancellationToken cancellationToken)
    {
        foreach (var t in tasks)
        {
            Sent.Add(t.Id);
        }

        return inner.SendAsync(tasks, cancellationToken);
    }

    public async Task<RecoPixelVariation?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (CrashAfter is { } n && Replies >= n)
        {
            throw new SimulatedCrashException();
        }

        var r = await inner.ReceiveAsync(timeout, cancellationToken);
        if (r is not null)
        {
            Replies++;
            if (OnReply is not null)
            {
                await OnReply(Replies);
            }
        }

        return r;
    }

    public Task AcknowledgeAsync(RecoPixelVariation reply, CancellationToken cancellationToken) => inner.AcknowledgeAsync(reply, cancellationToken);

    public Task CompleteAsync(CancellationToken cancellationToken) => CrashAfter is null ? inner.CompleteAsync(cancellationToken) : Task.CompletedTask;

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

internal sealed class SimulatedCrashException : Exception
{
    public SimulatedCrashException()
        : base("simulated server crash")
    {
    }
}
