using Skymap.Core.Pixels;
using Skymap.Core.Events;
using Skymap.Core.Fitting;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Ilgpu;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>
/// Batch-capable Pandel worker. One-at-a-time <see cref="Fit"/> is the reco's own worker (CPU kernel: with
/// <c>kernel=auto</c> SIMD, never the GPU). <see cref="FitBatch"/>, when the batch kernel is an ILGPU one (<c>ilgpu</c>,
/// <c>ilgpu-cpu</c>, or <c>auto</c> with a usable GPU), advances every fit of the batch in lockstep: each step asks
/// every active Nelder–Mead for its next point and evaluates them all in one kernel launch. The kernel's per-hypothesis
/// value does not depend on the batch, so each fit takes exactly the path it would take alone: results are identical
/// whichever batch size or order. Without an ILGPU batch kernel, <see cref="FitBatch"/> fits one request after another.
/// </summary>
internal sealed class BatchedPandelWorker : IBatchRecoWorker
{
    private static readonly double[] Steps = [20.0, 20.0, 20.0];

    private readonly IRecoWorker _single;
    private readonly PandelVariant _variant;
    private readonly ILikelihoodKernel _batchKernel;
    private readonly HitDomArrays _doms;
    private readonly Vector3D _cog;
    private readonly NelderMeadOptions _options;

    public BatchedPandelWorker(IRecoWorker single, PandelVariant variant, PreparedEvent prepared, KernelKind kind, NelderMeadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(single);
        ArgumentNullException.ThrowIfNull(prepared);
        _single = single;
        _variant = variant;
        _batchKernel = LikelihoodKernels.CreateForBatches(kind);
        _doms = HitDomArrays.FromHits(prepared.HitDoms);
        _cog = EventPreparation.ChargeWeightedCentre(prepared.HitDoms).Position;
        _options = options ?? NelderMeadOptions.Default;
        if (_batchKernel is IlgpuLikelihoodKernel gpu)
        {
            gpu.Bind(_doms);
        }
    }

    /// <summary>Whether <see cref="FitBatch"/> runs the lockstep fits (an ILGPU batch kernel).</summary>
    public bool Lockstep => _batchKernel is IlgpuLikelihoodKernel;

    /// <summary>The kernel <see cref="FitBatch"/> uses.</summary>
    public ILikelihoodKernel BatchKernel => _batchKernel;

    /// <inheritdoc />
    public int PreferredBatchSize => _batchKernel.Kind switch
    {
        KernelKind.Ilgpu => 4096,
        KernelKind.IlgpuCpu => 64,
        _ => 1,
    };

    /// <inheritdoc />
    public RecoFitResult Fit(PixelVariation request, CancellationToken cancellationToken) => _single.Fit(request, cancellationToken);

    /// <inheritdoc />
    public IReadOnlyList<RecoBatchItem> FitBatch(IReadOnlyList<PixelVariation> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (!Lockstep)
        {
            return LockstepBatch.OneByOne(_single, requests, cancellationToken);
        }

        // One fit per seed (main, and fallback when given); a request's result is its better fit.
        var items = new RecoBatchItem[requests.Count];
        var fits = LockstepBatch.PlanFits(requests, items, BadSeed, (i, d, seed) => new LockstepFit(i, d, seed, _options));
        Run(fits, cancellationToken);

        foreach (var group in fits.GroupBy(f => f.Request))
        {
            LockstepFit? best = null;
            foreach (var f in group)
            {
                if (best is null || f.Optimizer.BestValue < best.Optimizer.BestValue)
                {
                    best = f; // Ties keep the main seed, as the one-at-a-time worker does.
                }
            }

            var p = best!.Optimizer.BestPoint;
            var r0 = best.Frame.Transverse(best.Seed.Position, p[0], p[1]);
            var (pos, time) = TrackFrame.ClosestPoint(r0, p[2], best.Frame.D, _cog);
            items[group.Key] = new RecoBatchItem(new RecoFitResult(best.Optimizer.BestValue, double.NaN, double.NaN, pos, time, double.NaN), null);
        }

        return items;
    }

    /// <summary>Advances every fit until all are finished: one batched kernel call per step.</summary>
    private void Run(List<LockstepFit> fits, CancellationToken ct)
    {
        var active = fits.Where(f => !f.Optimizer.IsFinished).ToList();
        var hyps = new TrackHypothesis[active.Count];
        var values = new double[active.Count];
        var batch = _doms.AsBatch();
        while (active.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            for (var k = 0; k < active.Count; k++)
            {
                var f = active[k];
                var c = f.Optimizer.Candidate;
                hyps[k] = new TrackHypothesis(f.Frame.Transverse(f.Seed.Position, c[0], c[1]), c[2], f.Frame.D);
            }

            _batchKernel.PandelLlh(_variant, hyps.AsSpan(0, active.Count), batch, values);
            for (var k = 0; k < active.Count; k++)
            {
                active[k].Optimizer.Tell(values[k]);
            }

            active.RemoveAll(f => f.Optimizer.IsFinished);
        }
    }

    private static string? BadSeed(RecoSeed seed) =>
        double.IsFinite(seed.Position.X) && double.IsFinite(seed.Position.Y) && double.IsFinite(seed.Position.Z) && double.IsFinite(seed.Time)
            ? null
            : $"seed vertex/time must be finite, got {seed}";

    private sealed class LockstepFit(int request, Vector3D d, RecoSeed seed, NelderMeadOptions options)
    {
        public int Request { get; } = request;

        public RecoSeed Seed { get; } = seed;

        public TrackFrame Frame { get; } = TrackFrame.Of(d);

        public NelderMead Optimizer { get; } = new([0.0, 0.0, seed.Time], Steps, options);
    }
}
