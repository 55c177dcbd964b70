using Skymap.Core.Geometry;

namespace Skymap.Core.Plotting;

/// <summary>
/// Gnomonic (tangent-plane) projection about a centre, east to the left as on the sky: a unit vector v maps to
/// X = −(v·e)/(v·c), Y = (v·n)/(v·c) with c the centre, e east and n north at c.
/// </summary>
internal sealed class ZoomProjection
{
    public ZoomProjection(Vector3D centre)
    {
        Centre = centre.Normalized();
        var east = new Vector3D(0, 0, 1).Cross(Centre);
        East = east.Length < 1e-12 ? new Vector3D(0, 1, 0) : east.Normalized();
        North = Centre.Cross(East);
    }

    public Vector3D Centre { get; }

    public Vector3D East { get; }

    public Vector3D North { get; }

    /// <summary>Projects a direction; NaN for directions 90° or more from the centre.</summary>
    public (double X, double Y) Project(Vector3D v)
    {
        var d = v.Dot(Centre);
        return d <= 1e-9 ? (double.NaN, double.NaN) : (-v.Dot(East) / d, v.Dot(North) / d);
    }

    /// <summary>The direction of a tangent-plane point.</summary>
    public Vector3D Unproject(double x, double y) => (Centre - (x * East) + (y * North)).Normalized();

    /// <summary>Unit vector of (RA, Dec) in radians.</summary>
    public static Vector3D FromRaDec(double ra, double dec) => Vector3D.FromSpherical((Math.PI / 2) - dec, ra);
}
