using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.RabbitMq;
using Skymap.Transport.Startup;
using Skymap.Transport.Wire;

namespace Skymap.Transport.Workers;

/// <summary>Options of a RabbitMQ worker (<c>skymap worker --transport rabbitmq</c>).</summary>
public sealed record RabbitMqWorkerOptions
{
    /// <summary>The broker.</summary>
    public required BrokerSettings Broker { get; init; }

    /// <summary>Tasks fitted at once (default 1, as upstream's pilot).</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Consumer prefetch (null: = <see cref="Concurrency"/>).</summary>
    public ushort? Prefetch { get; init; }

    /// <summary>How long to wait for the first task before exiting (default 60 min).</summary>
    public TimeSpan FirstMessageTimeout { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>How long to wait, idle, for the next task before exiting (default 30 min; must outlast stage gaps).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>How long one reply publish waits for its confirm before it is published again.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long to wait for a lost broker to come back before giving up.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The startup document's path; when a task names another startup SHA-256 the worker re-reads this file (a restarted
    /// server wrote a new one) and switches to it if it matches. Null: no reloading.
    /// </summary>
    public string? StartupPath { get; init; }

    /// <summary>The registry to resolve the reco again after a reload (needed with <see cref="StartupPath"/>).</summary>
    public RecoRegistry? Registry { get; init; }
}

/// <summary>
/// The RabbitMQ transport's worker loop (SCANNER.md §9): consumes <c>to-clients-&lt;scan_id&gt;</c> with manual acks and
/// prefetch = concurrency; for each task publishes the reply to <c>from-clients-&lt;scan_id&gt;</c>, waits for the
/// broker's confirm, then acks the task. A reco failure or timeout is published as a FAILED/TIMEOUT reply and acked; a
/// message that cannot be decoded goes to <c>dead-letters-&lt;scan_id&gt;</c> (logged as an error). If the worker dies
/// mid-task, the broker redelivers the unacked task (up to <c>x-delivery-limit</c>). The worker exits when no task
/// arrives within the first-message or idle timeout, when the scan's queue is deleted, or on cancellation.
/// </summary>
public sealed class RabbitMqWorker
{
    /// <summary>Exit code of a normal end (idle, first-message timeout, scan finished).</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code when the broker could not be reached or refused the queue.</summary>
    public const int ExitBrokerError = 3;

    private readonly RabbitMqWorkerOptions _options;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private ScanWorkerHost _scan;
    private int _scanGeneration;
    private long _completed;
    private long _received;
    private int _busy;
    private DateTime _lastActivity = DateTime.UtcNow;

    /// <summary>Creates the worker.</summary>
    public RabbitMqWorker(ScanWorkerHost scan, RabbitMqWorkerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Concurrency, 1, nameof(options));
        _scan = scan;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Replies published and confirmed so far.</summary>
    public long TasksCompleted => Interlocked.Read(ref _completed);

    /// <summary>Why the last run ended.</summary>
    public string? StopReason { get; private set; }

    /// <summary>Runs until a timeout, the end of the scan or cancellation; returns the process exit code.</summary>
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        var names = new QueueNames(_scan.ScanId);
        var factory = _options.Broker.CreateFactory($"skymap-worker {ScanWorkerHost.WorkerId(0)}");
        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerUnreachableException e)
        {
            _logger.LogError("Cannot connect to the broker at {Broker}: {Error}", _options.Broker, e.InnerException?.Message ?? e.Message);
            StopReason = "broker unreachable";
            return ExitBrokerError;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        connection.ConnectionShutdownAsync += (_, e) =>
        {
            if (!stop.IsCancellationRequested)
            {
                _logger.LogWarning("Broker connection lost ({Code} {Text}); recovering", e.ReplyCode, e.ReplyText);
            }

            return Task.CompletedTask;
        };
        connection.RecoverySucceededAsync += (_, _) =>
        {
            _logger.LogInformation("Broker connection recovered");
            return Task.CompletedTask;
        };

        await using var connectionScope = new AsyncDisposer(connection);
        var deliveries = Channel.CreateUnbounded<Delivery>();
        IChannel consumerChannel;
        ResilientConsumer consumer;
        try
        {
            consumerChannel = await connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await consumerChannel.BasicQosAsync(0, _options.Prefetch ?? (ushort)Math.Min(_options.Concurrency, ushort.MaxValue), false, cancellationToken).ConfigureAwait(false);
            consumer = new ResilientConsumer(
                connection, consumerChannel, names.ToClients,
                d =>
                {
                    Interlocked.Increment(ref _received);
                    Touch();
                    deliveries.Writer.TryWrite(d);
                    return Task.CompletedTask;
                },
                () =>
                {
                    if (!stop.IsCancellationRequested)
                    {
                        _logger.LogInformation("The task queue {Queue} is gone: the scan is over", names.ToClients);
                        StopReason ??= "scan finished (task queue deleted)";
                        deliveries.Writer.TryComplete();
                    }

                    return Task.CompletedTask;
                },
                _logger, _options.RecoveryTimeout);
            await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationInterruptedException e)
        {
            _logger.LogWarning("Cannot consume {Queue}: {Error} (scan not started or already finished?)", names.ToClients, e.ShutdownReason?.ReplyText ?? e.Message);
            StopReason = "task queue not available";
            return ExitOk;
        }

        _logger.LogInformation("Worker {Worker} consuming {Queue} at {Broker} (concurrency {Concurrency})",
            ScanWorkerHost.WorkerId(0), names.ToClients, _options.Broker, _options.Concurrency);
        // Fitting and replying are decoupled: a slot hands its reply to a publishing lane and takes the next task while
        // the reply waits for its confirm; the task is acked only after that confirm. With prefetch > concurrency this
        // hides the confirm latency; with the default prefetch = concurrency it behaves as publish → confirm → ack → next.
        var prefetch = _options.Prefetch ?? (ushort)Math.Min(_options.Concurrency, ushort.MaxValue);
        var replies = Channel.CreateBounded<(RecoPixelVariation Reply, ulong Tag)>(Math.Max(1, (int)prefetch));
        var publishers = new ConfirmedPublisher[Math.Clamp((int)prefetch, 1, 8)];
        for (var i = 0; i < publishers.Length; i++)
        {
            publishers[i] = await ConfirmedPublisher.CreateAsync(connection, _options.PublishTimeout, _options.RecoveryTimeout, _logger, cancellationToken).ConfigureAwait(false);
        }

        var slots = new Task[_options.Concurrency];
        for (var i = 0; i < slots.Length; i++)
        {
            var index = i;
            slots[i] = Guard(() => RunSlotAsync(index, deliveries.Reader, replies.Writer, consumerChannel, publishers[0], names, stop.Token));
        }

        var lanes = publishers.Select(p => Guard(() => RunPublisherAsync(replies.Reader, consumerChannel, p, names, stop.Token))).ToArray();

        // A slot or lane that fails stops the others (which would otherwise wait on each other forever).
        Task Guard(Func<Task> run) => Task.Run(async () =>
        {
            try
            {
                await run().ConfigureAwait(false);
            }
            catch (Exception) when (!stop.IsCancellationRequested)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                throw;
            }
        });
        var all = Task.Run(async () =>
        {
            try
            {
                await Task.WhenAll(slots).ConfigureAwait(false);
            }
            finally
            {
                replies.Writer.TryComplete();
            }

            await Task.WhenAll(lanes).ConfigureAwait(false);
        });

        var watchdog = WatchAsync(deliveries.Writer, stop.Token);
        var exit = ExitOk;
        try
        {
            await all.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            StopReason ??= "cancelled";
        }
        catch (BrokerUnavailableException e) when (e.InnerException is PublishException { IsReturn: true })
        {
            // The reply queue was deleted under an in-flight task: the server has finished (or given up on) the scan.
            _logger.LogWarning("Stopping: {Error}", e.Message);
            StopReason ??= "scan finished (reply queue deleted)";
        }
        catch (BrokerUnavailableException e)
        {
            _logger.LogError("Stopping: {Error}", e.Message);
            StopReason ??= e.Message;
            exit = ExitBrokerError;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await watchdog.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Done.
            }

            try
            {
                await consumer.StopAsync().ConfigureAwait(false);
                if (consumerChannel.IsOpen)
                {
                    await consumerChannel.CloseAsync().ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
            {
                // Closing anyway; unacked tasks are redelivered.
            }

            consumerChannel.Dispose();
            foreach (var p in publishers)
            {
                await p.DisposeAsync().ConfigureAwait(false);
            }
        }

        _logger.LogInformation("Worker exiting after {Count} task(s): {Reason}", TasksCompleted, StopReason);
        return exit;
    }

    private void Touch()
    {
        lock (_gate)
        {
            _lastActivity = DateTime.UtcNow;
        }
    }

    private async Task WatchAsync(ChannelWriter<Delivery> deliveries, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken).ConfigureAwait(false);
            DateTime last;
            lock (_gate)
            {
                last = _lastActivity;
            }

            var limit = Interlocked.Read(ref _received) == 0 ? _options.FirstMessageTimeout : _options.IdleTimeout;
            if (Volatile.Read(ref _busy) == 0 && DateTime.UtcNow - last > limit)
            {
                StopReason ??= Interlocked.Read(ref _received) == 0
                    ? $"no task within the first-message timeout ({limit.TotalSeconds:0.#} s)"
                    : $"idle for the idle timeout ({limit.TotalSeconds:0.#} s)";
                deliveries.TryComplete();
                return;
            }
        }
    }

    private async Task RunSlotAsync(
        int index, ChannelReader<Delivery> deliveries, ChannelWriter<(RecoPixelVariation Reply, ulong Tag)> replies, IChannel consumerChannel,
        ConfirmedPublisher deadLetters, QueueNames names, CancellationToken cancellationToken)
    {
        var workerId = ScanWorkerHost.WorkerId(index);
        var generation = -1;
        IRecoWorker? reco = null;
        var batch = new List<(PixelVariation Task, ulong Tag)>();
        while (await deliveries.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // A batch-capable reco worker takes every delivery at hand (up to its batch size; the prefetch bounds how many
            // can be at hand) in one call; others take one at a time.
            var limit = reco is null ? 1 : ScanWorkerHost.BatchSize(reco);
            batch.Clear();
            while (batch.Count < limit && deliveries.TryRead(out var d))
            {
                Interlocked.Increment(ref _busy);
                try
                {
                    var task = d.Type is null or WireFormat.TaskMessageType
                        ? WireFormat.DecodeTask(d.Body)
                        : throw new WireFormatException($"unexpected message type '{d.Type}'");
                    batch.Add((task, d.DeliveryTag));
                }
                catch (WireFormatException e) when (e.PartialTask is not null)
                {
                    _logger.LogError("Refusing task {Task}: {Reason}", e.PartialTask.Id, e.Message);
                    var refusal = RecoPixelVariation.Failure(e.PartialTask, PixelVariationStatus.Failed, e.Message, 0, workerId);
                    await replies.WriteAsync((refusal, d.DeliveryTag), cancellationToken).ConfigureAwait(false);
                }
                catch (WireFormatException e)
                {
                    await DeadLetterAsync(d, e.Message).ConfigureAwait(false);
                    Interlocked.Decrement(ref _busy);
                    Touch();
                }
            }

            if (batch.Count == 0)
            {
                continue;
            }

            IReadOnlyList<RecoPixelVariation> answers;
            try
            {
                foreach (var (task, _) in batch)
                {
                    MaybeReload(task);
                }

                var scan = CurrentScan(out var gen);
                if (gen != generation || reco is null)
                {
                    reco = scan.CreateWorker();
                    generation = gen;
                }

                var tasks = batch.Select(b => b.Task).ToArray();
                var worker = reco;
                answers = await Task.Run(() => scan.RunBatch(worker, tasks, workerId, cancellationToken), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Interlocked.Add(ref _busy, -batch.Count);
                throw;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                await replies.WriteAsync((answers[i], batch[i].Tag), cancellationToken).ConfigureAwait(false);
            }

            async Task DeadLetterAsync(Delivery bad, string reason)
            {
                _logger.LogError("Undecodable message {MessageId} (type {Type}, {Length} bytes) on {Queue}: {Reason}; moved to {DeadLetters}",
                    bad.MessageId, bad.Type, bad.Body.Length, names.ToClients, reason, names.DeadLetters);
                var props = ConfirmedPublisher.Properties(bad.Type ?? "unknown", bad.MessageId);
                props.Headers = new Dictionary<string, object?>
                {
                    ["x-skymap-error"] = reason,
                    ["x-skymap-source-queue"] = names.ToClients,
                };
                await deadLetters.PublishAsync(names.DeadLetters, props, bad.Body, cancellationToken).ConfigureAwait(false);
                await AckAsync(consumerChannel, bad.DeliveryTag).ConfigureAwait(false);
            }
        }
    }

    /// <summary>A publishing lane: publishes replies, waits for each confirm, then acks the task.</summary>
    private async Task RunPublisherAsync(
        ChannelReader<(RecoPixelVariation Reply, ulong Tag)> replies, IChannel consumerChannel, ConfirmedPublisher publisher, QueueNames names, CancellationToken cancellationToken)
    {
        await foreach (var (r, tag) in replies.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await publisher.PublishAsync(names.FromClients, ConfirmedPublisher.ResultProperties(r), WireFormat.EncodeResult(r), cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _completed);
                await AckAsync(consumerChannel, tag).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _busy);
                Touch();
            }
        }
    }

    private async Task AckAsync(IChannel channel, ulong tag)
    {
        try
        {
            await channel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // The connection dropped after the reply was confirmed: the broker redelivers the task and the server drops the duplicate.
            _logger.LogDebug("Ack failed ({Error}); the task will be redelivered", e.Message);
        }
    }

    private ScanWorkerHost CurrentScan(out int generation)
    {
        lock (_gate)
        {
            generation = _scanGeneration;
            return _scan;
        }
    }

    private void MaybeReload(PixelVariation task)
    {
        if (_options.StartupPath is null || _options.Registry is null)
        {
            return;
        }

        lock (_gate)
        {
            if (string.Equals(task.StartupSha256, _scan.StartupSha256, StringComparison.OrdinalIgnoreCase) || !File.Exists(_options.StartupPath))
            {
                return;
            }

            try
            {
                var bytes = File.ReadAllBytes(_options.StartupPath);
                if (!string.Equals(StartupDocument.ComputeSha256(bytes), task.StartupSha256, StringComparison.OrdinalIgnoreCase))
                {
                    return;
                }

                var doc = StartupDocument.Parse(bytes);
                if (!string.Equals(doc.ScanId, _scan.ScanId, StringComparison.Ordinal))
                {
                    return;
                }

                _scan = doc.CreateHost(_options.Registry, _logger);
                _scanGeneration++;
                _logger.LogInformation("Reloaded the startup document {Path} (sha256 {Sha}): the server restarted", _options.StartupPath, doc.Sha256);
            }
            catch (Exception e) when (e is IOException or StartupDocumentException or UnauthorizedAccessException or RecoPluginException)
            {
                _logger.LogWarning("Could not reload the startup document {Path}: {Error}", _options.StartupPath, e.Message);
            }
        }
    }

    private sealed class AsyncDisposer(IConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
            {
                // Closing anyway.
            }

            connection.Dispose();
        }
    }
}
