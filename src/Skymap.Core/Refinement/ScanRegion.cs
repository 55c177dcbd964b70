using System.Globalization;
using Skymap.Core.Geometry;
using HealpixGrid = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Refinement;

/// <summary>
/// A disc of the sky that a local scan starts from instead of the full sky: the first nside of the progression is
/// scanned only at the pixels whose centres lie within <see cref="Radius"/> of (<see cref="Ra"/>, <see cref="Dec"/>)
/// (at least the pixel containing the centre); the later nsides refine around the best pixel as in a full scan.
/// </summary>
/// <param name="Ra">Right ascension of the disc centre, J2000 [rad].</param>
/// <param name="Dec">Declination of the disc centre, J2000 [rad].</param>
/// <param name="Radius">Disc radius [rad], in (0, π].</param>
internal sealed record ScanRegion(double Ra, double Dec, double Radius)
{
    /// <summary>The unit vector of the centre (HEALPix θ = π/2 − Dec, φ = RA).</summary>
    public Vector3D Centre
    {
        get
        {
            var theta = (Math.PI / 2.0) - Dec;
            var st = Math.Sin(theta);
            return new Vector3D(st * Math.Cos(Ra), st * Math.Sin(Ra), Math.Cos(theta));
        }
    }

    /// <summary>Checks the region; returns null when valid, else a message naming the bad field.</summary>
    public string? Validate()
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (!double.IsFinite(Ra))
        {
            return $"scan region RA must be finite, got {F(Ra)}";
        }

        if (!(Dec >= -Math.PI / 2 && Dec <= Math.PI / 2))
        {
            return $"scan region Dec must be in [−π/2, π/2] rad, got {F(Dec)}";
        }

        return Radius > 0 && Radius <= Math.PI ? null : $"scan region radius must be in (0, π] rad, got {F(Radius)}";
    }

    /// <summary>The RING pixels of <paramref name="nside"/> the region starts from, ascending.</summary>
    public IReadOnlyList<long> Pixels(int nside)
    {
        var centre = Centre;
        var pixels = HealpixGrid.QueryDisc(nside, centre, Radius);
        if (pixels.Length == 0)
        {
            return [HealpixGrid.Vec2Pix(nside, centre)];
        }

        Array.Sort(pixels);
        return pixels;
    }
}
