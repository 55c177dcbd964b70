using System.Diagnostics;
using Skymap.Transport.Contract;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Results;
using Skymap.Core.Scanning;
using Skymap.Recos;
using Skymap.Transport.InProcess;
using Skymap.Transport.Processes;
using Skymap.Transport.RabbitMq;
using Skymap.Transport.Tests.Support;

namespace Skymap.Transport.Tests;

/// <summary>
/// Whole dummy scans (nsides 1:0 2:12 4:12, pst 1.0, fixed seed) through every transport with two workers: the result must
/// equal the in-process result bit for bit, also with workers killed (-9) along the way, a broker restart, and a server
/// killed and restarted on the same cache directory (which must not recompute what the checkpoint holds).
/// </summary>
[RequiresHealpix]
public sealed class ScanEndToEndTests : IAsyncLifetime
{
    private const string Nsides = "1:0 2:12 4:12";
    private const ulong Seed = 20_240_607;
    private static readonly Dictionary<string, string> Settings = new() { ["sleep"] = "0.002" };
    private static readonly Lazy<Task<string>> Reference = new(() => ReferenceAsync());
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-e2e-").FullName;
    private readonly List<Process> _workers = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        lock (_workers)
        {
            foreach (var p in _workers)
            {
                TestWorkerProcess.Stop(p);
            }
        }

        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [TransportFact]
    public async Task A_scan_through_worker_processes_equals_the_in_process_scan()
    {
        var outcome = await RunAsync(Processes());
        Assert.Equal(await Reference.Value, Fingerprint(outcome));
    }

    [TransportFact]
    public async Task A_scan_through_rabbitmq_equals_the_in_process_scan()
    {
        SkipWithoutBroker();
        var outcome = await RunAsync(Rabbit(), startWorkers: true);
        Assert.Equal(await Reference.Value, Fingerprint(outcome));
    }

    [TransportFact]
    public async Task Worker_processes_killed_repeatedly_do_not_change_the_result()
    {
        ProcessPoolDispatcher? pool = null;
        var kills = 0;
        var d = new WatchingDispatcher(pool = Processes())
        {
            OnReply = n =>
            {
                if (n % 25 == 0 && pool!.WorkerProcessIds is { Count: > 0 } pids)
                {
                    TestWorkerProcess.KillHard(pids[kills++ % pids.Count]);
                }

                return Task.CompletedTask;
            },
        };
        var outcome = await RunAsync(d);
        Assert.True(kills >= 3, $"only {kills} kills");
        Assert.True(outcome.Tallies.Retried > 0, "killed workers must have cost retries");
        Assert.Equal(0, outcome.Tallies.Failed);
        Assert.Equal(await Reference.Value, Fingerprint(outcome));
    }

    [TransportFact]
    public async Task Rabbitmq_workers_killed_repeatedly_and_a_broker_restart_do_not_change_the_result()
    {
        SkipWithoutBroker();
        var canRestart = Broker.Ctl("status");
        var kills = 0;
        var restarted = false;
        var d = new WatchingDispatcher(Rabbit())
        {
            OnReply = async n =>
            {
                if (n % 25 == 0)
                {
                    Process? victim;
                    lock (_workers)
                    {
                        victim = _workers.FirstOrDefault(p => !p.HasExited);
                    }

                    if (victim is not null)
                    {
                        TestWorkerProcess.KillHard(victim.Id);
                        kills++;
                    }
                }

                if (n == 60 && canRestart)
                {
                    Assert.True(Broker.Ctl("stop_app"));
                    await Task.Delay(1000);
                    Assert.True(Broker.Ctl("start_app"));
                    Assert.True(Broker.Ctl("await_startup"));
                    restarted = true;
                }
            },
        };
        var outcome = await RunAsync(d, startWorkers: true, superviseWorkers: true);
        Assert.True(kills >= 3, $"only {kills} kills");
        Assert.True(restarted || !canRestart);
        Assert.Equal(0, outcome.Tallies.Failed);
        Assert.Equal(await Reference.Value, Fingerprint(outcome));
    }

    [TransportFact]
    public async Task A_killed_process_transport_server_resumes_from_the_cache_dir_without_recomputation() =>
        await ResumeAsync(() => Processes(), startWorkers: false);

    [TransportFact]
    public async Task A_killed_rabbitmq_server_resumes_from_the_cache_dir_with_the_same_workers_without_recomputation()
    {
        SkipWithoutBroker();
        await ResumeAsync(() => Rabbit(), startWorkers: true);
    }

    private async Task ResumeAsync(Func<IPixelDispatcher> transport, bool startWorkers)
    {
        var cache = Path.Combine(_dir, "cache");
        var scanId = "resume-" + Guid.NewGuid().ToString("N")[..8];

        // First server: killed after 90 replies (no CompleteAsync: queues and workers stay, as after kill -9).
        var first = new WatchingDispatcher(transport()) { CrashAfter = 90 };
        using (var cp = new FileScanCheckpoint(cache, Identity()))
        {
            await Assert.ThrowsAsync<SimulatedCrashException>(() => RunAsync(first, cp, scanId, startWorkers, disposeTransport: false));
        }

        await first.Inner.DisposeAsync();
        using var check = new FileScanCheckpoint(cache, Identity());
        var saved = (await check.LoadAsync(CancellationToken.None)).Select(v => v.Id).ToHashSet();
        check.Dispose();
        Assert.InRange(saved.Count, 80, 90);

        // Second server, same cache dir (and for RabbitMQ the same, still running workers, which reload startup.json).
        var second = new WatchingDispatcher(transport());
        using var cp2 = new FileScanCheckpoint(cache, Identity());
        var outcome = await RunAsync(second, cp2, scanId, startWorkers: false);
        Assert.Equal(await Reference.Value, Fingerprint(outcome));
        Assert.DoesNotContain(second.Sent, saved.Contains);
        Assert.Equal(outcome.Tallies.Done, saved.Count + second.Sent.Distinct().Count());
    }

    private static string Identity() => FileScanCheckpoint.ComputeScanIdentity(
        BuiltinEvents.Get("oscnext-genie-0"), "dummy", Settings, NSideProgression.Parse(Nsides), Seed);

    private ProcessPoolDispatcher Processes() =>
        new(new ProcessPoolOptions { Workers = 2, Launch = TestWorkerProcess.StdioLaunch });

    private static RabbitMqDispatcher Rabbit() => new(new RabbitMqDispatcherOptions { Broker = Broker.Settings });

    private static void SkipWithoutBroker() => Assert.True(Broker.IsReachable, Broker.SkipReason);

    private async Task<ScanOutcome> RunAsync(
        IPixelDispatcher dispatcher, IScanCheckpoint? checkpoint = null, string? scanId = null, bool startWorkers = false,
        bool disposeTransport = true, bool superviseWorkers = false)
    {
        using var stop = new CancellationTokenSource();
        Task? workers = null;
        if (startWorkers)
        {
            workers = Task.Run(() => RunWorkersAsync(superviseWorkers, stop.Token));
        }

        try
        {
            var outcome = await Scan(dispatcher, checkpoint, scanId);
            Assert.Equal(ScanStatus.Completed, outcome.Status);
            return outcome;
        }
        finally
        {
            await stop.CancelAsync();
            if (workers is not null)
            {
                await workers;
            }

            if (disposeTransport)
            {
                await dispatcher.DisposeAsync();
            }
        }
    }

    private Task<ScanOutcome> Scan(IPixelDispatcher dispatcher, IScanCheckpoint? checkpoint, string? scanId)
    {
        var options = new ScanOptions
        {
            Progression = NSideProgression.Parse(Nsides),
            Seed = Seed,
            PredictiveScanningThreshold = 1.0,
            RecoSettings = Settings,
            ServerSilenceTimeout = TimeSpan.FromSeconds(120),
            TaskTimeout = TimeSpan.FromSeconds(60),
            StartupDirectory = _dir,
            ScanId = scanId,
        };
        return new ScanEngine(new DummyReco(), dispatcher, options, checkpoint: checkpoint).RunAsync(BuiltinEvents.Get("oscnext-genie-0"), CancellationToken.None);
    }

    /// <summary>Two RabbitMQ worker processes for startup.json in the output directory; supervised = dead ones are replaced.</summary>
    private async Task RunWorkersAsync(bool supervise, CancellationToken ct)
    {
        var path = Path.Combine(_dir, "startup.json");
        Process Start()
        {
            var p = TestWorkerProcess.StartRabbitMq(path, "--startup-wait", "60");
            lock (_workers)
            {
                _workers.Add(p);
            }

            return p;
        }

        var live = new List<Process> { Start(), Start() };
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(200, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (supervise)
            {
                for (var i = 0; i < live.Count; i++)
                {
                    if (live[i].HasExited)
                    {
                        live[i] = Start();
                    }
                }
            }
        }
    }

    private static async Task<string> ReferenceAsync()
    {
        var dir = Directory.CreateTempSubdirectory("skymap-e2e-ref-").FullName;
        try
        {
            await using var d = new InProcessDispatcher(2);
            var options = new ScanOptions
            {
                Progression = NSideProgression.Parse(Nsides),
                Seed = Seed,
                PredictiveScanningThreshold = 1.0,
                RecoSettings = Settings,
                ServerSilenceTimeout = TimeSpan.FromSeconds(120),
                StartupDirectory = dir,
            };
            var outcome = await new ScanEngine(new DummyReco(), d, options).RunAsync(BuiltinEvents.Get("oscnext-genie-0"), CancellationToken.None);
            Assert.Equal(ScanStatus.Completed, outcome.Status);
            return Fingerprint(outcome);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Fingerprint(ScanOutcome o) => PandelScans.Fingerprint(o.Result.ToSkyScanResult());
}
