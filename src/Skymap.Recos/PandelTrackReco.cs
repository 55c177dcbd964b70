using Skymap.Core.Pixels;
using Skymap.Core.Events;
using Skymap.Core.Fitting;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>
/// The Pandel track-timing reconstructions (PHYSICS.md §3): direction fixed by the pixel; the two transverse
/// coordinates of the vertex and the time are fitted with Nelder–Mead (steps 20 m, 20 m, 20 ns; spread &lt; 1e-4 or
/// 1000 evaluations). Settings: <c>time_window</c> (ns) and <c>kernel</c> (auto|scalar|simd).
/// </summary>
public abstract class PandelTrackReco : IRecoAlgorithm
{
    /// <summary>Initial simplex steps: 20 m, 20 m, 20 ns.</summary>
    private static readonly double[] Steps = [20.0, 20.0, 20.0];

    /// <summary>Creates the reco for a variant.</summary>
    private protected PandelTrackReco(PandelVariant variant, string name)
    {
        Variant = variant;
        Name = name;
    }

    /// <summary>SPE or MPE.</summary>
    internal PandelVariant Variant { get; }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public IReadOnlyList<Vector3D> VertexVariations => VertexVariationSets.Cylinder;

    /// <inheritdoc />
    public RecoFlags Flags => RecoFlags.RotateVertex | RecoFlags.RefineTime;

    /// <inheritdoc />
    public void ValidateSettings(RecoContext context) => RecoSettings.Validate(Name, context);

    /// <inheritdoc />
    public PreparedEvent Prepare(SkymapEvent evt, RecoContext context)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(context);
        return EventPreparation.Prepare(evt, RecoSettings.PreparationOptions(context));
    }

    /// <inheritdoc />
    public IRecoWorker CreateWorker(PreparedEvent prepared, RecoContext context)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(context);
        var kind = RecoSettings.Kernel(context);
        return new BatchedPandelWorker(new PandelWorker(Variant, prepared, LikelihoodKernels.Create(kind)), Variant, prepared, kind);
    }

    /// <summary>Fits one hypothesis family: direction fixed, from one seed.</summary>
    internal static (double Llh, Vector3D R0, double T0, int Evaluations) FitFromSeed(
        ILikelihoodKernel kernel, PandelVariant variant, DomBatchSource doms, Vector3D d, RecoSeed seed, CancellationToken ct)
    {
        var frame = TrackFrame.Of(d);
        var origin = seed.Position;
        double Objective(ReadOnlySpan<double> p) =>
            kernel.PandelLlh(variant, new TrackHypothesis(frame.Transverse(origin, p[0], p[1]), p[2], d), doms.Batch);

        var result = NelderMead.Minimize(Objective, [0.0, 0.0, seed.Time], Steps, NelderMeadOptions.Default, ct);
        return (result.Value, frame.Transverse(origin, result.Point[0], result.Point[1]), result.Point[2], result.Evaluations);
    }

    private sealed class PandelWorker(PandelVariant variant, PreparedEvent prepared, ILikelihoodKernel kernel) : IRecoWorker
    {
        private readonly DomBatchSource _doms = new(HitDomArrays.FromHits(prepared.HitDoms));
        private readonly Vector3D _cog = EventPreparation.ChargeWeightedCentre(prepared.HitDoms).Position;

        public RecoFitResult Fit(PixelVariation request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var d = request.Direction.Travel;
            CheckSeed(request.Seed);
            var best = FitFromSeed(kernel, variant, _doms, d, request.Seed, cancellationToken);
            if (request.FallbackSeed is { } fallback)
            {
                CheckSeed(fallback);
                var other = FitFromSeed(kernel, variant, _doms, d, fallback, cancellationToken);
                if (other.Llh < best.Llh)
                {
                    best = other;
                }
            }

            var (pos, time) = TrackFrame.ClosestPoint(best.R0, best.T0, d, _cog);
            return new RecoFitResult(best.Llh, double.NaN, double.NaN, pos, time, double.NaN);
        }

        private static void CheckSeed(RecoSeed seed)
        {
            if (!double.IsFinite(seed.Position.X) || !double.IsFinite(seed.Position.Y) || !double.IsFinite(seed.Position.Z) || !double.IsFinite(seed.Time))
            {
                throw new ArgumentException($"seed vertex/time must be finite, got {seed}");
            }
        }
    }
}

/// <summary>Holds the immutable DOM arrays; hands out the kernel batch (a ref struct cannot be captured).</summary>
internal sealed class DomBatchSource(HitDomArrays arrays)
{
    public HitDomArrays Arrays { get; } = arrays;

    public DomBatch Batch => Arrays.AsBatch();
}

/// <summary><c>pandel_spe</c>: single-photoelectron Pandel likelihood, L_i = pp(t) (PHYSICS.md §3).</summary>
[RecoAlgorithm("pandel_spe")]
public sealed class PandelSpeReco : PandelTrackReco
{
    /// <summary>Creates the reco.</summary>
    public PandelSpeReco()
        : base(PandelVariant.Spe, "pandel_spe")
    {
    }
}

/// <summary><c>pandel_mpe</c>: multi-photoelectron Pandel likelihood, L_i = N·pp(t)·SF(t)^(N−1) (PHYSICS.md §3).</summary>
[RecoAlgorithm("pandel_mpe")]
public sealed class PandelMpeReco : PandelTrackReco
{
    /// <summary>Creates the reco.</summary>
    public PandelMpeReco()
        : base(PandelVariant.Mpe, "pandel_mpe")
    {
    }
}
