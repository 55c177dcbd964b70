using Skymap.Core.Geometry;
using Skymap.Core.Physics;

namespace Skymap.Recos;

/// <summary>An orthonormal frame (e1, e2, d) of a track direction, and the reporting rule of PHYSICS.md §3.1.</summary>
internal readonly record struct TrackFrame(Vector3D E1, Vector3D E2, Vector3D D)
{
    public static TrackFrame Of(Vector3D d)
    {
        // A helper axis not parallel to d, then Gram–Schmidt.
        var helper = Math.Abs(d.Z) < 0.9 ? new Vector3D(0, 0, 1) : new Vector3D(1, 0, 0);
        var e1 = helper.Cross(d).Normalized();
        var e2 = d.Cross(e1);
        return new TrackFrame(e1, e2, d);
    }

    public Vector3D Transverse(Vector3D origin, double u, double v) => origin + (u * E1) + (v * E2);

    /// <summary>The point of the track (r0, t0, d) closest to <paramref name="target"/> and the track time there.</summary>
    public static (Vector3D Position, double Time) ClosestPoint(Vector3D r0, double t0, Vector3D d, Vector3D target)
    {
        var s = (target - r0).Dot(d);
        return (r0 + (s * d), t0 + (s / PhysicsConstants.C));
    }
}
