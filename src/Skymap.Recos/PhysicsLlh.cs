using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>The llh of one hypothesis for the physics recos (backs <c>skymap llh</c>).</summary>
internal static class PhysicsLlh
{
    /// <summary>Names accepted by <see cref="Evaluate"/>.</summary>
    public static IReadOnlyList<string> Recos { get; } = ["millipede", "pandel_mpe", "pandel_spe"];

    /// <summary>
    /// The llh of one hypothesis: for <c>pandel_spe</c>/<c>pandel_mpe</c> the event llh of the track (r0, t0, d) of
    /// PHYSICS.md §3; for <c>millipede</c> the profiled llh of §4 (energies maximised, <paramref name="t0"/> unused).
    /// </summary>
    /// <param name="prepared">The prepared event (e.g. from the reco's <see cref="IRecoAlgorithm.Prepare"/>).</param>
    /// <param name="reco">pandel_spe, pandel_mpe or millipede.</param>
    /// <param name="direction">The direction the particle comes from.</param>
    /// <param name="r0">A point of the track [m].</param>
    /// <param name="t0">The time at <paramref name="r0"/> [ns].</param>
    /// <param name="kernel">The likelihood kernel.</param>
    /// <exception cref="ArgumentException">Unknown reco name.</exception>
    public static double Evaluate(PreparedEvent prepared, string reco, LocalDirection direction, Vector3D r0, double t0, KernelKind kernel)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(reco);
        var k = LikelihoodKernels.Create(kernel);
        var d = direction.Travel;
        switch (reco)
        {
            case "pandel_spe":
            case "pandel_mpe":
                var variant = reco == "pandel_spe" ? PandelVariant.Spe : PandelVariant.Mpe;
                return k.PandelLlh(variant, new TrackHypothesis(r0, t0, d), HitDomArrays.FromHits(prepared.HitDoms).AsBatch());
            case "millipede":
                var evaluator = new MillipedeEvaluator(MillipedeModel.Create(prepared), k);
                return evaluator.Evaluate(d, r0, warmStart: false);
            default:
                throw new ArgumentException($"unknown physics reco '{reco}' (known: {string.Join(", ", Recos)})", nameof(reco));
        }
    }
}
