using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;

namespace CustomReco;

/// <summary>
/// A toy reconstruction: a track along the pixel's direction through the centre of the hit DOMs sends Cherenkov light
/// out on a cone, so DOM i should see its first hit at t0 + delay_i. −ln L = Σ 2 ln(1 + (residual_i / σ)²) (robust to
/// scattered light), with t0 the median residual; it is smallest near the direction the light really took.
/// </summary>
[RecoAlgorithm("cone_front")]
public sealed class ConeFrontReco : IRecoAlgorithm
{
    private const double C = 0.299792458, TanCherenkov = 0.86, Sigma = 30.0; // m/ns; tan θc in ice; ns

    public string Name => "cone_front";

    public IReadOnlyList<Vector3D> VertexVariations => VertexVariationSets.Point;

    public RecoFlags Flags => RecoFlags.None;

    public void ValidateSettings(RecoContext context)
    {
        if (context.Settings.Keys.FirstOrDefault() is { } key)
        {
            throw new ArgumentException($"reco 'cone_front' has no settings, got '{key}'");
        }
    }

    public PreparedEvent Prepare(SkymapEvent evt, RecoContext context) => PreparedEvent.From(evt);

    public IRecoWorker CreateWorker(PreparedEvent prepared, RecoContext context) => new Worker(prepared.HitDoms);

    private sealed class Worker(IReadOnlyList<HitDom> hits) : IRecoWorker
    {
        private readonly Vector3D _centre = new(hits.Average(h => h.Position.X), hits.Average(h => h.Position.Y), hits.Average(h => h.Position.Z));

        public RecoFitResult Fit(PixelVariation request, CancellationToken cancellationToken)
        {
            var d = request.Direction.Travel;
            var residuals = hits.Select(h => h.T1 - (Delay(h.Position - _centre, d) / C)).Order().ToArray();
            var t0 = residuals[residuals.Length / 2];
            var llh = residuals.Sum(r => 2 * Math.Log(1 + Math.Pow((r - t0) / Sigma, 2)));
            return new RecoFitResult(llh, double.NaN, double.NaN, _centre, t0, double.NaN);
        }

        // Light path / c: along the track to the point of emission, then out on the Cherenkov cone.
        private static double Delay(Vector3D r, Vector3D d) => r.Dot(d) + (TanCherenkov * (r - (r.Dot(d) * d)).Length);
    }
}
