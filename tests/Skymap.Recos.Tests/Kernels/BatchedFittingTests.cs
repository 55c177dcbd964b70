using Skymap.Core.Pixels;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Recos;
using Skymap.Core.Refinement;
using Xunit.Abstractions;

namespace Skymap.Recos.Tests.Kernels;

/// <summary>
/// Batched (lockstep) Pandel fitting on ILGPU's CPU accelerator: identical results whichever batch size or order, and
/// equal to one-at-a-time fits within the fit tolerance.
/// </summary>
public class BatchedFittingTests(ITestOutputHelper output)
{
    private static readonly RecoContext IlgpuCpu = new() { Settings = new Dictionary<string, string> { ["kernel"] = "ilgpu-cpu" } };
    private static readonly RecoContext Simd = new() { Settings = new Dictionary<string, string> { ["kernel"] = "simd" } };

    /// <summary>Pixel variations around the sky with refined seeds, as the scan builds them; every third has a fallback seed.</summary>
    internal static List<PixelVariation> Requests(PreparedEvent prepared, int count)
    {
        var list = new List<PixelVariation>();
        for (var i = 0; i < count; i++)
        {
            var dir = new LocalDirection(Math.Acos(1 - (2.0 * (i + 0.5) / count)), (i * 2.399963) % (2 * Math.PI));
            var travel = dir.Travel;
            var offset = VertexVariationSets.Cylinder[i % 7];
            var pos = prepared.SeedVertex + offset;
            var seed = new RecoSeed(pos, SeedingStrategy.RefineVertexTime(pos, prepared.SeedTime, travel, prepared.HitDoms), double.NaN);
            list.Add(new PixelVariation
            {
                Id = new PixelVariationId(1, i, i % 7),
                Direction = dir,
                Seed = seed,
                FallbackSeed = i % 3 == 0 ? seed with { Position = prepared.SeedVertex, Time = prepared.SeedTime } : null,
            });
        }

        return list;
    }

    [Fact]
    public void Lockstep_batches_are_identical_whatever_their_size_or_order_and_match_single_fits()
    {
        var reco = new PandelMpeReco();
        var prepared = reco.Prepare(BuiltinEvents.Get("track-10tev"), new RecoContext());
        var worker = Assert.IsAssignableFrom<IBatchRecoWorker>(reco.CreateWorker(prepared, IlgpuCpu));
        Assert.True(((BatchedPandelWorker)worker).Lockstep);
        var requests = Requests(prepared, 12);

        var whole = worker.FitBatch(requests, CancellationToken.None);
        Assert.All(whole, item => Assert.Null(item.Error));
        var reversed = worker.FitBatch(requests.AsEnumerable().Reverse().ToList(), CancellationToken.None).Reverse().ToArray();
        var inThrees = requests.Chunk(3).SelectMany(c => worker.FitBatch(c, CancellationToken.None)).ToArray();
        for (var i = 0; i < requests.Count; i++)
        {
            Assert.Equal(whole[i].Result, reversed[i].Result);
            Assert.Equal(whole[i].Result, inThrees[i].Result);
        }

        // One at a time with the SIMD kernel: the same minima within the fit tolerance.
        var single = reco.CreateWorker(prepared, Simd);
        var worst = 0.0;
        for (var i = 0; i < requests.Count; i++)
        {
            var a = single.Fit(requests[i], CancellationToken.None);
            var b = whole[i].Result!.Value;
            worst = Math.Max(worst, Math.Abs(a.Llh - b.Llh));
            Assert.True(Math.Abs(a.Llh - b.Llh) <= 1e-2, $"request {i}: single {a.Llh:R}, batched {b.Llh:R}");
        }

        output.WriteLine($"worst |Δllh| batched (ilgpu-cpu) vs single (simd): {worst:E2}");
    }

    [Fact]
    public void A_bad_request_fails_alone_and_cancellation_stops_the_batch()
    {
        var reco = new PandelSpeReco();
        var prepared = reco.Prepare(BuiltinEvents.Get("track-10tev"), new RecoContext());
        var worker = (IBatchRecoWorker)reco.CreateWorker(prepared, IlgpuCpu);
        var requests = Requests(prepared, 3);
        requests[1] = requests[1] with { Seed = requests[1].Seed with { Time = double.NaN } };
        var items = worker.FitBatch(requests, CancellationToken.None);
        Assert.Null(items[0].Error);
        Assert.IsType<ArgumentException>(items[1].Error);
        Assert.Null(items[2].Error);
        Assert.Equal(worker.Fit(requests[0], CancellationToken.None).Llh, items[0].Result!.Value.Llh, 1e-2);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => worker.FitBatch(requests, cts.Token));
    }

    [Fact]
    public void Without_a_gpu_auto_batches_fit_one_after_another_on_the_cpu_kernel()
    {
        var reco = new PandelMpeReco();
        var prepared = reco.Prepare(BuiltinEvents.Get("track-10tev"), new RecoContext());
        var worker = (BatchedPandelWorker)reco.CreateWorker(prepared, new RecoContext());
        Assert.Equal(LikelihoodKernels.GpuUnavailableReason is null, worker.Lockstep);
        if (!worker.Lockstep)
        {
            var requests = Requests(prepared, 2);
            var items = worker.FitBatch(requests, CancellationToken.None);
            Assert.Equal(worker.Fit(requests[1], CancellationToken.None), items[1].Result);
            Assert.Equal(1, worker.PreferredBatchSize);
        }
    }
}
