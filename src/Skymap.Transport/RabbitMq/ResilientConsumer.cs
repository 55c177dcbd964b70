using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Skymap.Transport.RabbitMq;

/// <summary>
/// A manual-ack consumer of one queue that survives broker restarts. Automatic recovery restores consumers the broker did
/// not cancel; a quorum queue going down with its node cancels its consumers first (<c>basic.cancel</c>), which the client
/// does not recover. This class then waits for the connection, checks that the queue still exists and subscribes again.
/// A queue that is really gone (404) ends the consumer through <c>onQueueGone</c>.
/// </summary>
internal sealed class ResilientConsumer
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly string _queue;
    private readonly Func<Delivery, Task> _onDelivery;
    private readonly Func<Task> _onQueueGone;
    private readonly ILogger _logger;
    private readonly TimeSpan _recoveryTimeout;
    private volatile bool _stopping;
    private string? _tag;

    public ResilientConsumer(
        IConnection connection, IChannel channel, string queue, Func<Delivery, Task> onDelivery, Func<Task> onQueueGone, ILogger logger, TimeSpan recoveryTimeout)
    {
        _connection = connection;
        _channel = channel;
        _queue = queue;
        _onDelivery = onDelivery;
        _onQueueGone = onQueueGone;
        _logger = logger;
        _recoveryTimeout = recoveryTimeout;
    }

    public int Resubscriptions { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken) =>
        _tag = await _channel.BasicConsumeAsync(_queue, autoAck: false, CreateConsumer(), cancellationToken).ConfigureAwait(false);

    public async Task StopAsync()
    {
        _stopping = true;
        try
        {
            if (_tag is not null && _channel.IsOpen)
            {
                await _channel.BasicCancelAsync(_tag, noWait: false, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationInterruptedException or IOException or ObjectDisposedException or TimeoutException)
        {
            // Closing anyway.
        }
    }

    private AsyncEventingBasicConsumer CreateConsumer()
    {
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, ea) =>
        {
            var p = ea.BasicProperties;
            return _onDelivery(new Delivery(
                ea.DeliveryTag, p.IsTypePresent() ? p.Type : null, p.IsMessageIdPresent() ? p.MessageId : null, ea.Redelivered,
                p.IsHeadersPresent() ? p.Headers : null, ea.Body.ToArray()));
        };
        consumer.UnregisteredAsync += (_, _) =>
        {
            if (!_stopping)
            {
                _logger.LogWarning("The broker cancelled the consumer of {Queue}; checking the queue and subscribing again", _queue);
                _ = Task.Run(ResubscribeAsync);
            }

            return Task.CompletedTask;
        };
        return consumer;
    }

    private async Task ResubscribeAsync()
    {
        var deadline = DateTime.UtcNow + _recoveryTimeout;
        var notFound = 0;
        while (!_stopping && DateTime.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500)).ConfigureAwait(false);
            if (!_connection.IsOpen || !_channel.IsOpen)
            {
                continue;
            }

            try
            {
                await using (var probe = await _connection.CreateChannelAsync().ConfigureAwait(false))
                {
                    await probe.QueueDeclarePassiveAsync(_queue).ConfigureAwait(false);
                }

                if (_stopping)
                {
                    return;
                }

                _tag = await _channel.BasicConsumeAsync(_queue, autoAck: false, CreateConsumer()).ConfigureAwait(false);
                Resubscriptions++;
                _logger.LogInformation("Subscribed to {Queue} again", _queue);
                return;
            }
            catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
            {
                // A restarting node may answer 404 for a moment; three in a row over ~1.5 s mean the queue is gone.
                if (++notFound >= 3)
                {
                    await _onQueueGone().ConfigureAwait(false);
                    return;
                }
            }
#pragma warning disable CA1031 // Anything else (connection flapping, timeouts) is retried until the deadline.
            catch (Exception e)
#pragma warning restore CA1031
            {
                notFound = 0;
                _logger.LogDebug("Subscribing to {Queue} again failed: {Error}", _queue, e.Message);
            }
        }

        if (!_stopping)
        {
            _logger.LogError("Could not subscribe to {Queue} again within {Timeout} s", _queue, _recoveryTimeout.TotalSeconds);
            await _onQueueGone().ConfigureAwait(false);
        }
    }
}
