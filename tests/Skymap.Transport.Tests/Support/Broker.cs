using System.Diagnostics;
using System.Net.Sockets;
using Skymap.Transport.RabbitMq;
using Skymap.Transport.Contract;

namespace Skymap.Transport.Tests.Support;

/// <summary>The test broker: <c>SKYMAP_BROKER_ADDRESS</c> or localhost (CI starts one with .ci/start-rabbitmq.sh).</summary>
internal static class Broker
{
    private static readonly Lazy<bool> Reachable = new(Probe);

    public static BrokerSettings Settings => BrokerSettings.FromEnvironment();

    public static bool IsReachable => Reachable.Value;

    public static string SkipReason => $"no RabbitMQ broker reachable at {Settings} (run .ci/start-rabbitmq.sh)";

    /// <summary>Runs rabbitmqctl (broker restart tests); false when it is not available.</summary>
    public static bool Ctl(params string[] args)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("rabbitmqctl", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            p.WaitForExit(120_000);
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static bool Probe()
    {
        try
        {
            var s = Settings;
            using var client = new TcpClient();
            return client.ConnectAsync(s.Host, s.Port).Wait(TimeSpan.FromSeconds(2)) && client.Connected;
        }
        catch (Exception e) when (e is SocketException or AggregateException or ArgumentException)
        {
            return false;
        }
    }
}

/// <summary>Marks a test class whose tests need a reachable RabbitMQ broker (they are skipped without one).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresBrokerAttribute : Attribute, ISkipCondition
{
    public string? SkipReason => Broker.IsReachable ? null : Broker.SkipReason;
}

/// <summary>Marks a test class whose tests run real scans (they need HEALPix, which may still be a stub on this branch).</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true)]
public sealed class RequiresHealpixAttribute : Attribute, ISkipCondition
{
    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            _ = Core.Healpix.Healpix.Pix2Ang(2, 5);
            return true;
        }
        catch (NotImplementedException)
        {
            return false;
        }
    });

    public string? SkipReason => Available.Value ? null : "HEALPix is not implemented in this build (stub)";
}
