using System.Runtime.CompilerServices;

namespace Skymap.Core.Geometry;

/// <summary>A 3-vector of doubles (metres for positions, unitless for directions).</summary>
/// <param name="X">x component (IceCube frame: grid east).</param>
/// <param name="Y">y component (IceCube frame: grid north).</param>
/// <param name="Z">z component (IceCube frame: up).</param>
public readonly record struct Vector3D(double X, double Y, double Z)
{
    /// <summary>The zero vector.</summary>
    public static Vector3D Zero => default;

    /// <summary>Euclidean length.</summary>
    public double Length => Math.Sqrt((X * X) + (Y * Y) + (Z * Z));

    /// <summary>Squared Euclidean length.</summary>
    public double LengthSquared => (X * X) + (Y * Y) + (Z * Z);

    /// <summary>Dot product.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Dot(Vector3D other) => (X * other.X) + (Y * other.Y) + (Z * other.Z);

    /// <summary>Cross product this × other.</summary>
    public Vector3D Cross(Vector3D other) =>
        new((Y * other.Z) - (Z * other.Y), (Z * other.X) - (X * other.Z), (X * other.Y) - (Y * other.X));

    /// <summary>This vector scaled to unit length (NaN components for the zero vector).</summary>
    public Vector3D Normalized()
    {
        var l = Length;
        return new(X / l, Y / l, Z / l);
    }

    /// <summary>Angle in radians between two vectors, accurate for small and large angles.</summary>
    public double AngleTo(Vector3D other) => Math.Atan2(Cross(other).Length, Dot(other));

    /// <summary>Sum.</summary>
    public static Vector3D operator +(Vector3D a, Vector3D b) => new(a.X + b.X, a.Y + b.Y, a.Z + b.Z);

    /// <summary>Difference.</summary>
    public static Vector3D operator -(Vector3D a, Vector3D b) => new(a.X - b.X, a.Y - b.Y, a.Z - b.Z);

    /// <summary>Negation.</summary>
    public static Vector3D operator -(Vector3D a) => new(-a.X, -a.Y, -a.Z);

    /// <summary>Scaling.</summary>
    public static Vector3D operator *(double s, Vector3D a) => new(s * a.X, s * a.Y, s * a.Z);

    /// <summary>Scaling.</summary>
    public static Vector3D operator *(Vector3D a, double s) => new(s * a.X, s * a.Y, s * a.Z);

    /// <summary>Unit vector from spherical angles (θ from +z, φ from +x counter-clockwise).</summary>
    public static Vector3D FromSpherical(double theta, double phi)
    {
        var st = Math.Sin(theta);
        return new(st * Math.Cos(phi), st * Math.Sin(phi), Math.Cos(theta));
    }
}
