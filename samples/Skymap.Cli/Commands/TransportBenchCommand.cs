using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.InProcess;
using Skymap.Transport.Processes;
using Skymap.Transport.RabbitMq;

namespace Skymap.Cli.Commands;

/// <summary>Options of <c>skymap bench transport</c>.</summary>
public sealed record TransportBenchOptions
{
    /// <summary>Transports to measure, in order (<c>inprocess</c>, <c>processes</c>, <c>rabbitmq</c>).</summary>
    public IReadOnlyList<string> Transports { get; init; } = ["inprocess", "processes", "rabbitmq"];

    /// <summary>Workers per transport (default 2).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Pixel variations sent per measurement (default 20000).</summary>
    public int Tasks { get; init; } = 20_000;

    /// <summary>The reco (default <c>dummy</c>, which costs almost nothing: the figures are transport overhead).</summary>
    public string Reco { get; init; } = "dummy";

    /// <summary>Broker address for <c>rabbitmq</c> (default <c>SKYMAP_BROKER_ADDRESS</c>, else localhost).</summary>
    public string? Broker { get; init; }

    /// <summary>How to start worker processes (null: this program, <c>worker --stdio</c>).</summary>
    public WorkerLaunch? Launch { get; init; }

    /// <summary>Tasks in flight per worker process for <c>processes</c> (default 1).</summary>
    public int TasksPerWorker { get; init; } = 1;

    /// <summary>Prefetch of each RabbitMQ worker (null: = its concurrency, 1).</summary>
    public int? Prefetch { get; init; }

    /// <summary>Directory for startup.json (null: a temporary one).</summary>
    public string? Directory { get; init; }
}

/// <summary>One measurement.</summary>
/// <param name="Transport">Transport name.</param>
/// <param name="Workers">Workers.</param>
/// <param name="Tasks">Pixel variations sent and answered.</param>
/// <param name="Seconds">Wall time from the first send to the last reply.</param>
public sealed record TransportBenchResult(string Transport, int Workers, int Tasks, double Seconds)
{
    /// <summary>Pixel variations per second.</summary>
    public double PerSecond => Tasks / Seconds;
}

/// <summary>
/// <c>skymap bench transport</c>: pixel variations per second through each transport with N workers and the dummy reco
/// (startup excluded: workers are warmed with one task first). RabbitMQ workers are started as <c>worker --transport
/// rabbitmq</c> processes of the same program.
/// </summary>
public static class TransportBenchHandler
{
    /// <summary>Runs the measurements and prints one line per transport; returns 0.</summary>
    public static async Task<int> RunAsync(TransportBenchOptions o, IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(services);
        var results = await MeasureAsync(o, services, ct).ConfigureAwait(false);
        Console.WriteLine($"{"transport",-10} {"workers",7} {"tasks",7} {"seconds",8} {"variations/s",13}   (processes: {o.TasksPerWorker} in flight per worker; rabbitmq: prefetch {o.Prefetch?.ToString(CultureInfo.InvariantCulture) ?? "1"})");
        foreach (var r in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Transport,-10} {r.Workers,7} {r.Tasks,7} {r.Seconds,8:0.000} {r.PerSecond,13:0}"));
        }

        return 0;
    }

    /// <summary>Runs the measurements.</summary>
    public static async Task<IReadOnlyList<TransportBenchResult>> MeasureAsync(TransportBenchOptions o, IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(services);
        var loggers = services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var reco = services.GetRequiredService<RecoRegistry>().Get(o.Reco);
        var launch = o.Launch ?? WorkerLaunch.CurrentProcess();
        var dir = o.Directory ?? System.IO.Directory.CreateTempSubdirectory("skymap-bench-").FullName;
        var results = new List<TransportBenchResult>();
        foreach (var transport in o.Transports)
        {
            var startup = Startup(reco, $"bench-{transport}-{Guid.NewGuid():N}"[..24], dir);
            var workers = new List<Process>();
            IPixelDispatcher d = transport switch
            {
                "inprocess" => new InProcessDispatcher(o.Workers, loggers.CreateLogger<InProcessDispatcher>()),
                "processes" => new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = o.Workers, Launch = launch, TasksPerWorker = o.TasksPerWorker }, loggers.CreateLogger<ProcessPoolDispatcher>()),
                "rabbitmq" => new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = BrokerSettings.FromEnvironment(o.Broker) }, loggers.CreateLogger<RabbitMqDispatcher>()),
                _ => throw new ArgumentException($"unknown transport '{transport}'", nameof(o)),
            };
            try
            {
                await d.StartAsync(startup, ct).ConfigureAwait(false);
                if (transport == "rabbitmq")
                {
                    for (var i = 0; i < o.Workers; i++)
                    {
                        workers.Add(StartRabbitWorker(launch, Path.Combine(dir, "startup.json"), o.Broker, o.Prefetch));
                    }
                }

                // Warm-up: every worker answers once before the clock starts.
                await RoundTripAsync(d, Tasks(startup, reco, o.Workers * 4, 8), ct).ConfigureAwait(false);
                var tasks = Tasks(startup, reco, o.Tasks, 1024);
                var sw = Stopwatch.StartNew();
                await RoundTripAsync(d, tasks, ct).ConfigureAwait(false);
                results.Add(new TransportBenchResult(transport, o.Workers, tasks.Count, sw.Elapsed.TotalSeconds));
                await d.CompleteAsync(ct).ConfigureAwait(false);
            }
            finally
            {
                await d.DisposeAsync().ConfigureAwait(false);
                foreach (var w in workers)
                {
                    if (!w.WaitForExit(10_000))
                    {
                        w.Kill(entireProcessTree: true);
                    }

                    w.Dispose();
                }
            }
        }

        return results;
    }

    private static async Task RoundTripAsync(IPixelDispatcher d, List<PixelVariation> tasks, CancellationToken ct)
    {
        var missing = tasks.Select(t => t.Id).ToHashSet();
        await d.SendAsync(tasks, ct).ConfigureAwait(false);
        while (missing.Count > 0)
        {
            var r = await d.ReceiveAsync(TimeSpan.FromSeconds(120), ct).ConfigureAwait(false)
                ?? throw new TimeoutException($"no reply for 120 s with {missing.Count} tasks outstanding");
            await d.AcknowledgeAsync(r, ct).ConfigureAwait(false);
            if (r.Status != PixelVariationStatus.Ok)
            {
                throw new InvalidOperationException($"task {r.Id} failed: {r.Status} {r.Error}");
            }

            missing.Remove(r.Id);
        }
    }

    private static ScanStartup Startup(IRecoAlgorithm reco, string scanId, string dir)
    {
        var evt = BuiltinEvents.Get(BuiltinEvents.Names[0]);
        var ctx = new RecoContext { ScanSeed = 1 };
        return new ScanStartup
        {
            ScanId = scanId,
            Reco = reco,
            RecoContext = ctx,
            Event = evt,
            Prepared = reco.Prepare(evt, ctx),
            Progression = NSideProgression.Parse("8:0 64:12 512:24"),
            Created = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
            StartupDirectory = dir,
            TaskTimeout = TimeSpan.FromSeconds(60),
        };
    }

    private static List<PixelVariation> Tasks(ScanStartup s, IRecoAlgorithm reco, int count, int nside)
    {
        var m = reco.VertexVariations.Count;
        var list = new List<PixelVariation>(count);
        for (var i = 0; i < count; i++)
        {
            list.Add(new PixelVariation
            {
                ScanId = s.ScanId,
                Id = new PixelVariationId(nside, i / m % (12L * nside * nside), i % m),
                RecoAlgo = reco.Name,
                Direction = new LocalDirection(1.0, 2.0),
                Ra = 0.5,
                Dec = 0.1,
                Seed = new RecoSeed(s.Prepared.SeedVertex, s.Prepared.SeedTime, double.NaN),
                SentTime = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0,
            });
        }

        return list;
    }

    private static Process StartRabbitWorker(WorkerLaunch launch, string startupPath, string? broker, int? prefetch)
    {
        var psi = new ProcessStartInfo(launch.FileName) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        var args = launch.Arguments.TakeWhile(a => a != "--stdio").ToList();
        args.AddRange(["--transport", "rabbitmq", "--startup-json", startupPath, "--idle-timeout", "600"]);
        if (broker is not null)
        {
            args.AddRange(["--broker", broker]);
        }

        if (prefetch is { } n)
        {
            args.AddRange(["--prefetch", n.ToString(CultureInfo.InvariantCulture)]);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in launch.Environment)
        {
            psi.Environment[k] = v;
        }

        var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {launch.FileName}");
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }
}
