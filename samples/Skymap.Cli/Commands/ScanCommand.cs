using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.Processes;
using Skymap.Transport.RabbitMq;
using Spectre.Console;

namespace Skymap.Cli.Commands;

/// <summary><c>skymap scan</c>: a full scan of one event.</summary>
internal static class ScanCommand
{
    public static Command Create()
    {
        var eventOpt = new Option<string>("--event", "--event-file") { Description = "A skymap-event/1 file, or builtin:NAME", Required = true };
        var recoOpt = new Option<string>("--reco", "--reco-algo") { Description = "Reconstruction name (dummy, crash_dummy, pandel_spe, pandel_mpe, millipede, or one from --reco-assembly)", Required = true };
        var nsidesOpt = new Option<string>("--nsides") { Description = "NSide progression", DefaultValueFactory = _ => NSideProgression.DefaultText };
        var outOpt = new Option<string>("--output-dir") { Description = "Directory for result files, scan-manifest.json and startup.json", Required = true };
        var workersOpt = new Option<int?>("--workers") { Description = "Worker count (default: logical CPU count)" }.Must(w => w >= 1, "≥ 1");
        var seedOpt = new Option<ulong?>("--seed") { Description = "Shuffle/reco seed (default: random, logged and stored)" };
        var pstOpt = new Option<double>("--predictive-scanning-threshold") { Description = "Fraction of an nside finished before the next is served, [0.1, 1.0]", DefaultValueFactory = _ => 1.0 }.Must(p => p is >= 0.1 and <= 1.0, "in [0.1, 1.0]");
        var failuresOpt = new Option<int>("--max-pixvar-failures") { Description = "Failures after which a pixel variation is recorded as failed", DefaultValueFactory = _ => 3 }.Must(k => k >= 1, "≥ 1");
        var neighbourOpt = new Option<double?>("--neighbour-refine-2dllh") { Description = "Refine neighbours whose 2|Δllh| exceeds this (default off)" }.Must(n => n > 0, "> 0");
        var realOpt = new Option<bool>("--real-event") { Description = "Mark the event as real data" };
        var simOpt = new Option<bool>("--simulated-event") { Description = "Mark the event as simulated" };
        var settingOpt = new Option<string[]>("--reco-setting") { Description = "Reco setting KEY=VALUE (repeatable), e.g. crash_probability=0.3", AllowMultipleArgumentsPerToken = false };
        var transportOpt = new Option<string>("--transport") { Description = "inprocess | processes | rabbitmq", DefaultValueFactory = _ => "inprocess" };
        var silenceOpt = new Option<double>("--server-silence-timeout") { Description = "Seconds without a reply before the scan fails", DefaultValueFactory = _ => 7200 }.PositiveSeconds();
        var taskTimeoutOpt = new Option<double>("--task-timeout") { Description = "Seconds per reco attempt", DefaultValueFactory = _ => 1800 }.PositiveSeconds();
        var progressOpt = new Option<double>("--progress-interval") { Description = "Seconds between progress reports", DefaultValueFactory = _ => 60 }.PositiveSeconds();
        var resultOpt = new Option<double>("--result-interval") { Description = "Seconds between partial results", DefaultValueFactory = _ => 120 }.PositiveSeconds();
        var scanIdOpt = new Option<string?>("--scan-id") { Description = "Scan id (default: generated)" };
        var verboseOpt = new Option<bool>("--verbose", "-v") { Description = "Log at information level" };
        var brokerOpt = new Option<string?>("--broker") { Description = "AMQP address for --transport rabbitmq (default: SKYMAP_BROKER_ADDRESS; credentials from SKYMAP_BROKER_AUTH)" };
        var startupDirOpt = new Option<string?>("--startup-json-dir") { Description = "Where the server writes startup.json for workers (default: the output dir)" };
        var cacheDirOpt = new Option<string?>("--cache-dir") { Description = "Checkpoint finished pixel variations here; a restarted scan with the same cache dir resumes" };
        var kernelOpt = CliOptions.KernelOption("Likelihood kernel of the recos that have one (pandel_spe, pandel_mpe, millipede)");
        var assemblyOpt = new Option<string[]>("--reco-assembly") { Description = "Load the recos of a plug-in assembly (repeatable); workers load the same file, checked by SHA-256", AllowMultipleArgumentsPerToken = false };
        var batchOpt = new Option<int>("--batch-size") { Description = "--transport processes with a batch-capable reco (--kernel ilgpu): requests sent ahead to each worker, fitted in one batch", DefaultValueFactory = _ => 1 }.Must(b => b is >= 1 and <= 4096, "in [1, 4096]");
        var noPlotsOpt = new Option<bool>("--no-plots") { Description = "Skip the figures (the FITS maps and contour files are still written)" };

        var cmd = new Command("scan", "Scan the sky for one event: every pixel fitted with its direction fixed, refined around the best pixels.")
        {
            eventOpt, recoOpt, nsidesOpt, outOpt, workersOpt, seedOpt, pstOpt, failuresOpt, neighbourOpt, realOpt, simOpt,
            settingOpt, transportOpt, silenceOpt, taskTimeoutOpt, progressOpt, resultOpt, scanIdOpt, verboseOpt, kernelOpt, brokerOpt, startupDirOpt, cacheDirOpt, assemblyOpt, batchOpt, noPlotsOpt,
        };

        cmd.SetAction(async (pr, ct) =>
        {
            var args = new ScanArguments
            {
                Event = pr.GetValue(eventOpt)!,
                Reco = pr.GetValue(recoOpt)!,
                Nsides = pr.GetValue(nsidesOpt)!,
                OutputDir = pr.GetValue(outOpt)!,
                Workers = pr.GetValue(workersOpt),
                Seed = pr.GetValue(seedOpt),
                Pst = pr.GetValue(pstOpt),
                MaxFailures = pr.GetValue(failuresOpt),
                NeighbourRefine = pr.GetValue(neighbourOpt),
                RealEvent = pr.GetValue(realOpt) ? true : pr.GetValue(simOpt) ? false : null,
                Settings = pr.GetValue(kernelOpt) is { } kernel ? [.. pr.GetValue(settingOpt) ?? [], $"kernel={kernel}"] : pr.GetValue(settingOpt) ?? [],
                Transport = pr.GetValue(transportOpt)!,
                SilenceTimeout = pr.GetValue(silenceOpt),
                TaskTimeout = pr.GetValue(taskTimeoutOpt),
                ProgressInterval = pr.GetValue(progressOpt),
                ResultInterval = pr.GetValue(resultOpt),
                ScanId = pr.GetValue(scanIdOpt),
                Verbose = pr.GetValue(verboseOpt),
                Broker = pr.GetValue(brokerOpt),
                StartupJsonDir = pr.GetValue(startupDirOpt),
                CacheDir = pr.GetValue(cacheDirOpt),
                NoPlots = pr.GetValue(noPlotsOpt),
                BatchSize = pr.GetValue(batchOpt),
                Kernel = pr.GetValue(kernelOpt),
                RecoAssemblies = pr.GetValue(assemblyOpt) ?? [],
            };
            return await CliRunner.RunAsync(() => RunAsync(args, ct)).ConfigureAwait(false);
        });
        return cmd;
    }

    internal sealed record ScanArguments
    {
        public required string Event { get; init; }
        public required string Reco { get; init; }
        public required string Nsides { get; init; }
        public required string OutputDir { get; init; }
        public int? Workers { get; init; }
        public int BatchSize { get; init; } = 1;
        public ulong? Seed { get; init; }
        public double Pst { get; init; }
        public int MaxFailures { get; init; }
        public double? NeighbourRefine { get; init; }
        public bool? RealEvent { get; init; }
        public IReadOnlyList<string> Settings { get; init; } = [];
        public string Transport { get; init; } = "inprocess";
        public double SilenceTimeout { get; init; }
        public double TaskTimeout { get; init; }
        public double ProgressInterval { get; init; }
        public double ResultInterval { get; init; }
        public string? ScanId { get; init; }
        public bool Verbose { get; init; }
        public string? Broker { get; init; }
        public string? StartupJsonDir { get; init; }
        public string? CacheDir { get; init; }
        public bool NoPlots { get; init; }
        public string? Kernel { get; init; }
        public IReadOnlyList<string> RecoAssemblies { get; init; } = [];
    }

    private static async Task<int> RunAsync(ScanArguments a, CancellationToken ct)
    {
        // Validate everything before anything is written.
        NSideProgression progression;
        try
        {
            progression = NSideProgression.Parse(a.Nsides);
        }
        catch (FormatException e)
        {
            throw new CliException($"--nsides: {e.Message}");
        }

        var settings = ParseSettings(a.Settings);
        var options = new ScanOptions
        {
            Progression = progression,
            PredictiveScanningThreshold = a.Pst,
            Seed = a.Seed,
            MaxPixvarFailures = a.MaxFailures,
            NeighbourRefine2dllh = a.NeighbourRefine,
            ServerSilenceTimeout = Seconds(a.SilenceTimeout, "--server-silence-timeout"),
            TaskTimeout = Seconds(a.TaskTimeout, "--task-timeout"),
            ProgressInterval = Seconds(a.ProgressInterval, "--progress-interval"),
            ResultInterval = Seconds(a.ResultInterval, "--result-interval"),
            ScanId = a.ScanId,
            RecoSettings = settings,
            IsRealEvent = a.RealEvent,
            StartupDirectory = a.OutputDir,
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw CliException.From(e);
        }

        if (a.Workers is < 1)
        {
            throw new CliException($"--workers must be ≥ 1, got {a.Workers}");
        }

        SkymapEvent evt;
        try
        {
            evt = BuiltinEvents.Load(a.Event);
        }
        catch (EventFormatException e)
        {
            throw new CliException($"--event: {e.Message}");
        }

        await using var services = CliServices.Build(a.Verbose ? LogLevel.Information : LogLevel.Warning, a.RecoAssemblies);
        var registry = services.GetRequiredService<RecoRegistry>();
        IRecoAlgorithm reco;
        try
        {
            reco = registry.Get(a.Reco);
        }
        catch (UnknownRecoException e)
        {
            throw new CliException($"--reco: {e.Message}");
        }

        if (a.Kernel is not null && !CliOptions.HasKernels(reco))
        {
            var withKernels = registry.Names.Where(n => CliOptions.HasKernels(registry.Get(n)));
            throw new CliException($"--kernel: reco '{reco.Name}' has no likelihood kernel (--kernel applies to {string.Join(", ", withKernels)})");
        }

        try
        {
            reco.ValidateSettings(options.ToRecoContext(0));
        }
        catch (ArgumentException e)
        {
            throw CliException.From(e, "--reco-setting");
        }

        if (evt.Header.IsRealEvent || a.RealEvent == true)
        {
            var run = evt.Header.RunId;
            if (run < 100_000 || run >= 1_000_000)
            {
                throw new CliException($"--real-event: a real event needs 1e5 ≤ run_id < 1e6, got {run}");
            }
        }

        var outputDir = OutputDirectory.EnsureWritable(a.OutputDir);
        if (a.CacheDir is { } cacheDir)
        {
            options = options with { CacheDirectory = OutputDirectory.EnsureWritable(cacheDir) };
        }

        options = options with { StartupDirectory = a.StartupJsonDir is { } sd ? OutputDirectory.EnsureWritable(sd) : outputDir };
        var dispatcher = TransportFactory.Create(
            new TransportChoice { Name = a.Transport, Workers = a.Workers, BatchSize = a.BatchSize, Broker = a.Broker, StartupJsonDir = a.StartupJsonDir },
            services);
        var display = new ScanDisplay(progression, reco.VertexVariations.Count);
        var products = ScanSummary.ProductsObserver(outputDir, evt, a.NoPlots, services);
        var observers = new List<IScanObserver> { new FileScanObserver(outputDir), products, display };
        var engine = new ScanEngine(reco, dispatcher, options, observers, logger: services.GetRequiredService<ILogger<ScanEngine>>());

        ScanOutcome outcome;
        await using (dispatcher.ConfigureAwait(false))
        {
            try
            {
                outcome = await display.RunAsync(c => engine.RunAsync(evt, c), ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is BrokerUnavailableException or WorkerStartException)
            {
                throw new CliException($"--transport {a.Transport}: {e.Message}", 4);
            }
            catch (InvalidDataException e) when (a.CacheDir is not null)
            {
                throw new CliException($"--cache-dir: {e.Message}");
            }
        }

        // A failed scan sends no final result: write the products of what it finished.
        var paths = products.LatestProducts ?? products.Write(outcome.Result, ct);
        ScanSummary.Print(outcome, evt, outputDir, products.LatestAnalysis, paths);
        return outcome.Status == ScanStatus.Completed ? 0 : 3;
    }

    private static TimeSpan Seconds(double s, string name) =>
        s > 0 && double.IsFinite(s) ? TimeSpan.FromSeconds(s) : throw new CliException($"{name} must be a positive number of seconds, got {s}");

    internal static Dictionary<string, string> ParseSettings(IReadOnlyList<string> pairs)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var p in pairs)
        {
            var i = p.IndexOf('=', StringComparison.Ordinal);
            if (i <= 0)
            {
                throw new CliException($"--reco-setting '{p}' is not of the form KEY=VALUE");
            }

            d[p[..i]] = p[(i + 1)..];
        }

        return d;
    }
}
