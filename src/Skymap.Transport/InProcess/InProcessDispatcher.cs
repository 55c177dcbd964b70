using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;

namespace Skymap.Transport.InProcess;

/// <summary>
/// The in-process transport (SCANNER.md §9): a bounded channel of tasks served by N worker tasks, each with its own
/// reco worker, replies through an unbounded channel.
/// </summary>
public sealed class InProcessDispatcher : IPixelDispatcher
{
    private readonly IRecoAlgorithm _reco;
    private readonly int _workers;
    private readonly ILogger _logger;
    private readonly Channel<PixelTask> _tasks;
    private readonly Channel<PixelTaskResult> _results = Channel.CreateUnbounded<PixelTaskResult>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running = new();

    /// <summary>Creates the dispatcher.</summary>
    /// <param name="reco">The reco whose workers fit the tasks.</param>
    /// <param name="workers">Worker count (default: logical CPU count).</param>
    /// <param name="logger">Logger.</param>
    public InProcessDispatcher(IRecoAlgorithm reco, int? workers = null, ILogger<InProcessDispatcher>? logger = null)
    {
        _reco = reco ?? throw new ArgumentNullException(nameof(reco));
        _workers = workers ?? Environment.ProcessorCount;
        if (_workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(workers), _workers, "worker count must be ≥ 1");
        }

        _logger = logger ?? (ILogger)NullLogger.Instance;
        _tasks = Channel.CreateBounded<PixelTask>(new BoundedChannelOptions(Math.Max(256, 16 * _workers)) { SingleWriter = true });
    }

    /// <inheritdoc />
    public string Name => "inprocess";

    /// <inheritdoc />
    public Task StartAsync(ScanStartup startup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(startup);
        var host = Environment.MachineName;
        var pid = Environment.ProcessId;
        for (var i = 0; i < _workers; i++)
        {
            var worker = _reco.CreateWorker(startup.Prepared, startup.RecoContext);
            var workerId = $"{host}:{pid}:{i}";
            _running.Add(Task.Factory.StartNew(
                () => WorkLoopAsync(worker, workerId, startup.TaskTimeout),
                CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap());
        }

        _logger.LogInformation("In-process transport started with {Workers} workers", _workers);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task SendAsync(IReadOnlyList<PixelTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        foreach (var t in tasks)
        {
            await _tasks.Writer.WriteAsync(t, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async Task<PixelTaskResult?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
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

    private async Task WorkLoopAsync(IRecoWorker worker, string workerId, TimeSpan taskTimeout)
    {
        try
        {
            await foreach (var task in _tasks.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                var reply = PixelTaskRunner.Run(worker, task, workerId, taskTimeout, _stop.Token);
                await _results.Writer.WriteAsync(reply, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
    }
}
