using System.Globalization;
using Skymap.Core.Events;
using Skymap.Core.Fitting;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Ilgpu;
using Skymap.Core.Likelihood.Ilgpu.Internal;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Xunit.Abstractions;

namespace Skymap.Recos.Tests.Kernels;

/// <summary>
/// Batched (lockstep) millipede fitting on ILGPU's CPU accelerator: identical results whichever batch size or order,
/// the same minima as the CPU worker, and an energy profile at the optimum of PHYSICS.md §4 (within 1e-3).
/// Tiny on purpose: the CPU accelerator needs ~0.1–1 s per evaluation.
/// </summary>
public class BatchedMillipedeTests(ITestOutputHelper output)
{
    private static readonly RecoContext IlgpuCpu = new() { Settings = new Dictionary<string, string> { ["kernel"] = "ilgpu-cpu" } };

    private static readonly Lazy<PreparedEvent> Track10 = new(() => new MillipedeReco().Prepare(BuiltinEvents.Get("track-10tev"), new RecoContext()));

    private static readonly Lazy<PreparedEvent> Track100 = new(() => new MillipedeReco().Prepare(BuiltinEvents.Get("track-100tev"), new RecoContext()));

    /// <summary>Directions near the event's true one, seeds at the octahedron variations; request 0 has a fallback seed.</summary>
    private static List<PixelVariation> Requests(PreparedEvent prepared, int count)
    {
        var truth = prepared.Event.Truth!;
        var offsets = new MillipedeReco().VertexVariations;
        var list = new List<PixelVariation>();
        for (var i = 0; i < count; i++)
        {
            var dir = new LocalDirection(truth.Zenith + (0.04 * i), truth.Azimuth - (0.05 * i));
            var seed = new RecoSeed(prepared.SeedVertex + offsets[(i + 1) % offsets.Count], prepared.SeedTime, double.NaN);
            list.Add(new PixelVariation
            {
                Id = new PixelVariationId(1, i, (i + 1) % offsets.Count),
                Direction = dir,
                Seed = seed,
                FallbackSeed = i == 0 ? seed with { Position = prepared.SeedVertex } : null,
            });
        }

        return list;
    }

    private static BatchedMillipedeWorker Lockstep(PreparedEvent prepared, NelderMeadOptions? options = null)
    {
        var reco = new MillipedeReco();
        var single = reco.CreateWorker(prepared, new RecoContext());
        return new BatchedMillipedeWorker(single, MillipedeModel.Create(prepared), KernelKind.IlgpuCpu, options);
    }

    [Fact]
    public void Create_worker_returns_the_lockstep_worker_for_ilgpu_kernels()
    {
        var worker = new MillipedeReco().CreateWorker(Track10.Value, IlgpuCpu);
        var batched = Assert.IsType<BatchedMillipedeWorker>(worker);
        Assert.True(batched.Lockstep);
        Assert.Equal(KernelKind.IlgpuCpu, batched.BatchKernel.Kind);
        Assert.InRange(batched.PreferredBatchSize, 2, 16);
    }

    [Fact]
    public void Lockstep_results_are_identical_whatever_the_batch_size_or_order()
    {
        // A short Nelder–Mead budget keeps this tiny; the path (and so the identity) is the same as in a full fit.
        var worker = Lockstep(Track10.Value, new NelderMeadOptions { MaxEvaluations = 5 });
        var requests = Requests(Track10.Value, 2);
        var whole = worker.FitBatch(requests, CancellationToken.None);
        Assert.All(whole, item => Assert.Null(item.Error));
        Assert.Equal([5, 5, 5], worker.LastEvaluations);

        // One at a time, in a shuffled order.
        int[] order = [1, 0];
        var single = new RecoFitResult?[requests.Count];
        foreach (var i in order)
        {
            var item = Assert.Single(worker.FitBatch([requests[i]], CancellationToken.None));
            single[i] = item.Result;
        }

        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(whole[i].Result, single[i]);
            Assert.True(whole[i].Result!.Value.RecoLossesTotal > 0);
            Assert.InRange(whole[i].Result!.Value.RecoLossesInside, 0, whole[i].Result!.Value.RecoLossesTotal);
        }
    }

    [Fact]
    public void Lockstep_fits_reach_the_cpu_workers_minima()
    {
        var prepared = Track10.Value;
        var worker = Lockstep(prepared);
        var requests = Requests(prepared, 1).Select(r => r with { FallbackSeed = null }).ToList();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var batched = worker.FitBatch(requests, CancellationToken.None);
        output.WriteLine($"lockstep (ilgpu-cpu): {clock.Elapsed.TotalSeconds / requests.Count:F2} s per fit");
        var worst = 0.0;
        for (var i = 0; i < requests.Count; i++)
        {
            clock.Restart();
            var cpu = worker.Fit(requests[i], CancellationToken.None);
            output.WriteLine($"CPU worker: {clock.Elapsed.TotalSeconds:F2} s");
            var gpu = batched[i].Result!.Value;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"request {i}: cpu llh {cpu.Llh:R} E {cpu.RecoLossesTotal:G6} at {cpu.Position}; lockstep llh {gpu.Llh:R} E {gpu.RecoLossesTotal:G6} at {gpu.Position} ({worker.LastEvaluations[i]} evaluations)"));

            // Both profiles are within 1e-3 of the optimum (PHYSICS.md §4); the two fits' paths differ by that noise.
            Assert.True(Math.Abs(gpu.Llh - cpu.Llh) <= 0.01, $"request {i}: lockstep {gpu.Llh:R} vs CPU {cpu.Llh:R}");
            Assert.True((gpu.Position - cpu.Position).Length < 5.0, $"request {i}: positions {gpu.Position} vs {cpu.Position}");
            worst = Math.Max(worst, Math.Abs(gpu.Llh - cpu.Llh));
        }

        output.WriteLine($"worst |Δllh| lockstep (ilgpu-cpu) vs CPU worker: {worst:G3}");
    }

    [Theory]
    [InlineData("track-100tev", 12.0, -7.0)]
    [InlineData("track-10tev", 12.0, -7.0)]
    [InlineData("track-10tev", 0.0, 0.0)] // The true track, where PoissonNnls once stopped 1.47 above the optimum.
    public void The_profile_at_a_fixed_track_is_the_optimum(string name, double dx, double dy)
    {
        var prepared = name == "track-100tev" ? Track100.Value : Track10.Value;
        var worker = Lockstep(prepared);
        var model = MillipedeModel.Create(prepared);
        var truth = prepared.Event.Truth!;
        var d = new LocalDirection(truth.Zenith, truth.Azimuth).Travel;
        var frame = TrackFrame.Of(d);
        var r0 = frame.Transverse(new Vector3D(truth.X, truth.Y, truth.Z), dx, dy);
        var (nnls, optimum) = worker.SolveOnCpu(d, r0);
        var track = IlgpuMillipede.Track(r0, d);
        Assert.Equal(optimum.Length, track.Count);

        // Two starts: the PoissonNnls solution at a track 5 m away (as a warm start maps it), and a uniform one.
        var (_, nearby) = worker.SolveOnCpu(d, frame.Transverse(r0, 5.0, 0.0));
        var near = IlgpuMillipede.Track(frame.Transverse(r0, 5.0, 0.0), d);
        var shift = (int)Math.Round((track.SIn + r0.Dot(d) - (near.SIn + frame.Transverse(r0, 5.0, 0.0).Dot(d))) / 5.0);
        var warm = Enumerable.Range(0, track.Count).Select(s => s + shift >= 0 && s + shift < nearby.Length ? nearby[s + shift] : 0.0).ToArray();
        var uniform = Enumerable.Repeat(optimum.Sum() / optimum.Length, track.Count).ToArray();
        foreach (var (label, start) in new[] { ("warm", warm), ("uniform", uniform) })
        {
            var llh = new double[1];
            worker.Profile([track], start, llh);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name} ({dx}, {dy}) {label}: lockstep profile − PoissonNnls = {llh[0] - nnls:G3}"));
            Assert.True(llh[0] <= nnls + 1e-3, $"{label}: profile {llh[0]:R} above PoissonNnls {nnls:R}");

            // An independent descent from the solution cannot find more than 1e-3 (EM never increases the llh), and no
            // zero energy has a negative gradient (first-order optimality at the bound).
            using var gpu = new IlgpuMillipede((IlgpuLikelihoodKernel)worker.BatchKernel, model.X, model.Y, model.Z, model.Amplitude, model.Charge, model.LnGammaChargePlusOne);
            gpu.Load([track]);
            var again = new double[1];
            gpu.Llh(start, again);
            Assert.Equal(llh[0], again[0]);
            var g = new double[track.Count];
            gpu.Gradient(g);
            var worstZero = Enumerable.Range(0, track.Count).Where(s => start[s] == 0).Select(s => g[s]).DefaultIfEmpty(0.0).Min();
            var em = new double[1];
            gpu.Evaluate([track], (double[])start.Clone(), 100, em);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  100 EM steps from it: {em[0] - llh[0]:G3}; smallest gradient at a zero energy {worstZero:G3}"));
            Assert.True(em[0] >= llh[0] - 1e-3, $"{label}: EM went from {llh[0]:R} to {em[0]:R}");
            Assert.True(worstZero > -1e-6, $"{label}: ∂llh/∂E = {worstZero:G3} at a zero energy");
        }

        // The two optima agree (two-sided).
        var fromUniform = new double[1];
        worker.Profile([track], (double[])uniform.Clone(), fromUniform);
        Assert.True(Math.Abs(fromUniform[0] - nnls) <= 1e-3, $"profile {fromUniform[0]:R} vs PoissonNnls {nnls:R}");
    }

    [Fact]
    public void The_accelerators_gradient_and_hessian_match_finite_differences_of_its_llh()
    {
        var prepared = Track10.Value;
        var model = MillipedeModel.Create(prepared);
        var truth = prepared.Event.Truth!;
        var d = new LocalDirection(truth.Zenith, truth.Azimuth).Travel;
        var r0 = new Vector3D(truth.X, truth.Y, truth.Z);
        var worker = Lockstep(prepared);
        var (_, optimum) = worker.SolveOnCpu(d, r0);
        using var gpu = new IlgpuMillipede((IlgpuLikelihoodKernel)LikelihoodKernels.Create(KernelKind.IlgpuCpu), model.X, model.Y, model.Z, model.Amplitude, model.Charge, model.LnGammaChargePlusOne);
        var track = IlgpuMillipede.Track(r0, d);
        gpu.Load([track]);
        var e = optimum.Select(x => x + 50.0).ToArray(); // Every source positive, away from the optimum.
        var llh = new double[1];
        gpu.Llh(e, llh);
        var g = new double[track.Count];
        gpu.Gradient(g);
        var nearest = (int)Math.Round(((model.CentreOfGravity - r0).Dot(d) - track.SIn) / 5.0); // The source nearest the hits.
        int[] free = [.. Enumerable.Range(Math.Max(0, nearest - 3), 6).Where(s => s < track.Count)]; // Neighbours: strongly coupled.
        var h = new double[free.Length * free.Length];
        gpu.Hessian(free, free.Length, h);
        double F(int s, double ds, int t = -1, double dt = 0)
        {
            var x = (double[])e.Clone();
            x[s] += ds;
            if (t >= 0)
            {
                x[t] += dt;
            }

            var v = new double[1];
            gpu.Llh(x, v);
            return v[0];
        }

        for (var a = 0; a < free.Length; a++)
        {
            var s = free[a];
            const double step = 1e-2;
            var fd = (F(s, step) - F(s, -step)) / (2 * step);
            Assert.True(Math.Abs(fd - g[s]) <= 1e-5 * Math.Abs(g[s]), $"source {s}: gradient {g[s]:R}, finite difference {fd:R}");
            var t = free[(a + 1) % free.Length];
            var fd2 = (F(s, 1.0, t, 1.0) - F(s, 1.0, t, -1.0) - F(s, -1.0, t, 1.0) + F(s, -1.0, t, -1.0)) / 4.0;
            var hst = h[(a * free.Length) + ((a + 1) % free.Length)];
            Assert.True(Math.Abs(fd2 - hst) <= 2e-3 * Math.Abs(hst), $"sources {s},{t}: Hessian {hst:R}, finite difference {fd2:R}");
            Assert.Equal(hst, h[(((a + 1) % free.Length) * free.Length) + a]);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"source {s}: g {g[s]:G4} (fd {fd:G4}); H[{s},{t}] {hst:G4} (fd {fd2:G4})"));
        }
    }

    [Fact]
    public void A_bad_request_fails_alone_and_cancellation_stops_the_batch()
    {
        var worker = Lockstep(Track10.Value, new NelderMeadOptions { MaxEvaluations = 2 });
        var requests = Requests(Track10.Value, 2).Select(r => r with { FallbackSeed = null }).ToList();
        requests.Insert(1, requests[0] with { Seed = requests[0].Seed with { Position = new Vector3D(double.NaN, 0, 0) } });
        var items = worker.FitBatch(requests, CancellationToken.None);
        Assert.Null(items[0].Error);
        Assert.IsType<ArgumentException>(items[1].Error);
        Assert.Null(items[2].Error);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => worker.FitBatch(requests, cts.Token));
    }

    [Fact]
    public void Without_a_gpu_auto_batches_fit_one_after_another_on_the_cpu()
    {
        var worker = Assert.IsType<BatchedMillipedeWorker>(new MillipedeReco().CreateWorker(Track10.Value, new RecoContext()));
        Assert.Equal(LikelihoodKernels.GpuUnavailableReason is null, worker.Lockstep);
        if (!worker.Lockstep)
        {
            var request = Requests(Track10.Value, 1)[0] with { FallbackSeed = null };
            var item = Assert.Single(worker.FitBatch([request], CancellationToken.None));
            Assert.Equal(worker.Fit(request, CancellationToken.None), item.Result);
            Assert.Equal(1, worker.PreferredBatchSize);
        }
    }
}
