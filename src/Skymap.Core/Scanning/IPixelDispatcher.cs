using Skymap.Core.Pixels;

namespace Skymap.Core.Scanning;

/// <summary>
/// The transport seam (SCANNER.md §9): the scan engine sends <see cref="PixelVariation"/> requests and receives
/// <see cref="RecoPixelVariation"/> replies without knowing how they travel. Every transport answers requests with a
/// <see cref="ScanWorkerHost"/>, and proves itself with the reusable contract suite (<c>tests/Skymap.Transport.Contracts</c>).
/// </summary>
/// <remarks>
/// <para><b>Delivery.</b> At least once: every request sent is eventually answered by at least one reply carrying its id
/// and attempt, unless the dispatcher fails (<see cref="ReceiveAsync"/> throws). A failed attempt is reported, never
/// swallowed: <see cref="PixelVariationStatus.Failed"/>/<see cref="PixelVariationStatus.Timeout"/> when the fit or its
/// worker failed, <see cref="PixelVariationStatus.DeadLettered"/> when the transport itself gave up. Duplicates are
/// allowed (the engine drops them); the transport never retries a FAILED reply by itself (the engine decides).</para>
/// <para><b>Ordering.</b> None: requests of one <see cref="SendAsync"/> call are handed to the transport in list order,
/// but replies arrive in any order. The engine's result does not depend on the order (SCANNER.md §7).</para>
/// <para><b>Acknowledgement.</b> A reply returned by <see cref="ReceiveAsync"/> is only a delivery: the caller settles it
/// with <see cref="AcknowledgeAsync"/> once it has processed it (collected, checkpointed, or resent as a retry). A
/// transport with durable replies (RabbitMQ) removes the reply then, so a server that crashes in between gets it again
/// after a restart; a transport without (in process, processes) does nothing. Replies not yet acknowledged may be bounded
/// by the transport (RabbitMQ's reply prefetch), so a caller acknowledges each reply before it holds too many.</para>
/// <para><b>Lifecycle.</b> <see cref="StartAsync"/> once, then any interleaving of <see cref="SendAsync"/>,
/// <see cref="ReceiveAsync"/> and <see cref="AcknowledgeAsync"/> from one caller at a time, then
/// <see cref="CompleteAsync"/> once (also after a failure), then <see cref="IAsyncDisposable.DisposeAsync"/>.</para>
/// </remarks>
public interface IPixelDispatcher : IAsyncDisposable
{
    /// <summary>A short transport name for logs and manifests (<c>inprocess</c>, <c>processes</c>, <c>rabbitmq</c>).</summary>
    string Name { get; }

    /// <summary>Starts the transport for a scan (workers, queues, startup document).</summary>
    Task StartAsync(ScanStartup startup, CancellationToken cancellationToken);

    /// <summary>Sends requests, in order.</summary>
    Task SendAsync(IReadOnlyList<PixelVariation> requests, CancellationToken cancellationToken);

    /// <summary>Waits for the next reply; returns null when none arrived within <paramref name="timeout"/>.</summary>
    Task<RecoPixelVariation?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Settles a reply returned by <see cref="ReceiveAsync"/> once the caller has processed it (see remarks).</summary>
    Task AcknowledgeAsync(RecoPixelVariation reply, CancellationToken cancellationToken);

    /// <summary>Ends the scan on the transport: stops workers, deletes queues. Called once, after the last reply or on failure.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}
