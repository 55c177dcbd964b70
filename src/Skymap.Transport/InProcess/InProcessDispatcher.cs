using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.Internal;

namespace Skymap.Transport.InProcess;

/// <summary>
/// The in-process transport (SCANNER.md §9): a bounded channel of requests served by N worker tasks through the scan's
/// <see cref="ScanWorkerHost"/> (the reco of <see cref="ScanStartup.Reco"/>, one reco worker per task; a batch-capable reco
/// worker takes up to its batch size of the requests at hand per call), replies through an unbounded channel. Replies need
/// no acknowledgement.
/// </summary>
public sealed class InProcessDispatcher : IPixelDispatcher
{
    private readonly int _workers;
    private readonly ILogger _logger;
    private readonly Channel<PixelVariation> _tasks;
    private readonly Channel<RecoPixelVariation> _results = Channel.CreateUnbounded<RecoPixelVariation>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = new();

    /// <summary>Creates the dispatcher; the reco comes with the scan's <see cref="ScanStartup"/>.</summary>
    /// <param name="workers">Worker count (default: logical CPU count).</param>
    /// <param name="logger">Logger.</param>
    public InProcessDispatcher(int? workers = null, ILogger<InProcessDispatcher>? logger = null)
    {
        _workers = workers ?? Environment.ProcessorCount;
        if (_workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), _workers, "worker count must be ≥ 1");
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
        _tasks = Channel.CreateBounded<PixelVariation>(new BoundedChannelOptions(Math.Max(256, 16 * _workers)) { SingleWriter = true });
    }

    /// <inheritdoc />
    public string Name => "inprocess";

    /// <inheritdoc />
    public Task StartAsync(ScanStartup startup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(startup);
        var host = ScanWorkerHost.ForStartup(startup, _logger);
        for (var i = 0; i < _workers; i++)
        {
            var worker = host.CreateWorker();
            var workerId = ScanWorkerHost.WorkerId(i);
            _running.Add(Task.Factory.StartNew(
                () => WorkLoopAsync(host, worker, workerId),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());
        }

        _logger.LogInformation("In-process transport started with {Workers} workers", _workers);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task SendAsync(IReadOnlyList<PixelVariation> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var t in tasks)
        {
            await _tasks.Writer.WriteAsync(t, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<RecoPixelVariation?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        try
        {
            return await _results.Reader.ReadAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public Task AcknowledgeAsync(RecoPixelVariation reply, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        _tasks.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_running).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Workers stop at their next cancellation check.
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await CompleteAsync(CancellationToken.None).ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task WorkLoopAsync(ScanWorkerHost host, IRecoWorker worker, string workerId)
    {
        try
        {
            await WorkerLoop.ServeAsync(_tasks.Reader, host, worker, workerId, _results.Writer.WriteAsync, _stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}
