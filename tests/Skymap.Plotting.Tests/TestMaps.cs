using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using Skymap.Core.Results;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Plotting.Tests;

/// <summary>Maps with a known minimum: llh = θ²/(2σ²) about a centre, nside 8 everywhere, 64 and 256 on discs.</summary>
internal static class TestMaps
{
    public const double Deg = Math.PI / 180;

    public static Vector3D Direction(double raDeg, double decDeg) => Vector3D.FromSpherical((90 - decDeg) * Deg, raDeg * Deg);

    public static SkyScanResult Gaussian(double sigmaDeg, double raDeg, double decDeg, bool leaveHole = false)
    {
        var centre = Direction(raDeg, decDeg);
        var sigma = sigmaDeg * Deg;
        IEnumerable<ResultRow> Rows(long nside, IEnumerable<long> pixels) => pixels.Select(p =>
        {
            var theta = HealpixMath.Pix2Vec(nside, p).AngleTo(centre);
            return new ResultRow(p, 100 + (theta * theta / (2 * sigma * sigma)), 1000, 2000, 0, 0, 0, 0);
        });

        // With leaveHole, a band of nside-8 pixels far from the centre is not scanned (a partial result).
        var coarse = Enumerable.Range(0, 768).Select(i => (long)i)
            .Where(p => !leaveHole || HealpixMath.Pix2Vec(8, p).AngleTo(centre) < 100 * Deg);
        return SkyScanResult.Create(
            123456, 42, "GAUSS", 60000.25, true,
            [
                (8, Rows(8, coarse)),
                (64, Rows(64, HealpixMath.QueryDisc(64, centre, 12 * Deg))),
                (256, Rows(256, HealpixMath.QueryDisc(256, centre, 5 * Deg))),
            ],
            complete: true);
    }

    public static SkymapAnalysis GaussianAnalysis(double sigmaDeg = 1.0, double raDeg = 60, double decDeg = 20, bool leaveHole = false) =>
        new(Gaussian(sigmaDeg, raDeg, decDeg, leaveHole));

    /// <summary>The repository's data folder.</summary>
    public static string DataDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Skymap.Core.sln")) && Directory.Exists(Path.Combine(dir.FullName, "data")))
            {
                return Path.Combine(dir.FullName, "data");
            }
        }

        throw new DirectoryNotFoundException("the repository's data folder, above " + AppContext.BaseDirectory);
    }
}
