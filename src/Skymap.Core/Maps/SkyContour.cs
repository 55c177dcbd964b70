using Skymap.Core.Geometry;

namespace Skymap.Core.Maps;

/// <summary>
/// One closed contour line of a 2ΔLLH map at one level: a polygon on the unit sphere, oriented so that the
/// region inside the level (2ΔLLH &lt; level) lies on its left seen from outside the sphere (counter-clockwise
/// on the sky as drawn with RA increasing to the right, i.e. clockwise on an astronomical plot).
/// </summary>
public sealed class SkyContour
{
    private readonly Vector3D[] _vertices;

    internal SkyContour(double level, Vector3D[] vertices, double signedArea)
    {
        Level = level;
        _vertices = vertices;
        SignedArea = signedArea;
    }

    /// <summary>The level (2ΔLLH) this line belongs to.</summary>
    public double Level { get; }

    /// <summary>The vertices (unit vectors), not repeating the first at the end.</summary>
    public IReadOnlyList<Vector3D> Vertices => _vertices;

    /// <summary>
    /// The shoelace area of this polygon in (φ, cos θ) coordinates with φ shifted so that the best fit sits at π
    /// (FORMATS.md §7), in square degrees; positive for an outer boundary, negative for the boundary of a hole.
    /// </summary>
    public double SignedArea { get; }

    /// <summary>Right ascension (φ, radians in [0, 2π)) of each vertex.</summary>
    /// <returns>One value per vertex.</returns>
    public double[] RightAscensions() =>
        Array.ConvertAll(_vertices, static v => SkymapAnalysis.NormalizeRa(Math.Atan2(v.Y, v.X)));

    /// <summary>Declination (π/2 − θ, radians) of each vertex.</summary>
    /// <returns>One value per vertex.</returns>
    public double[] Declinations() => Array.ConvertAll(_vertices, static v => Math.Asin(Math.Clamp(v.Z, -1.0, 1.0)));
}
