using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Core.Calibration;
using Skymap.Core.Events;
using Skymap.Core.Maps;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Results;
using Skymap.Core.Scanning;
using Skymap.Core.Simulation;
using Skymap.Plotting;
using Skymap.Transport.Processes;
using Skymap.Transport.RabbitMq;

namespace Skymap.Cli.Commands;

/// <summary>
/// <c>skymap calibrate RESULT --event EVENT --trials N</c>: per-event contour calibration by re-simulation. Writes the
/// result with the calibrated levels in its metadata and a <c>calibration.json</c> report with every trial.
/// </summary>
internal static class CalibrateCommand
{
    /// <summary>The report's format identifier.</summary>
    public const string ReportFormat = "skymap-calibration/1";

    public static Command Create()
    {
        var result = new Argument<string>("result") { Description = "The event's scan result (.json or .npz)" };
        var eventOpt = new Option<string>("--event", "--event-file") { Description = "The scanned event: a skymap-event/1 file, or builtin:NAME", Required = true };
        var trials = new Option<int>("--trials") { Description = $"Re-simulated events (≥ {CalibrationOptions.MinimumTrials})", Required = true };
        var reco = new Option<string>("--reco", "--reco-algo") { Description = "The reconstruction the result was scanned with", DefaultValueFactory = _ => "pandel_mpe" };
        var seed = new Option<ulong>("--seed") { Description = "Calibration seed (trial seeds derive from it)", DefaultValueFactory = _ => 1 };
        var nsides = new Option<string>("--nsides") { Description = "Local progression of each trial scan (its first nside only in the disc)", DefaultValueFactory = _ => CalibrationOptions.DefaultProgressionText };
        var radius = new Option<double>("--radius") { Description = "Radius [deg] of the disc around the best fit scanned at the first nside", DefaultValueFactory = _ => CalibrationOptions.DefaultRadiusDegrees };
        var energy = new Option<double?>("--energy") { Description = "Muon energy of the trials [GeV] (default: the best fit's, else matched to the event's charge)" };
        var transport = new Option<string>("--transport") { Description = "inprocess | processes | rabbitmq", DefaultValueFactory = _ => "inprocess" };
        var workers = new Option<int?>("--workers") { Description = "Workers per trial scan (default: logical CPU count)" };
        var concurrent = new Option<int>("--concurrent-trials") { Description = "Trial scans running at the same time", DefaultValueFactory = _ => 1 };
        var broker = new Option<string?>("--broker") { Description = "AMQP address for --transport rabbitmq (default: SKYMAP_BROKER_ADDRESS)" };
        var setting = new Option<string[]>("--reco-setting") { Description = "Reco setting KEY=VALUE (repeatable), as for the scan" };
        var output = new Option<string?>("--output") { Description = "Where to write the calibrated result (.json; default: RESULT itself, or RESULT with .json for an .npz)" };
        var report = new Option<string?>("--report") { Description = "Where to write the calibration report (default: calibration.json beside the output)" };
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Log at information level" };
        var startupDir = new Option<string?>("--startup-json-dir") { Description = "Where each trial writes startup.json for broker workers (default: a temporary directory)" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Do not write the FITS maps and plots of the calibrated result beside it" };
        var localWorkers = new Option<int>("--local-workers") { Description = "With --transport rabbitmq: broker worker processes started here for every trial (0: workers are run elsewhere)", DefaultValueFactory = _ => 0 };
        var truth = new TruthModelOptions("", "the re-simulated events");
        var cmd = new Command("calibrate", "Calibrate an event's 50%/90% contour levels by re-simulating it at its best fit and scanning the trials around it.")
        {
            result, eventOpt, trials, reco, seed, nsides, radius, energy, transport, workers, concurrent, broker, setting, output, report, verbose, startupDir, localWorkers, noPlots,
        };
        foreach (var o in truth.All)
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction((pr, ct) => CliRunner.RunAsync(() => RunAsync(
            new CalibrateArguments
            {
                Result = pr.GetValue(result)!,
                Event = pr.GetValue(eventOpt)!,
                Trials = pr.GetValue(trials),
                Reco = pr.GetValue(reco)!,
                Seed = pr.GetValue(seed),
                Nsides = pr.GetValue(nsides)!,
                RadiusDegrees = pr.GetValue(radius),
                Energy = pr.GetValue(energy),
                Transport = pr.GetValue(transport)!,
                Workers = pr.GetValue(workers),
                ConcurrentTrials = pr.GetValue(concurrent),
                Broker = pr.GetValue(broker),
                Settings = pr.GetValue(setting) ?? [],
                Output = pr.GetValue(output),
                Report = pr.GetValue(report),
                Verbose = pr.GetValue(verbose),
                StartupJsonDir = pr.GetValue(startupDir),
                LocalWorkers = pr.GetValue(localWorkers),
                NoPlots = pr.GetValue(noPlots),
                TruthModel = truth.Resolve(pr),
            },
            Console.Out,
            ct)));
        return cmd;
    }

    internal sealed record CalibrateArguments
    {
        public required string Result { get; init; }
        public required string Event { get; init; }
        public required int Trials { get; init; }
        public string Reco { get; init; } = "pandel_mpe";
        public ulong Seed { get; init; } = 1;
        public string Nsides { get; init; } = CalibrationOptions.DefaultProgressionText;
        public double RadiusDegrees { get; init; } = CalibrationOptions.DefaultRadiusDegrees;
        public double? Energy { get; init; }
        public string Transport { get; init; } = "inprocess";
        public int? Workers { get; init; }
        public int ConcurrentTrials { get; init; } = 1;
        public string? Broker { get; init; }
        public IReadOnlyList<string> Settings { get; init; } = [];
        public string? Output { get; init; }
        public string? Report { get; init; }
        public bool Verbose { get; init; }
        public string? StartupJsonDir { get; init; }
        public int LocalWorkers { get; init; }
        public bool NoPlots { get; init; }
        public TruthModel TruthModel { get; init; } = TruthModel.Nominal;
    }

    internal static async Task<int> RunAsync(CalibrateArguments a, TextWriter stdout, CancellationToken ct)
    {
        // Validate everything before any trial runs.
        NSideProgression progression;
        try
        {
            progression = NSideProgression.Parse(a.Nsides);
        }
        catch (FormatException e)
        {
            throw new CliException($"--nsides: {e.Message}");
        }

        if (!(a.RadiusDegrees > 0 && a.RadiusDegrees <= 180))
        {
            throw new CliException($"--radius must be in (0, 180] deg, got {a.RadiusDegrees.ToString(CultureInfo.InvariantCulture)}");
        }

        if (a.Workers is < 1)
        {
            throw new CliException($"--workers must be ≥ 1, got {a.Workers}");
        }

        if (a.LocalWorkers < 0 || (a.LocalWorkers > 0 && a.Transport != "rabbitmq"))
        {
            throw new CliException($"--local-workers must be ≥ 0 and is only for --transport rabbitmq, got {a.LocalWorkers} with --transport {a.Transport}");
        }

        var options = new CalibrationOptions
        {
            Trials = a.Trials,
            Seed = a.Seed,
            TruthModel = a.TruthModel,
            Progression = progression,
            Radius = a.RadiusDegrees * Math.PI / 180,
            Energy = a.Energy,
            RecoSettings = ScanCommand.ParseSettings(a.Settings),
            ConcurrentTrials = a.ConcurrentTrials,
        };
        if (options.Validate() is { } invalid)
        {
            throw new CliException(a.Trials < CalibrationOptions.MinimumTrials ? $"--trials: {invalid}" : invalid);
        }

        SkyScanResult result;
        try
        {
            result = ResultFiles.Read(a.Result);
        }
        catch (SkyScanResultFormatException e)
        {
            throw new CliException($"{a.Result}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            throw new CliException($"cannot read '{a.Result}': {e.Message}");
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

        try
        {
            ContourCalibrator.CheckBelongTogether(evt, result);
        }
        catch (CalibrationInputException e)
        {
            throw new CliException($"{a.Result} and --event {a.Event}: {e.Message}");
        }

        var outputPath = Path.GetFullPath(a.Output ?? Path.ChangeExtension(a.Result, ".json"));
        if (!outputPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException($"--output must be a .json file (the .npz header has no room for the calibration), got '{a.Output}'");
        }

        var reportPath = Path.GetFullPath(a.Report ?? Path.Combine(Path.GetDirectoryName(outputPath) ?? ".", "calibration.json"));
        foreach (var path in new[] { outputPath, reportPath })
        {
            var dir = Path.GetDirectoryName(path);
            if (dir is not null && !Directory.Exists(dir))
            {
                throw new CliException($"cannot write '{path}': directory '{dir}' does not exist");
            }
        }

        await using var services = CliServices.Build(a.Verbose ? LogLevel.Information : LogLevel.Warning);
        IRecoAlgorithm recoAlgorithm;
        try
        {
            recoAlgorithm = services.GetRequiredService<RecoRegistry>().Get(a.Reco);
            recoAlgorithm.ValidateSettings(new RecoContext { ScanSeed = 0, Settings = options.RecoSettings });
        }
        catch (UnknownRecoException e)
        {
            throw new CliException($"--reco: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new CliException($"--reco-setting: {e.Message}");
        }

        string? ownedStartupDir = null;
        var startupDir = a.StartupJsonDir is { } sd
            ? OutputDirectory.EnsureWritable(sd)
            : a.Transport == "rabbitmq" ? ownedStartupDir = Directory.CreateTempSubdirectory("skymap-calibrate-").FullName : null;
        options = options with { StartupDirectory = startupDir };
        var choice = new TransportChoice { Name = a.Transport, Workers = a.Workers, Broker = a.Broker, StartupJsonDir = startupDir };
        // Fail on an unknown transport or bad broker settings now, not in the first trial.
        await TransportFactory.Create(choice, services).DisposeAsync().ConfigureAwait(false);
        var workerLog = services.GetRequiredService<ILogger<ContourCalibrator>>();
        IPixelDispatcher Dispatcher()
        {
            var d = TransportFactory.Create(choice, services);
            return a.LocalWorkers > 0 && d is RabbitMqDispatcher rabbit ? new CalibrateBrokerWorkers(rabbit, a.LocalWorkers, a.Broker, workerLog) : d;
        }

        var calibrator = new ContourCalibrator(recoAlgorithm, Dispatcher, workerLog);
        var done = 0;
        var progress = new Progress<CalibrationTrial>(t =>
        {
            var n = Interlocked.Increment(ref done);
            if (a.Verbose)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"trial {t.Index}: 2ΔLLH {t.TwoDeltaLlh:0.###} at the injected direction ({n}/{a.Trials}, {t.Elapsed.TotalSeconds:0.0} s)"));
            }
        });

        ContourCalibration calibration;
        try
        {
            calibration = await calibrator.RunAsync(evt, result, options, progress, ct).ConfigureAwait(false);
        }
        catch (CalibrationInputException e)
        {
            throw new CliException($"{a.Result} and --event {a.Event}: {e.Message}");
        }
        catch (Exception e) when (e is BrokerUnavailableException or WorkerStartException)
        {
            throw new CliException($"--transport {a.Transport}: {e.Message}", 4);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message, 3);
        }
        finally
        {
            if (ownedStartupDir is not null)
            {
                Directory.Delete(ownedStartupDir, recursive: true);
            }
        }

        var calibrated = calibration.ApplyTo(result);
        try
        {
            ResultFiles.WriteAtomically(outputPath, s => SkyScanResultJson.Write(calibrated, s));
            ResultFiles.WriteAtomically(reportPath, s => WriteReport(calibration, calibrated, a.Reco, s));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write the calibration: {e.Message}", 1);
        }

        PrintSummary(calibration, calibrated, stdout);
        stdout.WriteLine($"Wrote {outputPath} (levels in its metadata) and {reportPath}");
        if (!a.NoPlots)
        {
            // FITS header cards CALIB_* and the "calibrated 90%" contour of the zoomed plot come from the metadata.
            var directory = Path.GetDirectoryName(outputPath) ?? ".";
            try
            {
                var paths = SkymapProducts.WriteAll(
                    new SkymapAnalysis(calibrated), directory, new SkymapProductOptions { Figures = new SkymapFigureWriter(SkymapFigureOptions.Default) });
                stdout.WriteLine($"Wrote {paths.All.Count()} map/plot files to {directory}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"cannot write the maps and plots to '{directory}': {e.Message}", 1);
            }
        }
        return 0;
    }

    internal static void PrintSummary(ContourCalibration c, SkyScanResult calibrated, TextWriter stdout)
    {
        var o = c.Options;
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Calibration of {calibrated.EventName}: {c.Trials.Count} trials at RA {c.Injected.Ra * 180 / Math.PI:0.000}°, Dec {c.Injected.Dec * 180 / Math.PI:0.000}°, {c.Energy:0.###e+0} GeV ({c.EnergySource}), truth model {o.TruthModel}"));
        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  trial scans: nsides \"{o.Progression}\" in {o.Radius * 180 / Math.PI:0.###}° around the best fit, transport {c.Transport}, seed {o.Seed}; {c.Elapsed.TotalSeconds:0.0} s"));
        foreach (var level in new[] { c.Level50, c.Level90 })
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"calibrated {level.Containment * 100:0}%: 2ΔLLH < {level.Level:0.###} (68% interval {level.Lower:0.###}–{level.Upper:0.###}; coverage ±{level.CoverageUncertainty:0.000}); Wilks {level.Wilks:0.###}"));
        }

        if (c.MissingTrials > 0)
        {
            stdout.WriteLine($"  {c.MissingTrials} trial(s) had no finite value at the injected direction (counted as outside every contour)");
        }
    }

    private static void WriteReport(ContourCalibration c, SkyScanResult calibrated, string reco, Stream stream)
    {
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var o = c.Options;
        var m = o.TruthModel;
        w.WriteStartObject();
        w.WriteString("format", ReportFormat);
        w.WriteString("event", calibrated.EventName);
        w.WriteString("reco", reco);
        w.WriteNumber("seed", o.Seed);
        w.WriteNumber("trials", c.Trials.Count);
        w.WriteString("nsides", o.Progression.ToString());
        w.WriteNumber("radius_deg", o.Radius * 180 / Math.PI);
        w.WriteString("transport", c.Transport);
        w.WriteStartObject("truth_model");
        w.WriteString("name", m.Name);
        w.WriteNumber("scattering_scale", m.ScatteringScale);
        w.WriteNumber("absorption_scale", m.AbsorptionScale);
        w.WriteNumber("dom_efficiency", m.DomEfficiency);
        w.WriteNumber("noise_scale", m.NoiseScale);
        w.WriteNumber("time_jitter", m.TimeJitter);
        w.WriteNumber("late_tail_fraction", m.LateTailFraction);
        w.WriteNumber("late_tail_time", m.LateTailTime);
        w.WriteEndObject();
        w.WriteStartObject("injected");
        w.WriteNumber("ra", c.Injected.Ra);
        w.WriteNumber("dec", c.Injected.Dec);
        w.WriteNumber("zenith", c.InjectedLocal.Zenith);
        w.WriteNumber("azimuth", c.InjectedLocal.Azimuth);
        w.WriteNumber("x", c.Vertex.X);
        w.WriteNumber("y", c.Vertex.Y);
        w.WriteNumber("z", c.Vertex.Z);
        w.WriteNumber("time", c.Time);
        w.WriteNumber("energy", c.Energy);
        w.WriteString("energy_source", c.EnergySource);
        w.WriteEndObject();
        w.WriteStartArray("levels");
        foreach (var l in new[] { c.Level50, c.Level90 })
        {
            w.WriteStartObject();
            w.WriteNumber("containment", l.Containment);
            WriteNumberOrNull(w, "level", l.Level);
            WriteNumberOrNull(w, "low", l.Lower);
            WriteNumberOrNull(w, "high", l.Upper);
            w.WriteNumber("coverage_uncertainty", l.CoverageUncertainty);
            w.WriteNumber("wilks", l.Wilks);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("trial_results");
        foreach (var t in c.Trials)
        {
            w.WriteStartObject();
            w.WriteNumber("index", t.Index);
            w.WriteNumber("simulation_seed", t.SimulationSeed);
            w.WriteNumber("scan_seed", t.ScanSeed);
            WriteNumberOrNull(w, "two_delta_llh", t.TwoDeltaLlh);
            WriteNumberOrNull(w, "error_deg", t.ErrorDegrees);
            w.WriteNumber("pixels", t.Pixels);
            w.WriteNumber("seconds", Math.Round(t.Elapsed.TotalSeconds, 3));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("elapsed_seconds", Math.Round(c.Elapsed.TotalSeconds, 3));
        w.WriteEndObject();
    }

    private static void WriteNumberOrNull(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
