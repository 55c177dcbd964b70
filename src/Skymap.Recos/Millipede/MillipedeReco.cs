using Skymap.Core.Pixels;
using Skymap.Core.Events;
using Skymap.Core.Fitting;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>
/// <c>millipede</c>: charge-only Poisson energy-loss unfolding with analytic light yield (PHYSICS.md §4). Direction
/// fixed by the pixel; the two transverse coordinates of the track are fitted with Nelder–Mead (steps 20 m, spread
/// &lt; 1e-4 or 1000 evaluations), the cascade energies (one per 5 m) profiled inside every evaluation. Reports
/// E_tot, E_in (sources inside the instrumented volume) and energy = E_tot. Settings: <c>time_window</c> (ns) and
/// <c>kernel</c> (auto|scalar|simd|ilgpu|ilgpu-cpu; the ILGPU ones fit batches in lockstep, see <see cref="BatchedMillipedeWorker"/>).
/// </summary>
[RecoAlgorithm("millipede")]
public sealed class MillipedeReco : IRecoAlgorithm
{
    private static readonly double[] Steps = [20.0, 20.0];

    /// <inheritdoc />
    public string Name => "millipede";

    /// <inheritdoc />
    public IReadOnlyList<Vector3D> VertexVariations { get; } = VertexVariationSets.Octahedron(20.0);

    /// <inheritdoc />
    public RecoFlags Flags => RecoFlags.None;

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
        var model = MillipedeModel.Create(prepared);
        return new BatchedMillipedeWorker(new Worker(model, LikelihoodKernels.Create(kind)), model, kind);
    }

    private sealed class Worker(MillipedeModel model, ILikelihoodKernel kernel) : IRecoWorker
    {
        private readonly MillipedeEvaluator _evaluator = new(model, kernel);

        public RecoFitResult Fit(PixelVariation request, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(request);
            var d = request.Direction.Travel;
            var best = FitFrom(request.Seed, d, cancellationToken);
            if (request.FallbackSeed is { } fallback)
            {
                var other = FitFrom(fallback, d, cancellationToken);
                if (other.Llh < best.Llh)
                {
                    best = other;
                }
            }

            return best;
        }

        private RecoFitResult FitFrom(RecoSeed seed, Vector3D d, CancellationToken ct)
        {
            if (!double.IsFinite(seed.Position.X) || !double.IsFinite(seed.Position.Y) || !double.IsFinite(seed.Position.Z))
            {
                throw new ArgumentException($"seed vertex must be finite, got {seed.Position}");
            }

            var frame = TrackFrame.Of(d);
            var origin = seed.Position;
            _evaluator.Reset();
            var result = NelderMead.Minimize(
                p => _evaluator.Evaluate(d, frame.Transverse(origin, p[0], p[1]), warmStart: true),
                [0.0, 0.0],
                Steps,
                NelderMeadOptions.Default,
                ct);

            // Re-evaluate at the best point so that the energies belong to the reported llh.
            var r0 = frame.Transverse(origin, result.Point[0], result.Point[1]);
            var llh = _evaluator.Evaluate(d, r0, warmStart: true);
            double eTot = 0, eIn = 0;
            var energies = _evaluator.Energies;
            for (var s = 0; s < energies.Length; s++)
            {
                eTot += energies[s];
                if (energies[s] > 0 && model.Volume.Contains(_evaluator.SourcePosition(s)))
                {
                    eIn += energies[s];
                }
            }

            var (pos, time) = TrackFrame.ClosestPoint(r0, seed.Time, d, model.CentreOfGravity);
            return new RecoFitResult(llh, eIn, eTot, pos, time, eTot);
        }
    }
}
