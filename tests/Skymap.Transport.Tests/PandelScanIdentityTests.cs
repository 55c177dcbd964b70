using System.Diagnostics;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Results;
using Skymap.Core.Scanning;
using Skymap.Recos;
using Skymap.Transport.Contract;
using Skymap.Transport.InProcess;
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
    private static readonly Lazy<Task<string>> Reference = new(() => ScanAsync(new InProcessDispatcher(2), null));
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-pandel-e2e-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [TransportFact]
    public async Task Pandel_mpe_through_worker_processes_equals_the_in_process_scan()
    {
        var processes = new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 2, Launch = TestWorkerProcess.StdioLaunch });
        Assert.Equal(await Reference.Value, await ScanAsync(processes, _dir));
    }

    [TransportFact]
    public async Task Pandel_mpe_through_rabbitmq_equals_the_in_process_scan()
    {
        var workers = new List<Process>();
        using var stop = new CancellationTokenSource();
        var starter = Task.Run(async () =>
        {
            // The server writes startup.json when it starts; the workers wait for it (--startup-wait).
            var path = Path.Combine(_dir, "startup.json");
            workers.Add(TestWorkerProcess.StartRabbitMq(path, "--startup-wait", "60"));
            workers.Add(TestWorkerProcess.StartRabbitMq(path, "--startup-wait", "60"));
            await Task.CompletedTask;
        });
        try
        {
            await starter;
            var rabbit = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = Broker.Settings });
            Assert.Equal(await Reference.Value, await ScanAsync(rabbit, _dir));
        }
        finally
        {
            foreach (var p in workers)
            {
                TestWorkerProcess.Stop(p);
            }
        }
    }

    private static async Task<string> ScanAsync(IPixelDispatcher dispatcher, string? directory)
    {
        var dir = directory ?? Directory.CreateTempSubdirectory("skymap-pandel-ref-").FullName;
        try
        {
            await using (dispatcher)
            {
                var options = new ScanOptions
                {
                    Progression = NSideProgression.Parse(Nsides),
                    Seed = Seed,
                    ServerSilenceTimeout = TimeSpan.FromSeconds(120),
                    TaskTimeout = TimeSpan.FromSeconds(60),
                    StartupDirectory = dir,
                };
                var outcome = await new ScanEngine(new PandelMpeReco(), dispatcher, options)
                    .RunAsync(BuiltinEvents.Load("builtin:track-100tev"), CancellationToken.None);
                Assert.Equal(ScanStatus.Completed, outcome.Status);
                var r = outcome.Result.ToSkyScanResult();
                Assert.True(r.BestFit() is { } best && double.IsFinite(best.Llh), "the scan has a finite best fit");
                return SkyScanResultJson.Serialize(r) + "\n" + Convert.ToBase64String(SkyScanResultNpz.ToBytes(r));
            }
        }
        finally
        {
            if (directory is null)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
