using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using Skymap.Core.Pixels;
using Skymap.Core.Randomness;
using Skymap.Core.Recos;
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
        var cmd = new Command("quality", "Simulate N through-going tracks with random directions, scan each, and report the median angular error, 50%/90% coverage and the median 90% area.")
        {
            reco, events, energy, seed, nsides, workers, radius,
        };
        cmd.SetAction((pr, ct) => CliRunner.RunAsync(() => RunQualityAsync(
            pr.GetValue(reco)!, pr.GetValue(events), pr.GetValue(energy), pr.GetValue(seed), pr.GetValue(nsides)!, pr.GetValue(workers), pr.GetValue(radius), Console.Out, ct)));
        return cmd;
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

    private static async Task<int> RunQualityAsync(
        string recoName, int n, double energy, ulong seed, string nsides, int? workers, double vertexRadius, TextWriter stdout, CancellationToken ct)
    {
        if (n < 1)
        {
            throw new CliException($"--events must be ≥ 1, got {n}");
        }

        if (!(energy > 0))
        {
            throw new CliException($"--energy must be > 0 GeV, got {energy}");
        }

        NSideProgression progression;
        try
        {
            progression = NSideProgression.Parse(nsides);
        }
        catch (FormatException e)
        {
            throw new CliException($"--nsides: {e.Message}");
        }

        await using var services = CliServices.Build(LogLevel.Warning);
        IRecoAlgorithm reco;
        try
        {
            reco = services.GetRequiredService<RecoRegistry>().Get(recoName);
        }
        catch (UnknownRecoException e)
        {
            throw new CliException($"--reco: {e.Message}");
        }

        var errors = new List<double>();
        var areas90 = new List<double>();
        int in50 = 0, in90 = 0;
        var clock = Stopwatch.StartNew();
        stdout.WriteLine($"# bench quality: reco {recoName}, {n} tracks at {energy:0.###e+0} GeV, nsides \"{progression}\", seed {seed}");
        stdout.WriteLine("# event  zenith  azimuth  error_deg  in50  in90  area90_deg2  seconds");
        for (var i = 0; i < n; i++)
        {
            var sim = QualityEvent(seed, i, energy, vertexRadius);
            var evt = EventSimulator.Simulate(sim);
            var started = clock.Elapsed;
            await using var dispatcher = new InProcessDispatcher(reco, workers);
            var options = new ScanOptions { Progression = progression, Seed = seed + (ulong)i };
            var outcome = await new ScanEngine(reco, dispatcher, options).RunAsync(evt, ct).ConfigureAwait(false);
            var analysis = new SkymapAnalysis(outcome.Result.ToSkyScanResult());
            var truth = evt.Truth!;
            var cmp = TruthComparison.Compare(truth.Ra, truth.Dec, analysis.BestRa, analysis.BestDec,
                (ra, dec) => analysis.Llh(ra, dec) is { } llh ? analysis.DeltaLlh2(llh) : null);
            var area = analysis.PixelSumArea(analysis.Level90.Value);
            errors.Add(cmp.AngularDistanceDeg);
            areas90.Add(area);
            in50 += cmp.InsideContour50 ? 1 : 0;
            in90 += cmp.InsideContour90 ? 1 : 0;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{i,7}  {sim.Zenith,6:0.000}  {sim.Azimuth,7:0.000}  {cmp.AngularDistanceDeg,9:0.0000}  {(cmp.InsideContour50 ? 1 : 0),4}  {(cmp.InsideContour90 ? 1 : 0),4}  {area,11:0.0000}  {(clock.Elapsed - started).TotalSeconds,7:0.0}"));
        }

        stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"median angular error {Median(errors):0.000} deg; 50% coverage {(double)in50 / n:0.00}; 90% coverage {(double)in90 / n:0.00}; median 90% area {Median(areas90):0.000} deg2; {n} events in {clock.Elapsed.TotalSeconds:0} s"));
        return 0;
    }

    internal static double Median(IReadOnlyList<double> values)
    {
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[(s.Length / 2) - 1] + s[s.Length / 2]);
    }
}
