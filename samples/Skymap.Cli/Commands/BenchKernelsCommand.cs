using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Skymap.Core.Pixels;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Ilgpu;
using Skymap.Core.Recos;
using Skymap.Core.Refinement;
using Skymap.Recos;

namespace Skymap.Cli.Commands;

/// <summary>
/// <c>skymap bench kernels</c>: DOM-evaluations/s and fits/s of every likelihood backend present (scalar, each SIMD
/// width, ILGPU's CPU accelerator, each usable GPU) on a built-in event's Pandel llh.
/// </summary>
internal static class BenchKernelsCommand
{
    public static Command Create()
    {
        var evt = new Option<string>("--event") { Description = "Event (builtin:NAME or a file)", DefaultValueFactory = _ => "builtin:track-100tev" };
        var reco = new Option<string>("--reco") { Description = "pandel_mpe or pandel_spe", DefaultValueFactory = _ => "pandel_mpe" };
        var seconds = new Option<double>("--seconds") { Description = "Time per llh measurement [s], in 0.1 s rounds (the best round is reported)", DefaultValueFactory = _ => 2.0 };
        var fits = new Option<int>("--fits") { Description = "Pixel-variation fits per backend (ilgpu-cpu fits at most 32)", DefaultValueFactory = _ => 128 };
        var batch = new Option<int>("--batch") { Description = "Hypotheses per ILGPU launch in the llh measurement", DefaultValueFactory = _ => 4096 };
        var backends = new Option<string?>("--backends") { Description = "Comma-separated subset: scalar,simd,ilgpu-cpu,ilgpu (default: all present)" };
        var cmd = new Command("kernels", "DOM-evaluations/s and fits/s of each likelihood backend present (scalar, SIMD width, ILGPU devices) on a built-in event.")
        {
            evt, reco, seconds, fits, batch, backends,
        };
        cmd.SetAction(pr => CliRunner.Run(() => Run(
            pr.GetValue(evt)!, pr.GetValue(reco)!, pr.GetValue(seconds), pr.GetValue(fits), pr.GetValue(batch), pr.GetValue(backends), Console.Out)));
        return cmd;
    }

    internal static int Run(string eventSpec, string recoName, double seconds, int fitCount, int batch, string? only, TextWriter stdout)
    {
        PandelTrackReco reco = recoName switch
        {
            "pandel_mpe" => new PandelMpeReco(),
            "pandel_spe" => new PandelSpeReco(),
            _ => throw new CliException($"--reco must be pandel_mpe or pandel_spe, got '{recoName}'"),
        };
        if (!(seconds > 0) || fitCount < 1 || batch < 1)
        {
            throw new CliException("--seconds must be > 0, --fits and --batch ≥ 1");
        }

        SkymapEvent evt;
        try
        {
            evt = BuiltinEvents.Load(eventSpec);
        }
        catch (Exception e) when (e is IOException or ArgumentException or FormatException or InvalidDataException or KeyNotFoundException)
        {
            throw new CliException($"--event: {e.Message}");
        }

        var wanted = only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var prepared = reco.Prepare(evt, new RecoContext());
        var doms = HitDomArrays.FromHits(prepared.HitDoms);
        var hyps = Hypotheses(prepared, 256);
        var requests = Requests(prepared, fitCount);
        stdout.WriteLine($"{recoName} on {eventSpec}: {doms.Count} hit DOMs; {Environment.ProcessorCount} logical CPUs; one thread per backend");
        stdout.WriteLine($"{"backend",-11} {"kernel",-44} {"DOM-evals/s",14} {"fits/s",10}  fit mode");

        var rows = new List<(string Key, Func<ILikelihoodKernel> Kernel)> { ("scalar", () => ScalarLikelihoodKernel.Instance) };
        rows.AddRange(SimdLikelihoodKernel.AvailableLaneCounts.Select(w => ("simd", (Func<ILikelihoodKernel>)(() => new SimdLikelihoodKernel(w)))));
        rows.Add(("ilgpu-cpu", () => LikelihoodKernels.Create(KernelKind.IlgpuCpu)));
        if (IlgpuDevices.UnavailableReason is null)
        {
            rows.Add(("ilgpu", () => LikelihoodKernels.Create(KernelKind.Ilgpu)));
        }
        else
        {
            stdout.WriteLine($"(no GPU: {IlgpuDevices.UnavailableReason})");
        }

        var simdFitted = false;
        foreach (var (key, make) in rows)
        {
            if (wanted is not null && !wanted.Contains(key))
            {
                continue;
            }

            ILikelihoodKernel kernel;
            try
            {
                kernel = make();
            }
            catch (NotSupportedException e)
            {
                stdout.WriteLine($"{key,-11} unavailable: {e.Message}");
                continue;
            }

            var isIlgpu = kernel is IlgpuLikelihoodKernel;
            var perLaunch = kernel.Kind == KernelKind.IlgpuCpu ? Math.Min(batch, 64) : batch;
            var evals = MeasureLlh(kernel, reco.Variant, doms, hyps, isIlgpu ? perLaunch : 1, seconds);

            // Fits: one at a time through the reco's worker on CPU kernels (kernel=simd fits with the widest width, so
            // only the first SIMD row fits); lockstep batches on ILGPU.
            if (key == "simd" && simdFitted)
            {
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-11} {Truncate(kernel.Name, 44),-44} {evals,14:E3} {"-",10}  (fits use the widest width)"));
                continue;
            }

            simdFitted |= key == "simd";
            var context = new RecoContext { Settings = new Dictionary<string, string> { ["kernel"] = key } };
            var worker = reco.CreateWorker(prepared, context);
            var n = kernel.Kind == KernelKind.IlgpuCpu ? Math.Min(32, requests.Count) : requests.Count;
            var subset = requests.Take(n).ToList();
            double fitsPerSecond;
            string mode;
            if (isIlgpu && worker is IBatchRecoWorker batched)
            {
                var sw = Stopwatch.StartNew();
                var items = batched.FitBatch(subset, CancellationToken.None);
                fitsPerSecond = items.Count / sw.Elapsed.TotalSeconds;
                mode = $"lockstep batch of {items.Count}";
            }
            else
            {
                var sw = Stopwatch.StartNew();
                foreach (var r in subset)
                {
                    worker.Fit(r, CancellationToken.None);
                }

                fitsPerSecond = subset.Count / sw.Elapsed.TotalSeconds;
                mode = $"one at a time, {subset.Count} fits";
            }

            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{key,-11} {Truncate(kernel.Name, 44),-44} {evals,14:E3} {fitsPerSecond,10:F1}  {mode}"));
        }

        return 0;
    }

    /// <summary>
    /// DOM evaluations per second: hypotheses evaluated singly (CPU kernels) or in launches of <paramref name="perCall"/>,
    /// in rounds of 0.1 s for <paramref name="seconds"/>; the best round's rate is reported, so that other load on a shared
    /// machine (which only ever slows a round down) distorts the figure as little as possible.
    /// </summary>
    private static double MeasureLlh(ILikelihoodKernel kernel, PandelVariant variant, HitDomArrays doms, TrackHypothesis[] hyps, int perCall, double seconds)
    {
        var batch = doms.AsBatch();
        var launch = Enumerable.Range(0, perCall).Select(i => hyps[i % hyps.Length]).ToArray();
        var dest = new double[perCall];
        kernel.PandelLlh(variant, launch, batch, dest); // Warm-up: JIT, compile, upload.
        var round = Math.Min(0.1, seconds);
        var best = 0.0;
        var total = Stopwatch.StartNew();
        do
        {
            long evaluated = 0;
            var sw = Stopwatch.StartNew();
            do
            {
                if (perCall == 1)
                {
                    foreach (var h in hyps)
                    {
                        kernel.PandelLlh(variant, h, batch);
                    }

                    evaluated += hyps.Length;
                }
                else
                {
                    kernel.PandelLlh(variant, launch, batch, dest);
                    evaluated += perCall;
                }
            }
            while (sw.Elapsed.TotalSeconds < round);
            best = Math.Max(best, evaluated * (double)doms.Count / sw.Elapsed.TotalSeconds);
        }
        while (total.Elapsed.TotalSeconds < seconds);
        return best;
    }

    /// <summary>Tracks within ±30 m, ±30 ns and a few degrees of the seed.</summary>
    private static TrackHypothesis[] Hypotheses(PreparedEvent prepared, int count)
    {
        var rng = new Random(7);
        var result = new TrackHypothesis[count];
        for (var i = 0; i < count; i++)
        {
            var dir = new LocalDirection(Math.Acos((2 * rng.NextDouble()) - 1), 2 * Math.PI * rng.NextDouble()).Travel;
            var off = new Vector3D(rng.NextDouble() - 0.5, rng.NextDouble() - 0.5, rng.NextDouble() - 0.5) * 60.0;
            result[i] = new TrackHypothesis(prepared.SeedVertex + off, prepared.SeedTime + ((rng.NextDouble() - 0.5) * 60), dir);
        }

        return result;
    }

    /// <summary>Pixel variations spread over the sky with the cylinder offsets and refined seed times, as a scan builds them.</summary>
    private static List<PixelVariation> Requests(PreparedEvent prepared, int count)
    {
        var list = new List<PixelVariation>(count);
        for (var i = 0; i < count; i++)
        {
            var dir = new LocalDirection(Math.Acos(1 - (2.0 * (i + 0.5) / count)), (i * 2.399963) % (2 * Math.PI));
            var pos = prepared.SeedVertex + VertexVariationSets.Cylinder[i % 7];
            var seed = new RecoSeed(pos, SeedingStrategy.RefineVertexTime(pos, prepared.SeedTime, dir.Travel, prepared.HitDoms), double.NaN);
            list.Add(new PixelVariation { Id = new PixelVariationId(1, i, i % 7), Direction = dir, Seed = seed });
        }

        return list;
    }

    private static string Truncate(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
}
