using Skymap.Core.Fitting;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Physics;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>
/// The parametrisation and start of one Pandel fit (PHYSICS.md §3.1: direction fixed, the two transverse vertex
/// coordinates and the time free), shared by the one-at-a-time and the lockstep workers so that both take the same path.
/// <para>
/// The fit parameters are p = (u, v, τ) with r0 = seed + u·e1 + v·e2 and t0 = τ + a·u + b·v, where a and b cancel the
/// mean change of the hit DOMs' geometric times when the track moves sideways: moving r0 by u·e1 changes each DOM's
/// t_geo by (K_t/c)·∂ρ⊥/∂u, so a = −(K_t/c)·mean(∂ρ⊥/∂u) over the hit DOMs at the seed (b likewise). This takes the
/// strong transverse-position/time correlation out of the simplex's way; the minimum is the same point (the map is
/// linear and invertible). Initial steps 40 m, 40 m, 40 ns; stop at a simplex llh spread &lt; 1e-3 or 1000 evaluations.
/// With these, fits of <c>builtin:track-100tev</c> take ≈ 20 % fewer evaluations than the plain (20 m, 20 m, 20 ns,
/// 1e-4) simplex and the best of each pixel's variations is not worse (benchmarks/compare-scan-llh.py).
/// </para>
/// </summary>
internal sealed class PandelFit
{
    /// <summary>Initial simplex steps in (u, v, τ): 40 m, 40 m, 40 ns.</summary>
    private static readonly double[] Steps = [40.0, 40.0, 40.0];

    private readonly double _a;
    private readonly double _b;

    public PandelFit(Vector3D d, RecoSeed seed, HitDomArrays doms)
    {
        ArgumentNullException.ThrowIfNull(doms);
        Frame = TrackFrame.Of(d);
        Seed = seed;
        var batch = doms.AsBatch();
        double su = 0, sv = 0;
        var n = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var delta = new Vector3D(batch.X[i], batch.Y[i], batch.Z[i]) - seed.Position;
            var perp = delta - (delta.Dot(d) * d);
            var rho = perp.Length;
            if (!(rho > 1e-6))
            {
                continue;
            }

            // ∂ρ⊥/∂u = −(Δ⊥/ρ⊥)·e1.
            su -= perp.Dot(Frame.E1) / rho;
            sv -= perp.Dot(Frame.E2) / rho;
            n++;
        }

        var k = n > 0 ? -PhysicsConstants.Kt / PhysicsConstants.C / n : 0.0;
        _a = k * su;
        _b = k * sv;
    }

    /// <summary>The stopping rule: spread &lt; 1e-3 or 1000 evaluations.</summary>
    public static NelderMeadOptions Options { get; } = new() { Tolerance = 1e-3 };

    public TrackFrame Frame { get; }

    public RecoSeed Seed { get; }

    /// <summary>A simplex at the seed (u = v = 0, τ = seed time).</summary>
    public NelderMead CreateOptimizer(NelderMeadOptions? options = null) => new([0.0, 0.0, Seed.Time], Steps, options ?? Options);

    /// <summary>The track of the parameters p = (u, v, τ).</summary>
    public TrackHypothesis Hypothesis(ReadOnlySpan<double> p) =>
        new(Vertex(p), Time(p), Frame.D);

    /// <summary>r0 of the parameters.</summary>
    public Vector3D Vertex(ReadOnlySpan<double> p) => Frame.Transverse(Seed.Position, p[0], p[1]);

    /// <summary>t0 of the parameters.</summary>
    public double Time(ReadOnlySpan<double> p) => p[2] + (_a * p[0]) + (_b * p[1]);
}
