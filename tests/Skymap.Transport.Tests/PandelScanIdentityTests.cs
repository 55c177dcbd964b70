using Skymap.Transport.InProcess;
using Skymap.Transport.Contract;
using Skymap.Transport.Processes;
using Skymap.Transport.RabbitMq;
using Skymap.Transport.Tests.Support;

namespace Skymap.Transport.Tests;

/// <summary>
/// A real physics scan (pandel_mpe on the built-in 100 TeV track, nsides 1:0 2:12, fixed seed) gives the same result, every
/// field bit for bit, in process, through two worker processes and through RabbitMQ with two worker processes.
/// </summary>
[RequiresBroker]
public sealed class PandelScanIdentityTests : IDisposable
{
    private const string Nsides = "1:0 2:12";
    private const ulong Seed = 7;
    private static readonly Lazy<Task<string>> Reference = new(async () =>
        PandelScans.Fingerprint(await PandelScans.RunAsync(new InProcessDispatcher(2), Nsides, Seed)));
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-pandel-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [TransportFact]
    public async Task Pandel_mpe_through_worker_processes_equals_the_in_process_scan()
    {
        var processes = new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 2, Launch = TestWorkerProcess.StdioLaunch });
        Assert.Equal(await Reference.Value, PandelScans.Fingerprint(await PandelScans.RunAsync(processes, Nsides, Seed, directory: _dir)));
    }

    [TransportFact]
    public async Task Pandel_mpe_through_rabbitmq_equals_the_in_process_scan()
    {
        // The server writes startup.json when it starts; the workers wait for it (--startup-wait).
        var path = Path.Combine(_dir, "startup.json");
        var workers = new[] { TestWorkerProcess.StartRabbitMq(path, "--startup-wait", "60"), TestWorkerProcess.StartRabbitMq(path, "--startup-wait", "60") };
        try
        {
            var rabbit = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = Broker.Settings });
            Assert.Equal(await Reference.Value, PandelScans.Fingerprint(await PandelScans.RunAsync(rabbit, Nsides, Seed, directory: _dir)));
        }
        finally
        {
            foreach (var p in workers)
            {
                TestWorkerProcess.Stop(p);
            }
        }
    }
}
