using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Core.Calibration;
using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using Skymap.Core.Pixels;
using Skymap.Core.Randomness;
using Skymap.Core.Recos;
using Skymap.Core.Refinement;
using Skymap.Core.Scanning;
using Skymap.Core.Simulation;
using Skymap.Transport.InProcess;

namespace Skymap.Cli.Commands;

/// <summary><c>skymap bench …</c>: measurements that are not unit tests.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var bench = new Command("bench", "Measurements: reconstruction quality on simulated events.");
        bench.Subcommands.Add(CreateQuality());
        bench.Subcommands.Add(CreateTransport());
        bench.Subcommands.Add(BenchKernelsCommand.Create());
        return bench;
    }

    private static Command CreateTransport()
    {
        var transports = new Option<string>("--transports") { Description = "Comma-separated: inprocess,processes,rabbitmq", DefaultValueFactory = _ => "inprocess,processes,rabbitmq" };
        var workers = new Option<int>("--workers") { Description = "Workers per transport", DefaultValueFactory = _ => 2 };
        var tasks = new Option<int>("--tasks") { Description = "Pixel variations per measurement", DefaultValueFactory = _ => 20_000 };
        var broker = new Option<string?>("--broker") { Description = "AMQP address (default SKYMAP_BROKER_ADDRESS)" };
        var inflight = new Option<int>("--tasks-per-worker") { Description = "Tasks in flight per worker process", DefaultValueFactory = _ => 1 };
        var prefetch = new Option<int?>("--prefetch") { Description = "RabbitMQ worker prefetch" };
        var cmd = new Command("transport", "Pixel variations per second through each transport with the dummy reco (transport overhead).")
        {
            transports, workers, tasks, broker, inflight, prefetch,
        };
        cmd.SetAction(async (pr, ct) =>
        {
            await using var services = CliServices.Build(LogLevel.Warning);
            return await TransportBenchHandler.RunAsync(
                new TransportBenchOptions
                {
                    Transports = pr.GetValue(transports)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Workers = pr.GetValue(workers),
                    Tasks = pr.GetValue(tasks),
                    Broker = pr.GetValue(broker),
                    TasksPerWorker = pr.GetValue(inflight),
                    Prefetch = pr.GetValue(prefetch),
                },
                services, ct).ConfigureAwait(false);
        });
        return cmd;
    }

    private static Command CreateQuality()
    {
        var reco = new Option<string>("--reco") { Description = "Reconstruction", DefaultValueFactory = _ => "pandel_mpe" };
        var events = new Option<int>("--events") { Description = "Number of simulated events", DefaultValueFactory = _ => 50 };
        var energy = new Option<double>("--energy") { Description = "Track energy [GeV]", DefaultValueFactory = _ => 1e5 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the event sample", DefaultValueFactory = _ => 1 };
        var nsides = new Option<string>("--nsides") { Description = "NSide progression of each scan", DefaultValueFactory = _ => NSideProgression.DefaultText };
        var workers = new Option<int?>("--workers") { Description = "In-process workers (default: CPU count)" };
        var radius = new Option<double>("--vertex-radius") { Description = "Vertices uniform in a sphere of this radius [m] about the detector centre", DefaultValueFactory = _ => 200 };
        var first = new Option<int>("--first-event") { Description = "Index of the first event of the sample (to split a study into parts)", DefaultValueFactory = _ => 0 };
        var region = new Option<double?>("--region-radius") { Description = "Scan only a disc of this radius [deg] around the true direction (its first nside); default: the full sky" };
        var trials = new Option<int?>("--calibration-trials") { Description = "Also calibrate every event by re-simulation with this many trials and report the calibrated coverage" };
        var calNsides = new Option<string>("--calibration-nsides") { Description = "Local progression of the calibration trials", DefaultValueFactory = _ => CalibrationOptions.DefaultProgressionText };
        var calRadius = new Option<double>("--calibration-radius") { Description = "Disc radius [deg] of the trials' first nside around the best fit", DefaultValueFactory = _ => CalibrationOptions.DefaultRadiusDegrees };
        var truth = new TruthModelOptions("", "the simulated events");
        var calTruth = new TruthModelOptions("calibration-", "the calibration trials (default: --truth-model)");
        var cmd = new Command("quality", "Simulate N through-going tracks with random directions, scan each, and report the median angular error, 50%/90% coverage and the median 90% area (optionally with per-event calibrated contours).")
        {
            reco, events, energy, seed, nsides, workers, radius, first, region, trials, calNsides, calRadius,
        };
        foreach (var o in truth.All.Concat(calTruth.All))
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction((pr, ct) => CliRunner.RunAsync(() =>
        {
            var model = truth.Resolve(pr);
            var q = new QualityArguments
            {
                Reco = pr.GetValue(reco)!,
                Events = pr.GetValue(events),
                Energy = pr.GetValue(energy),
                Seed = pr.GetValue(seed),
                Nsides = pr.GetValue(nsides)!,
                Workers = pr.GetValue(workers),
                VertexRadius = pr.GetValue(radius),
                FirstEvent = pr.GetValue(first),
                RegionRadiusDegrees = pr.GetValue(region),
                TruthModel = model,
                CalibrationTrials = pr.GetValue(trials),
                CalibrationNsides = pr.GetValue(calNsides)!,
                CalibrationRadiusDegrees = pr.GetValue(calRadius),
                CalibrationTruthModel = calTruth.Resolve(pr, model),
            };
            return RunQualityAsync(q, Console.Out, ct);
        }));
        return cmd;
    }

    internal sealed record QualityArguments
    {
        public string Reco { get; init; } = "pandel_mpe";
        public int Events { get; init; } = 50;
        public double Energy { get; init; } = 1e5;
        public ulong Seed { get; init; } = 1;
        public string Nsides { get; init; } = NSideProgression.DefaultText;
        public int? Workers { get; init; }
        public double VertexRadius { get; init; } = 200;
        public int FirstEvent { get; init; }
        public double? RegionRadiusDegrees { get; init; }
        public TruthModel TruthModel { get; init; } = TruthModel.Nominal;
        public int? CalibrationTrials { get; init; }
        public string CalibrationNsides { get; init; } = CalibrationOptions.DefaultProgressionText;
        public double CalibrationRadiusDegrees { get; init; } = CalibrationOptions.DefaultRadiusDegrees;
        public TruthModel CalibrationTruthModel { get; init; } = TruthModel.Nominal;
    }

    /// <summary>One simulated event of the quality sample: random isotropic direction, vertex in a sphere, random MJD.</summary>
    internal static SimulationOptions QualityEvent(ulong sampleSeed, int i, double energy, double vertexRadius)
    {
        var rng = new SplitMix64(SplitMix64.Hash(sampleSeed, (ulong)i, 0x51A7));
        var cosZen = (2 * rng.NextDouble()) - 1;
        var az = 2 * Math.PI * rng.NextDouble();
        Vector3D v;
        do
        {
            v = new Vector3D((2 * rng.NextDouble()) - 1, (2 * rng.NextDouble()) - 1, (2 * rng.NextDouble()) - 1);
        }
        while (v.LengthSquared > 1);

        return new SimulationOptions
        {
            Kind = SimulationKind.Track,
            Zenith = Math.Acos(cosZen),
            Azimuth = az,
            Energy = energy,
            Vertex = vertexRadius * v,
            Mjd = 58000 + (3000 * rng.NextDouble()),
            Seed = SplitMix64.Hash(sampleSeed, (ulong)i, 0x5EED),
            RunId = 0,
            EventId = i,
            EventType = "bench",
        };
    }

    private static NSideProgression ParseProgression(string text, string option)
    {
        try
        {
            return NSideProgression.Parse(text);
        }
        catch (FormatException e)
        {
            throw new CliException($"{option}: {e.Message}");
        }
    }

    private static async Task<int> RunQualityAsync(QualityArguments a, TextWriter stdout, CancellationToken ct)
    {
        var n = a.Events;
        if (n < 1)
        {
            throw new CliException($"--events must be ≥ 1, got {n}");
        }

        if (!(a.Energy > 0))
        {
            throw new CliException($"--energy must be > 0 GeV, got {a.Energy}");
        }

        if (a.FirstEvent < 0)
        {
            throw new CliException($"--first-event must be ≥ 0, got {a.FirstEvent}");
        }

        if (a.RegionRadiusDegrees is { } rr && !(rr > 0 && rr <= 180))
        {
            throw new CliException($"--region-radius must be in (0, 180] deg, got {rr}");
        }

        var progression = ParseProgression(a.Nsides, "--nsides");
        CalibrationOptions? calibration = null;
        if (a.CalibrationTrials is { } trials)
        {
            calibration = new CalibrationOptions
            {
                Trials = trials,
                TruthModel = a.CalibrationTruthModel,
                Progression = ParseProgression(a.CalibrationNsides, "--calibration-nsides"),
                Radius = a.CalibrationRadiusDegrees * Math.PI / 180,
            };
            if (calibration.Validate() is { } invalid)
            {
                throw new CliException($"--calibration-*: {invalid}");
            }
        }

        await using var services = CliServices.Build(LogLevel.Warning);
        IRecoAlgorithm reco;
        try
        {
            reco = services.GetRequiredService<RecoRegistry>().Get(a.Reco);
        }
        catch (UnknownRecoException e)
        {
            throw new CliException($"--reco: {e.Message}");
        }

        var errors = new List<double>();
        var areas90 = new List<double>();
        var calAreas90 = new List<double>();
        var calLevels90 = new List<double>();
        int in50 = 0, in90 = 0, cal50 = 0, cal90 = 0;
        var clock = Stopwatch.StartNew();
        var regionText = a.RegionRadiusDegrees is { } r ? string.Create(CultureInfo.InvariantCulture, $", scans in a {r:0.###}° disc around the truth") : "";
        stdout.WriteLine($"# bench quality: reco {a.Reco}, {n} tracks at {a.Energy:0.###e+0} GeV (events {a.FirstEvent}–{a.FirstEvent + n - 1}), nsides \"{progression}\"{regionText}, seed {a.Seed}, truth model {a.TruthModel}");
        if (calibration is not null)
        {
            stdout.WriteLine($"# calibration: {calibration.Trials} trials per event, truth model {calibration.TruthModel}, nsides \"{calibration.Progression}\" in {a.CalibrationRadiusDegrees:0.###}° around the best fit");
            stdout.WriteLine("# event  zenith  azimuth  error_deg  in50  in90  area90_deg2  2dllh_truth  cal50  cal90  cal_in50  cal_in90  cal_area90_deg2  cal_energy  seconds");
        }
        else
        {
            stdout.WriteLine("# event  zenith  azimuth  error_deg  in50  in90  area90_deg2  seconds");
        }

        stdout.Flush();
        for (var k = 0; k < n; k++)
        {
            var i = a.FirstEvent + k;
            var sim = QualityEvent(a.Seed, i, a.Energy, a.VertexRadius) with { Model = a.TruthModel };
            var evt = EventSimulator.Simulate(sim);
            var started = clock.Elapsed;
            var truth = evt.Truth!;
            var options = new ScanOptions
            {
                Progression = progression,
                Seed = a.Seed + (ulong)i,
                Region = a.RegionRadiusDegrees is { } rd ? new ScanRegion(truth.Ra, truth.Dec, rd * Math.PI / 180) : null,
            };
            ScanOutcome outcome;
            await using (var dispatcher = new InProcessDispatcher(a.Workers))
            {
                outcome = await new ScanEngine(reco, dispatcher, options).RunAsync(evt, ct).ConfigureAwait(false);
            }

            var result = outcome.Result.ToSkyScanResult();
            var analysis = new SkymapAnalysis(result);
            var cmp = TruthComparison.Compare(truth.Ra, truth.Dec, analysis.BestRa, analysis.BestDec,
                (ra, dec) => analysis.Llh(ra, dec) is { } llh ? analysis.DeltaLlh2(llh) : null);
            var area = analysis.PixelSumArea(analysis.Level90.Value);
            errors.Add(cmp.AngularDistanceDeg);
            areas90.Add(area);
            in50 += cmp.InsideContour50 ? 1 : 0;
            in90 += cmp.InsideContour90 ? 1 : 0;
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{i,7}  {sim.Zenith,6:0.000}  {sim.Azimuth,7:0.000}  {cmp.AngularDistanceDeg,9:0.0000}  {(cmp.InsideContour50 ? 1 : 0),4}  {(cmp.InsideContour90 ? 1 : 0),4}  {area,11:0.0000}");
            if (calibration is not null)
            {
                var calibrator = new ContourCalibrator(reco, () => new InProcessDispatcher(a.Workers));
                var c = await calibrator.RunAsync(evt, result, calibration with { Seed = SplitMix64.Hash(a.Seed, (ulong)i, 0xCA11) }, null, ct).ConfigureAwait(false);
                var atTruth = cmp.TwoDeltaLlhAtTruth ?? double.PositiveInfinity;
                var inCal50 = atTruth < c.Level50.Level;
                var inCal90 = atTruth < c.Level90.Level;
                cal50 += inCal50 ? 1 : 0;
                cal90 += inCal90 ? 1 : 0;
                var calArea = analysis.PixelSumArea(c.Level90.Level);
                calAreas90.Add(calArea);
                calLevels90.Add(c.Level90.Level);
                line += string.Create(CultureInfo.InvariantCulture,
                    $"  {atTruth,11:0.000}  {c.Level50.Level,5:0.00}  {c.Level90.Level,5:0.00}  {(inCal50 ? 1 : 0),8}  {(inCal90 ? 1 : 0),8}  {calArea,15:0.0000}  {c.Energy,10:0.###e+0}");
            }

            stdout.WriteLine(line + string.Create(CultureInfo.InvariantCulture, $"  {(clock.Elapsed - started).TotalSeconds,7:0.0}"));
            stdout.Flush();
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median angular error {Median(errors):0.000} deg; 50% coverage {(double)in50 / n:0.00}; 90% coverage {(double)in90 / n:0.00} (±{Math.Sqrt(0.09 / n):0.00}); median 90% area {Median(areas90):0.000} deg2; {n} events in {clock.Elapsed.TotalSeconds:0} s"));
        if (calibration is not null)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"calibrated ({calibration.Trials} trials/event): 50% coverage {(double)cal50 / n:0.00}; 90% coverage {(double)cal90 / n:0.00} (±{Math.Sqrt(0.09 / n):0.00}); median calibrated 90% level {Median(calLevels90):0.00}; median calibrated 90% area {Median(calAreas90):0.000} deg2"));
        }

        return 0;
    }

    internal static double Median(IReadOnlyList<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[(s.Length / 2) - 1] + s[s.Length / 2]);
    }
}
