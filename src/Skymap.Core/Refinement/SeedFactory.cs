using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Physics;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using HealpixGrid = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Refinement;

/// <summary>
/// Seeds of a pixel variation (SCANNER.md §6): the vertex/time/energy inherited from the finest finished ancestor (or the
/// prepared event's fallback), the vertex offset (rotated into the track frame when the reco asks), time refinement, and
/// the optional fallback-position seed.
/// </summary>
public sealed class SeedFactory
{
    private readonly PreparedEvent _prepared;
    private readonly int _minNside;
    private readonly IReadOnlyList<Vector3D> _variations;
    private readonly RecoFlags _flags;

    /// <summary>Creates the factory for one scan.</summary>
    public SeedFactory(PreparedEvent prepared, int minNside, IReadOnlyList<Vector3D> variations, RecoFlags flags)
    {
        _prepared = prepared ?? throw new ArgumentNullException(nameof(prepared));
        _minNside = minNside;
        _variations = variations ?? throw new ArgumentNullException(nameof(variations));
        _flags = flags;
    }

    /// <summary>The fallback seed: the prepared event's seed vertex and time, energy NaN.</summary>
    public RecoSeed Fallback => new(_prepared.SeedVertex, _prepared.SeedTime, double.NaN);

    /// <summary>
    /// The inherited seed of a pixel: for nside = min nside the fallback; otherwise c = nside/2, halving while c ≥ min
    /// nside, the first finished pixel at c containing the direction (its vertex/time/energy, or the fallback if its llh is NaN).
    /// </summary>
    public RecoSeed Inherited(int nside, double theta, double phi, NSidesDict finished)
    {
        ArgumentNullException.ThrowIfNull(finished);
        if (nside <= _minNside)
        {
            return Fallback;
        }

        for (var c = nside / 2; c >= _minNside; c /= 2)
        {
            if (finished.TryGet(c, HealpixGrid.Ang2Pix(c, theta, phi), out var parent))
            {
                return double.IsNaN(parent.Llh) ? Fallback : new RecoSeed(parent.Position, parent.Time, parent.Energy);
            }
        }

        return Fallback;
    }

    /// <summary>The main and optional fallback seed of one variation.</summary>
    public (RecoSeed Main, RecoSeed? FallbackSeed) ForVariation(RecoSeed inherited, int posvar, LocalDirection direction)
    {
        var offset = _variations[posvar];
        if (_flags.HasFlag(RecoFlags.RotateVertex))
        {
            offset = RotateIntoTrackFrame(offset, direction);
        }

        var travel = direction.Travel;
        var mainPos = inherited.Position + offset;
        var mainTime = _flags.HasFlag(RecoFlags.RefineTime) ? RefineVertexTime(mainPos, inherited.Time, travel, _prepared.HitDoms) : inherited.Time;
        var main = new RecoSeed(mainPos, mainTime, inherited.Energy);

        RecoSeed? fallback = null;
        if (_flags.HasFlag(RecoFlags.AddFallbackPosition) && inherited.Position != _prepared.SeedVertex)
        {
            var pos = _prepared.SeedVertex + offset;
            var time = _flags.HasFlag(RecoFlags.RefineTime) ? RefineVertexTime(pos, _prepared.SeedTime, travel, _prepared.HitDoms) : _prepared.SeedTime;
            fallback = new RecoSeed(pos, time, double.NaN);
        }

        return (main, fallback);
    }

    /// <summary>
    /// v′ = Rz(φ_t)·Ry(θ_t)·v with θ_t = π − zenith, φ_t = azimuth + π, computed fresh from the canonical offset
    /// (SCANNER.md §6; upstream accumulated rotations in place, which we do not reproduce).
    /// </summary>
    public static Vector3D RotateIntoTrackFrame(Vector3D v, LocalDirection direction)
    {
        var thetaT = Math.PI - direction.Zenith;
        var phiT = direction.Azimuth + Math.PI;
        var (sy, cy) = Math.SinCos(thetaT);
        // RotateY(a): z' = c·z − s·x, x' = s·z + c·x.
        var x1 = (sy * v.Z) + (cy * v.X);
        var z1 = (cy * v.Z) - (sy * v.X);
        var (sz, cz) = Math.SinCos(phiT);
        // RotateZ(b): x' = c·x − s·y, y' = s·x + c·y.
        return new Vector3D((cz * x1) - (sz * v.Y), (sz * x1) + (cz * v.Y), z1);
    }

    /// <summary>
    /// Upstream <c>refine_vertex_time</c>: among hit DOMs take the one closest (perpendicular distance ρ) to the line through
    /// <paramref name="vertex"/> along <paramref name="travel"/>; t = t_hit − (l + ρ·tan θc)/c. No hit DOMs → <paramref name="time"/>.
    /// </summary>
    public static double RefineVertexTime(Vector3D vertex, double time, Vector3D travel, IReadOnlyList<HitDom> hitDoms)
    {
        ArgumentNullException.ThrowIfNull(hitDoms);
        var best = double.PositiveInfinity;
        var result = time;
        foreach (var dom in hitDoms)
        {
            var delta = dom.Position - vertex;
            var l = delta.Dot(travel);
            var rho = Math.Sqrt(Math.Max(delta.LengthSquared - (l * l), 0));
            if (rho < best)
            {
                best = rho;
                result = dom.T1 - ((l + (rho * PhysicsConstants.TanCherenkov)) / PhysicsConstants.C);
            }
        }

        return result;
    }
}
