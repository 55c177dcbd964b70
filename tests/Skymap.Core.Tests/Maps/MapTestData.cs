using System.Globalization;
using Skymap.Core.Geometry;
using Skymap.Core.Results;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Maps;

/// <summary>Shared inputs of the map tests: the upstream reference scans and a synthetic Gaussian scan.</summary>
internal static class MapTestData
{
    /// <summary>The repository's data folder (<c>data/</c> at the repository root).</summary>
    public static string SharedDataDirectory => Skymap.Core.Tests.Events.TestData.SharedDataDir;

    public static SkyScanResult Gold => ReadReference("skymap_reference_GOLD_run136766_evt7637140.csv", 136766, 7637140, "GOLD", 59726.88);

    public static SkyScanResult Bronze => ReadReference("skymap_reference_BRONZE_run136662_evt35405932.csv", 136662, 35405932, "BRONZE", 59711.5);

    /// <summary>Reads a reference CSV (nside,pixel_ring,llh,E_in,E_tot) into a version-0 result.</summary>
    public static SkyScanResult ReadReference(string file, long runId, long eventId, string type, double mjd)
    {
        var rows = new Dictionary<long, List<ResultRow>>();
        foreach (var line in File.ReadLines(Path.Combine(SharedDataDirectory, file)).Skip(1))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split(',');
            var nside = long.Parse(f[0], CultureInfo.InvariantCulture);
            if (!rows.TryGetValue(nside, out var list))
            {
                rows[nside] = list = [];
            }

            list.Add(ResultRow.V0(
                long.Parse(f[1], CultureInfo.InvariantCulture),
                double.Parse(f[2], CultureInfo.InvariantCulture),
                double.Parse(f[3], CultureInfo.InvariantCulture),
                double.Parse(f[4], CultureInfo.InvariantCulture)));
        }

        return new SkyScanResult(rows.Select(kv => new SkyScanResultBlock(
            new ResultMetadata(kv.Key, true, runId, eventId, type, mjd, true, 0), kv.Value)));
    }

    /// <summary>
    /// A synthetic scan of llh = θ²/(2σ²) about a centre: nside 8 everywhere, nside 64 on a disc, nside 128 on a
    /// smaller disc, like a real scan's refinement.
    /// </summary>
    public static SkyScanResult Gaussian(double sigmaDeg, Vector3D centre, double disc64Deg = 8, double disc128Deg = 3.5, long fine = 128)
    {
        var sigma = sigmaDeg * Math.PI / 180;
        IEnumerable<ResultRow> Rows(long nside, IEnumerable<long> pixels) => pixels.Select(p =>
        {
            var theta = HealpixMath.Pix2Vec(nside, p).AngleTo(centre);
            return new ResultRow(p, theta * theta / (2 * sigma * sigma), 1000, 2000, 0, 0, 0, 0);
        });

        return SkyScanResult.Create(
            123456, 42, "GAUSS", 60000.25, true,
            [
                (8, Rows(8, Enumerable.Range(0, 768).Select(i => (long)i))),
                (64, Rows(64, HealpixMath.QueryDisc(64, centre, disc64Deg * Math.PI / 180))),
                (fine, Rows(fine, HealpixMath.QueryDisc(fine, centre, disc128Deg * Math.PI / 180))),
            ],
            complete: true);
    }
}
