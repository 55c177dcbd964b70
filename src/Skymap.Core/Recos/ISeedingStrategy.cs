using Skymap.Core.Events;
using Skymap.Core.Geometry;

namespace Skymap.Core.Recos;

/// <summary>
/// How a reco seeds one pixel variation (SCANNER.md §6), supplied by the reco through
/// <see cref="IRecoAlgorithm.Seeding"/>. The refiner finds the inherited seed (the finest finished ancestor pixel, or the
/// prepared event's seed) and the direction; the strategy turns them and the variation's canonical offset into the seeds
/// the fit starts from. It must be deterministic: the same inputs give the same seeds on every run.
/// </summary>
public interface ISeedingStrategy
{
    /// <summary>The main seed and the optional fallback-position seed of one variation.</summary>
    /// <param name="prepared">The prepared event (seed vertex/time, hit DOMs).</param>
    /// <param name="inherited">The inherited seed of the pixel.</param>
    /// <param name="offset">The variation's canonical vertex offset (<see cref="IRecoAlgorithm.VertexVariations"/>).</param>
    /// <param name="direction">The pixel's local direction.</param>
    (RecoSeed Main, RecoSeed? Fallback) SeedVariation(PreparedEvent prepared, RecoSeed inherited, Vector3D offset, LocalDirection direction);
}

/// <summary>The standard seeding rule and its parts (SCANNER.md §6), for recos that build their own strategy.</summary>
public static class SeedingStrategy
{
    /// <summary>
    /// Today's rule, driven by flags: main seed = inherited vertex + offset (rotated into the track frame with
    /// <see cref="RecoFlags.RotateVertex"/>), time refined with <see cref="RecoFlags.RefineTime"/>; with
    /// <see cref="RecoFlags.AddFallbackPosition"/> a second seed at the prepared seed vertex + offset when it differs
    /// from the inherited vertex.
    /// </summary>
    public static ISeedingStrategy FromFlags(RecoFlags flags) => new FlagSeeding(flags);

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
                result = dom.T1 - ((l + (rho * Physics.PhysicsConstants.TanCherenkov)) / Physics.PhysicsConstants.C);
            }
        }

        return result;
    }

    private sealed class FlagSeeding(RecoFlags flags) : ISeedingStrategy
    {
        public (RecoSeed Main, RecoSeed? Fallback) SeedVariation(PreparedEvent prepared, RecoSeed inherited, Vector3D offset, LocalDirection direction)
        {
            ArgumentNullException.ThrowIfNull(prepared);
            if (flags.HasFlag(RecoFlags.RotateVertex))
            {
                offset = RotateIntoTrackFrame(offset, direction);
            }

            var refine = flags.HasFlag(RecoFlags.RefineTime);
            var travel = direction.Travel;
            var mainPos = inherited.Position + offset;
            var mainTime = refine ? RefineVertexTime(mainPos, inherited.Time, travel, prepared.HitDoms) : inherited.Time;
            var main = new RecoSeed(mainPos, mainTime, inherited.Energy);

            RecoSeed? fallback = null;
            if (flags.HasFlag(RecoFlags.AddFallbackPosition) && inherited.Position != prepared.SeedVertex)
            {
                var pos = prepared.SeedVertex + offset;
                var time = refine ? RefineVertexTime(pos, prepared.SeedTime, travel, prepared.HitDoms) : prepared.SeedTime;
                fallback = new RecoSeed(pos, time, double.NaN);
            }

            return (main, fallback);
        }
    }
}
