using System.Net.Sockets;

namespace Skymap.Cli.Tests;

/// <summary>
/// A fact that needs the RabbitMQ broker (<c>SKYMAP_BROKER_ADDRESS</c>, default localhost:5672): skipped when none is
/// reachable, unless <c>SKYMAP_REQUIRE_ALL=1</c> (CI), where it runs and fails.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BrokerFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Reachable = new(Probe);

    public BrokerFactAttribute()
    {
        if (!Reachable.Value && Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1")
        {
            Skip = "no RabbitMQ broker reachable (run .ci/start-rabbitmq.sh)";
        }
    }

    private static bool Probe()
    {
        var address = Environment.GetEnvironmentVariable("SKYMAP_BROKER_ADDRESS") is { Length: > 0 } a ? new Uri(a) : new Uri("amqp://localhost:5672/");
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync(address.Host, address.Port > 0 ? address.Port : 5672).Wait(TimeSpan.FromSeconds(2)) && client.Connected;
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    }
}
