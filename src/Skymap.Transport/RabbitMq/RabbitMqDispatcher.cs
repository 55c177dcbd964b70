using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Skymap.Core.Scanning;
using Skymap.Transport.Startup;
using Skymap.Transport.Wire;

namespace Skymap.Transport.RabbitMq;

/// <summary>Options of the RabbitMQ transport's server side.</summary>
public sealed record RabbitMqDispatcherOptions
{
    /// <summary>The broker.</summary>
    public required BrokerSettings Broker { get; init; }

    /// <summary>
    /// <c>x-delivery-limit</c> of the task queue = K (<c>--max-pixvar-failures</c>): a task whose deliveries keep dying with
    /// their worker is dead-lettered to the reply queue and reported as <see cref="PixelTaskStatus.DeadLettered"/>.
    /// </summary>
    public int DeliveryLimit { get; init; } = 3;

    /// <summary>Consumer prefetch of the reply queue (upstream default 300).</summary>
    public ushort Prefetch { get; init; } = 300;

    /// <summary>Publisher-confirmed channels used side by side by <see cref="RabbitMqDispatcher.SendAsync"/>.</summary>
    public int PublisherChannels { get; init; } = 16;

    /// <summary>How long one publish waits for its confirm before it is published again.</summary>
    public TimeSpan PublishTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an operation waits for a lost broker to come back before the scan fails.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Where to write the startup document (null: <c>startup.json</c> in <see cref="ScanStartup.StartupDirectory"/>).</summary>
    public string? StartupPath { get; init; }

    /// <summary>Delete the scan's queues at <see cref="RabbitMqDispatcher.CompleteAsync"/> (default true; a non-empty dead-letter queue is kept).</summary>
    public bool DeleteQueuesOnComplete { get; init; } = true;
}

/// <summary>
/// The RabbitMQ transport's server side (SCANNER.md §9). Declares durable quorum queues <c>to-clients-&lt;scan_id&gt;</c>
/// (<c>x-delivery-limit</c> = K, dead-lettering to the reply queue), <c>from-clients-&lt;scan_id&gt;</c> and
/// <c>dead-letters-&lt;scan_id&gt;</c>; writes <c>startup.json</c> atomically; publishes tasks with publisher confirms
/// (persistent, content type <c>application/x-msgpack</c>, <c>type</c> = message name, message id
/// <c>nside:pixel:posvar:attempt</c>); consumes replies with prefetch 300.
/// </summary>
/// <remarks>
/// <para><b>Ack after collecting.</b> A reply is acknowledged when the engine asks for the next one (or completes the
/// transport), i.e. after the engine has processed it, including its checkpoint append. A server crash in between leaves
/// the reply unacknowledged; the broker redelivers it to the next server, whose engine de-duplicates.</para>
/// <para><b>Dead letters.</b> A task arriving on the reply queue (AMQP <c>type</c> = <c>PixelTask</c>) was dead-lettered by
/// the broker after K deliveries and becomes a <see cref="PixelTaskStatus.DeadLettered"/> reply. A message that cannot be
/// decoded is copied to <c>dead-letters-&lt;scan_id&gt;</c> with an <c>x-skymap-error</c> header and logged as an error.</para>
/// <para><b>Broker restarts.</b> The connection recovers automatically (connection, channels, queues, consumer); a publish
/// that was not confirmed is published again once the channel is back. Duplicates this may cause are dropped by the engine.
/// The broker's <c>consumer_timeout</c> and the heartbeat must exceed the task timeout.</para>
/// </remarks>
public sealed class RabbitMqDispatcher : IPixelDispatcher
{
    private const string ErrorHeader = "x-skymap-error";
    private readonly RabbitMqDispatcherOptions _options;
    private readonly ILogger _logger;
    private readonly Channel<Delivery> _deliveries = Channel.CreateUnbounded<Delivery>(new UnboundedChannelOptions { SingleReader = true });
    private IConnection? _connection;
    private IChannel? _consumerChannel;
    private ConfirmedPublisher[] _publishers = [];
    private ResilientConsumer? _consumer;
    private ulong? _pendingAck;
    private string _sha = "";
    private bool _completed;

    /// <summary>Creates the dispatcher; nothing connects before <see cref="StartAsync"/>.</summary>
    public RabbitMqDispatcher(RabbitMqDispatcherOptions options, ILogger<RabbitMqDispatcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DeliveryLimit, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.PublisherChannels, 1, nameof(options));
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => "rabbitmq";

    /// <summary>The scan's queue names (after <see cref="StartAsync"/>).</summary>
    public QueueNames? Queues { get; private set; }

    /// <summary>The startup document's path (after <see cref="StartAsync"/>).</summary>
    public string? StartupPath { get; private set; }

    /// <summary>Messages moved to the dead-letter queue by this server.</summary>
    public int DeadLettered { get; private set; }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">Neither <see cref="RabbitMqDispatcherOptions.StartupPath"/> nor <see cref="ScanStartup.StartupDirectory"/> is set.</exception>
    /// <exception cref="BrokerUnavailableException">The broker cannot be reached.</exception>
    public async Task StartAsync(ScanStartup startup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(startup);
        if (_connection is not null)
        {
            throw new InvalidOperationException("the dispatcher is already started");
        }

        var path = _options.StartupPath
            ?? (startup.StartupDirectory is { } dir ? Path.Combine(dir, StartupDocument.FileName)
                : throw new ArgumentException("the RabbitMQ transport needs ScanStartup.StartupDirectory (or options.StartupPath) for startup.json", nameof(startup)));
        var bytes = StartupDocument.Serialize(startup);
        _sha = StartupDocument.ComputeSha256(bytes);
        var names = new QueueNames(startup.ScanId);
        Queues = names;

        var factory = _options.Broker.CreateFactory($"skymap-server {startup.ScanId}");
        try
        {
            _connection = await factory.CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (BrokerUnreachableException e)
        {
            throw new BrokerUnavailableException($"cannot connect to the broker at {_options.Broker}: {e.InnerException?.Message ?? e.Message}", e);
        }

        _connection.ConnectionShutdownAsync += (_, e) =>
        {
            if (!_completed)
            {
                _logger.LogWarning("Broker connection lost ({Code} {Text}); recovering", e.ReplyCode, e.ReplyText);
            }

            return Task.CompletedTask;
        };
        _connection.RecoverySucceededAsync += (_, _) =>
        {
            _logger.LogInformation("Broker connection recovered");
            return Task.CompletedTask;
        };
        _connection.ConnectionRecoveryErrorAsync += (_, e) =>
        {
            _logger.LogWarning("Broker connection recovery failed: {Error}", e.Exception.Message);
            return Task.CompletedTask;
        };

        await using (var setup = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            await DeclareAsync(setup, names.DeadLetters, null, cancellationToken).ConfigureAwait(false);
            await DeclareAsync(setup, names.FromClients, null, cancellationToken).ConfigureAwait(false);
            await DeclareAsync(setup, names.ToClients, new Dictionary<string, object?>
            {
                ["x-delivery-limit"] = _options.DeliveryLimit,
                ["x-dead-letter-exchange"] = string.Empty,
                ["x-dead-letter-routing-key"] = names.FromClients,
            }, cancellationToken).ConfigureAwait(false);
            var staleTasks = await setup.QueuePurgeAsync(names.ToClients, cancellationToken).ConfigureAwait(false);
            var staleReplies = await setup.QueuePurgeAsync(names.FromClients, cancellationToken).ConfigureAwait(false);
            if (staleTasks + staleReplies > 0)
            {
                _logger.LogWarning("Purged {Tasks} stale task(s) and {Replies} stale reply(ies) of an earlier run of scan {ScanId}", staleTasks, staleReplies, startup.ScanId);
            }
        }

        _publishers = new ConfirmedPublisher[_options.PublisherChannels];
        for (var i = 0; i < _publishers.Length; i++)
        {
            _publishers[i] = await ConfirmedPublisher.CreateAsync(_connection, _options.PublishTimeout, _options.RecoveryTimeout, _logger, cancellationToken).ConfigureAwait(false);
        }

        _consumerChannel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await _consumerChannel.BasicQosAsync(0, _options.Prefetch, false, cancellationToken).ConfigureAwait(false);
        _consumer = new ResilientConsumer(
            _connection, _consumerChannel, names.FromClients,
            d =>
            {
                _deliveries.Writer.TryWrite(d);
                return Task.CompletedTask;
            },
            () =>
            {
                if (!_completed)
                {
                    _logger.LogError("The reply queue {Queue} is gone", names.FromClients);
                    _deliveries.Writer.TryComplete(new BrokerUnavailableException($"the reply queue '{names.FromClients}' is gone (deleted, or the broker stayed away)"));
                }

                return Task.CompletedTask;
            },
            _logger, _options.RecoveryTimeout);
        await _consumer.StartAsync(cancellationToken).ConfigureAwait(false);

        StartupPath = StartupDocument.WriteFile(path, bytes);
        _logger.LogInformation(
            "RabbitMQ transport ready at {Broker}: tasks → {ToClients}, replies ← {FromClients}; startup document {Path} (sha256 {Sha}); " +
            "start workers with: skymap worker --transport rabbitmq --startup-json {Path}",
            _options.Broker, names.ToClients, names.FromClients, StartupPath, _sha, StartupPath);
    }

    /// <inheritdoc />
    public async Task SendAsync(IReadOnlyList<PixelTask> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        var names = Queues ?? throw new InvalidOperationException("StartAsync must be called first");
        if (tasks.Count == 0)
        {
            return;
        }

        var n = Math.Min(_publishers.Length, tasks.Count);
        await Task.WhenAll(Enumerable.Range(0, n).Select(async lane =>
        {
            for (var i = lane; i < tasks.Count; i += n)
            {
                var t = tasks[i];
                var task = t.StartupSha256.Length == 0 ? t with { StartupSha256 = _sha } : t;
                await _publishers[lane].PublishAsync(names.ToClients, ConfirmedPublisher.TaskProperties(task), WireFormat.EncodeTask(task), cancellationToken).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="BrokerUnavailableException">The reply queue is gone (deleted, or the broker stayed away past the recovery timeout).</exception>
    public async Task<PixelTaskResult?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (_consumerChannel is null)
        {
            throw new InvalidOperationException("StartAsync must be called first");
        }

        await AckCollectedAsync().ConfigureAwait(false);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            cts.CancelAfter(TimeSpan.FromMilliseconds(Math.Clamp(timeout.TotalMilliseconds, 0, int.MaxValue - 1)));
        }

        try
        {
            while (true)
            {
                if (!_deliveries.Reader.TryRead(out var delivery))
                {
                    if (!await _deliveries.Reader.WaitToReadAsync(cts.Token).ConfigureAwait(false))
                    {
                        throw new InvalidOperationException("the dispatcher is completed");
                    }

                    continue;
                }

                var result = await InterpretAsync(delivery, cancellationToken).ConfigureAwait(false);
                if (result is not null)
                {
                    _pendingAck = delivery.DeliveryTag;
                    return result;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed || _connection is null)
        {
            _completed = true;
            return;
        }

        await AckCollectedAsync().ConfigureAwait(false);
        _completed = true;
        var names = Queues!;
        try
        {
            if (_consumer is not null)
            {
                await _consumer.StopAsync().ConfigureAwait(false);
            }

            if (_options.DeleteQueuesOnComplete && _connection.IsOpen)
            {
                await using var ch = await _connection.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                await ch.QueueDeleteAsync(names.ToClients, false, false, cancellationToken: cancellationToken).ConfigureAwait(false);
                await ch.QueueDeleteAsync(names.FromClients, false, false, cancellationToken: cancellationToken).ConfigureAwait(false);
                var dead = await ch.MessageCountAsync(names.DeadLetters, cancellationToken).ConfigureAwait(false);
                if (dead == 0)
                {
                    await ch.QueueDeleteAsync(names.DeadLetters, false, false, cancellationToken: cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    _logger.LogWarning("Keeping {Queue} with {Count} undecodable message(s) for inspection", names.DeadLetters, dead);
                }

                _logger.LogInformation("Deleted the queues of scan {ScanId}", names.ScanId);
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException)
        {
            _logger.LogWarning("Could not clean up the queues of scan {ScanId}: {Error}", names.ScanId, e.Message);
        }

        _deliveries.Writer.TryComplete();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _completed = true;
        foreach (var p in _publishers)
        {
            await p.DisposeAsync().ConfigureAwait(false);
        }

        _publishers = [];
        if (_consumerChannel is not null)
        {
            try
            {
                await _consumerChannel.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
            {
                // Closing anyway.
            }

            _consumerChannel.Dispose();
            _consumerChannel = null;
        }

        if (_connection is not null)
        {
            try
            {
                await _connection.CloseAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
            {
                // Closing anyway.
            }

            _connection.Dispose();
            _connection = null;
        }
    }

    private static Task DeclareAsync(IChannel channel, string queue, Dictionary<string, object?>? extra, CancellationToken cancellationToken)
    {
        var args = new Dictionary<string, object?> { ["x-queue-type"] = "quorum" };
        if (extra is not null)
        {
            foreach (var (k, v) in extra)
            {
                args[k] = v;
            }
        }

        return channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments: args, cancellationToken: cancellationToken);
    }

    private async Task AckCollectedAsync()
    {
        if (_pendingAck is not { } tag || _consumerChannel is null)
        {
            return;
        }

        _pendingAck = null;
        try
        {
            await _consumerChannel.BasicAckAsync(tag, multiple: false).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // The connection dropped: the broker redelivers the reply and the engine drops the duplicate.
            _logger.LogDebug("Ack of a collected reply failed ({Error}); it will be redelivered", e.Message);
        }
    }

    private async Task<PixelTaskResult?> InterpretAsync(Delivery d, CancellationToken cancellationToken)
    {
        switch (d.Type)
        {
            case WireFormat.ResultMessageType:
                try
                {
                    return WireFormat.DecodeResult(d.Body);
                }
                catch (WireFormatException e)
                {
                    await DeadLetterAsync(d, e.Message, cancellationToken).ConfigureAwait(false);
                    return null;
                }

            case WireFormat.TaskMessageType:
                try
                {
                    var task = WireFormat.DecodeTask(d.Body);
                    var reason = $"dead-lettered by the broker ({HeaderText(d.Headers, "x-first-death-reason") ?? "unknown reason"}; x-delivery-limit {_options.DeliveryLimit}): its workers kept dying";
                    _logger.LogError("Task {Task} attempt {Attempt} {Reason}", task.Id, task.Attempt, reason);
                    return PixelTaskResult.Failure(task, PixelTaskStatus.DeadLettered, reason, 0, "broker");
                }
                catch (WireFormatException e)
                {
                    await DeadLetterAsync(d, e.Message, cancellationToken).ConfigureAwait(false);
                    return null;
                }

            default:
                await DeadLetterAsync(d, $"unexpected message type '{d.Type}'", cancellationToken).ConfigureAwait(false);
                return null;
        }
    }

    private async Task DeadLetterAsync(Delivery d, string reason, CancellationToken cancellationToken)
    {
        var names = Queues!;
        _logger.LogError("Undecodable message {MessageId} (type {Type}, {Length} bytes) on {Queue}: {Reason}; moved to {DeadLetters}",
            d.MessageId, d.Type, d.Body.Length, names.FromClients, reason, names.DeadLetters);
        var props = ConfirmedPublisher.Properties(d.Type ?? "unknown", d.MessageId);
        props.Headers = new Dictionary<string, object?>
        {
            [ErrorHeader] = reason,
            ["x-skymap-source-queue"] = names.FromClients,
        };
        await _publishers[0].PublishAsync(names.DeadLetters, props, d.Body, cancellationToken).ConfigureAwait(false);
        DeadLettered++;
        try
        {
            await _consumerChannel!.BasicAckAsync(d.DeliveryTag, multiple: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException)
        {
            _logger.LogDebug("Ack of a dead-lettered message failed: {Error}", e.Message);
        }
    }

    internal static string? HeaderText(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var v)
            ? v switch
            {
                byte[] b => Encoding.UTF8.GetString(b),
                string s => s,
                null => null,
                _ => v.ToString(),
            }
            : null;
}
