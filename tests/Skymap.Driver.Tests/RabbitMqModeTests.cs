using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Skymap.Core.Recos;
using Skymap.Core.Results;
using Skymap.Driver.Tests.Support;
using Skymap.Transport.Driver;
using Skymap.Transport.RabbitMq;
using Skymap.Transport.Startup;
using Skymap.Transport.Workers;

namespace Skymap.Driver.Tests;

/// <summary>The class's tests need the RabbitMQ broker that .ci/start-rabbitmq.sh starts.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NeedsBrokerAttribute : Attribute, ISkipCondition
{
    public static string Address => Environment.GetEnvironmentVariable(BrokerSettings.AddressVariable) is { Length: > 0 } a ? a : BrokerSettings.DefaultAddress;

    private static readonly Lazy<string?> Why = new(() =>
    {
        try
        {
            var s = BrokerSettings.Parse(Address, Environment.GetEnvironmentVariable(BrokerSettings.AuthVariable));
            using var c = new TcpClient();
            c.Connect(s.Host, s.Port);
            return null;
        }
        catch (SocketException e)
        {
            return $"no RabbitMQ broker at {Address} ({e.Message}); run .ci/start-rabbitmq.sh";
        }
    });

    public string? SkipReason => Why.Value;
}

/// <summary>Launch:Mode RabbitMq: a worker pool finds the scan through /scans/running and /startup (the typed client).</summary>
[NeedsBroker]
public sealed class RabbitMqModeTests
{
    [DriverFact]
    public async Task Worker_pool_serves_a_scan_found_through_the_running_list()
    {
        using var host = new DriverHost(settings: new Dictionary<string, string?>
        {
            ["Launch:Mode"] = "RabbitMq",
            ["RabbitMq:Address"] = NeedsBrokerAttribute.Address,
        });
        using var client = new DriverClient(new Uri("http://localhost"), Tokens.System, host.Server.CreateHandler());
        var m = await host.SubmitAsync();
        var id = (string)m["scan_id"]!;
        Assert.Equal("RabbitMq", (string)m["launch_mode"]!);

        DriverRunningScan? running = null;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (running?.StartupSha256 is null && DateTime.UtcNow < deadline)
        {
            running = (await client.GetRunningScansAsync(CancellationToken.None)).SingleOrDefault(s => s.ScanId == id);
            await Task.Delay(100);
        }

        Assert.NotNull(running?.StartupSha256);
        Assert.Equal($"to-clients-{id}", running!.ToQueue);
        Assert.Equal($"from-clients-{id}", running.FromQueue);
        var bytes = await client.GetStartupAsync(id, CancellationToken.None);
        Assert.Equal(running.StartupSha256, StartupDocument.ComputeSha256(bytes));

        // A worker as `skymap worker --driver-address` would run it: the startup document from the Driver, tasks from the queue.
        var doc = StartupDocument.Parse(bytes);
        var worker = new RabbitMqWorker(doc.CreateHost(host.Services.GetRequiredService<RecoRegistry>()), new RabbitMqWorkerOptions
        {
            Broker = BrokerSettings.Parse(NeedsBrokerAttribute.Address, Environment.GetEnvironmentVariable(BrokerSettings.AuthVariable)),
            FirstMessageTimeout = TimeSpan.FromSeconds(60),
            IdleTimeout = TimeSpan.FromSeconds(60),
        });
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => worker.RunAsync(stop.Token));
        try
        {
            await host.WaitForFinalAsync(id);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAny(run, Task.Delay(10_000));
        }

        Assert.True(worker.TasksCompleted >= 16, $"worker completed {worker.TasksCompleted} tasks");
        var result = await client.SendAsync(HttpMethod.Get, $"/scan/{id}?include_deleted=true", null, CancellationToken.None);
        var sky = SkyScanResultJson.Deserialize(result["result"]!["skyscan_result"]!.ToJsonString());
        Assert.Equal(16, sky.PixelCount);
        Assert.Empty(await client.GetRunningScansAsync(CancellationToken.None));

        // The typed client raises the Driver's reason.
        var e = await Assert.ThrowsAsync<DriverApiException>(() => client.GetStatusAsync("0000000000x00000000000000000000", CancellationToken.None));
        Assert.Equal(404, e.StatusCode);
        Assert.Equal("Scan not found", e.Reason);
        using var user = new DriverClient(new Uri("http://localhost"), Tokens.User, host.Server.CreateHandler());
        var forbidden = await Assert.ThrowsAsync<DriverApiException>(() => user.GetRunningScansAsync(CancellationToken.None));
        Assert.Equal(403, forbidden.StatusCode);
        var found = await user.FindAsync(new JsonObject { ["scan_id"] = id }, includeDeleted: false, CancellationToken.None);
        Assert.Single(found["manifests"]!.AsArray());
    }
}
