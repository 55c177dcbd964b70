using Skymap.Core.Scanning;
using Skymap.Driver.Storage;
using Skymap.Transport.RabbitMq;
using Skymap.Transport.Startup;

namespace Skymap.Driver.Launch;

/// <summary>
/// Wraps the scan's dispatcher: once it has started, stores the exact startup document (and the queue names of the
/// RabbitMQ transport) so that <c>GET /scan/{id}/startup</c> and <c>GET /scans/running</c> can serve worker pools.
/// </summary>
internal sealed class RecordingDispatcher(IPixelDispatcher inner, DriverStore store) : IPixelDispatcher
{
    public string Name => inner.Name;

    public async Task StartAsync(ScanStartup startup, CancellationToken cancellationToken)
    {
        await inner.StartAsync(startup, cancellationToken).ConfigureAwait(false);
        byte[] bytes;
        string? to = null, from = null;
        if (inner is RabbitMqDispatcher rabbit && rabbit.StartupPath is { } path)
        {
            bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            to = rabbit.Queues?.ToClients;
            from = rabbit.Queues?.FromClients;
        }
        else
        {
            bytes = StartupDocument.Serialize(startup);
        }

        await store.PutStartupAsync(startup.ScanId, bytes, StartupDocument.ComputeSha256(bytes), to, from, cancellationToken).ConfigureAwait(false);
    }

    public Task SendAsync(IReadOnlyList<PixelTask> tasks, CancellationToken cancellationToken) => inner.SendAsync(tasks, cancellationToken);

    public Task<PixelTaskResult?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken) => inner.ReceiveAsync(timeout, cancellationToken);

    public Task CompleteAsync(CancellationToken cancellationToken) => inner.CompleteAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
