using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;
using Skymap.Transport.Wire;

namespace Skymap.Transport.RabbitMq;

/// <summary>A message as received, copied out of the client's buffers.</summary>
internal sealed record Delivery(
    ulong DeliveryTag, string? Type, string? MessageId, bool Redelivered, IDictionary<string, object?>? Headers, byte[] Body);

/// <summary>The broker is gone for longer than the recovery timeout, or refused an operation for good.</summary>
public sealed class BrokerUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public BrokerUnavailableException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public BrokerUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public BrokerUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// One publisher-confirmed channel used by one publisher at a time (RabbitMQ.Client 7.1 is not robust to concurrent
/// confirmed publishes on a channel). A publish that fails because the connection dropped is repeated once automatic
/// recovery has reopened the channel: at-least-once, the receivers de-duplicate.
/// </summary>
internal sealed class ConfirmedPublisher : IAsyncDisposable
{
    private readonly IChannel _channel;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly TimeSpan _publishTimeout;
    private readonly TimeSpan _recoveryTimeout;
    private readonly ILogger _logger;

    private ConfirmedPublisher(IChannel channel, TimeSpan publishTimeout, TimeSpan recoveryTimeout, ILogger logger)
    {
        _channel = channel;
        _publishTimeout = publishTimeout;
        _recoveryTimeout = recoveryTimeout;
        _logger = logger;
    }

    public long Republished { get; private set; }

    public static async Task<ConfirmedPublisher> CreateAsync(
        IConnection connection, TimeSpan publishTimeout, TimeSpan recoveryTimeout, ILogger logger, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            cancellationToken).ConfigureAwait(false);
        return new ConfirmedPublisher(channel, publishTimeout, recoveryTimeout, logger);
    }

    public static BasicProperties Properties(string type, string? messageId) => new()
    {
        ContentType = WireFormat.ContentType,
        Type = type,
        MessageId = messageId,
        Persistent = true,
        AppId = "skymap",
        Timestamp = new AmqpTimestamp(DateTimeOffset.UtcNow.ToUnixTimeSeconds()),
    };

    public static BasicProperties TaskProperties(PixelVariation task) => Properties(WireFormat.TaskMessageType, WireFormat.MessageId(task.Id, task.Attempt));

    public static BasicProperties ResultProperties(RecoPixelVariation result) => Properties(WireFormat.ResultMessageType, WireFormat.MessageId(result.Id, result.Attempt));

    /// <summary>Publishes to a queue through the default exchange and waits for the broker's confirm.</summary>
    /// <exception cref="BrokerUnavailableException">The queue does not exist, or the broker stayed away past the recovery timeout.</exception>
    public async Task PublishAsync(string queue, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _recoveryTimeout;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    timeout.CancelAfter(_publishTimeout);
                    await _channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, body, timeout.Token).ConfigureAwait(false);
                    if (attempt > 1)
                    {
                        Republished++;
                    }

                    return;
                }
                catch (PublishException e) when (e.IsReturn)
                {
                    throw new BrokerUnavailableException($"the broker returned a message for queue '{queue}': the queue does not exist (scan finished or deleted?)", e);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw;
                }
#pragma warning disable CA1031 // Any failure of a confirmed publish (connection loss, nack, confirm timeout) is retried until the deadline.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    if (DateTime.UtcNow >= deadline)
                    {
                        throw new BrokerUnavailableException($"could not publish to '{queue}' within {_recoveryTimeout.TotalSeconds:0} s: {e.Message}", e);
                    }

                    _logger.LogWarning("Publish to {Queue} not confirmed ({Error}); waiting for the connection and publishing again", queue, e.GetType().Name + ": " + e.Message);
                    await WaitUntilOpenAsync(_channel, deadline, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_channel.IsOpen)
            {
                await _channel.CloseAsync().ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException)
        {
            // Closing anyway.
        }

        _channel.Dispose();
        _lock.Dispose();
    }

    /// <summary>Waits until a channel is open again after automatic recovery (or the deadline passes).</summary>
    internal static async Task WaitUntilOpenAsync(IChannel channel, DateTime deadline, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        while (!channel.IsOpen && DateTime.UtcNow < deadline)
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 2));
        }
    }
}
