using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Skymap.Core.Results;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Maps;

/// <summary>
/// Writes the finest-nside 2ΔLLH map as a gzipped FITS HEALPix map (FORMATS.md §7), the file skyreader writes
/// with <c>healpy.write_map</c> and that <c>healpy.read_map</c> reads back.
/// </summary>
/// <remarks>
/// Layout: an empty primary HDU, then a BINTABLE with one 8-byte big-endian IEEE-754 column <c>2DLLH</c>, one
/// pixel per row in RING order, NaN/unscanned as <see cref="Unseen"/>; the HEALPix cards (PIXTYPE, ORDERING,
/// COORDSYS, NSIDE, FIRSTPIX, LASTPIX, INDXSCHM, OBJECT) and skyreader's event cards (<c>format_fits_header</c>).
/// Event cards that would hold NaN (no MJD; no contour at a level) are left out, FITS headers cannot hold NaN.
/// </remarks>
public static class SkymapFits
{
    /// <summary>HEALPix's UNSEEN value, written for NaN (failed or unscanned) pixels.</summary>
    public const double Unseen = -1.6375e30;

    /// <summary>The table column name.</summary>
    public const string ColumnName = "2DLLH";

    private static readonly DateTime MjdEpoch = new(1858, 11, 17, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The file name <c>{event name}_{nsides}.skymap_nside_{max}_llh.fits.gz</c>.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The name, without a directory.</returns>
    public static string FileName(SkyScanResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var max = result.Nsides[^1].ToString(CultureInfo.InvariantCulture);
        return $"{ResultFiles.FileStem(result)}.skymap_nside_{max}_llh.fits.gz";
    }

    /// <summary>Writes the gzipped FITS map to a file, atomically (temporary file, then a replacing move).</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="path">The target path, normally <see cref="FileName"/> in some directory.</param>
    public static void Write(SkymapAnalysis analysis, string path)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentException.ThrowIfNullOrEmpty(path);
        ResultFiles.WriteAtomically(path, stream =>
        {
            using var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            WriteUncompressed(analysis, gzip);
        });
    }

    /// <summary>Writes the FITS map, not compressed, to a stream.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="destination">The stream (left open).</param>
    public static void WriteUncompressed(SkymapAnalysis analysis, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(destination);

        var primary = new FitsHeader()
            .Logical("SIMPLE", true, "conforms to FITS standard")
            .Integer("BITPIX", 8, "array data type")
            .Integer("NAXIS", 0, "number of array dimensions")
            .Logical("EXTEND", true);
        destination.Write(primary.ToBytes());

        destination.Write(ExtensionHeader(analysis).ToBytes());

        var map = analysis.FinestMap;
        var buffer = new byte[8 * 8192];
        var filled = 0;
        for (var i = 0; i < map.Length; i++)
        {
            var v = map[i];
            BinaryPrimitives.WriteDoubleBigEndian(buffer.AsSpan(filled, 8), double.IsNaN(v) ? Unseen : v);
            filled += 8;
            if (filled == buffer.Length)
            {
                destination.Write(buffer, 0, filled);
                filled = 0;
            }
        }

        destination.Write(buffer, 0, filled);
        var dataBytes = 8L * map.Length;
        var padding = (int)((FitsHeader.BlockSize - (dataBytes % FitsHeader.BlockSize)) % FitsHeader.BlockSize);
        destination.Write(new byte[padding]);
    }

    /// <summary>The BINTABLE header cards (without END), as written.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <returns>80-character cards.</returns>
    public static IReadOnlyList<string> HeaderCards(SkymapAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        return ExtensionHeader(analysis).Cards;
    }

    /// <summary>ISO-8601 UTC time of an MJD with millisecond precision, as astropy's <c>Time(mjd, format="mjd").isot</c>.</summary>
    /// <param name="mjd">Modified Julian date (UTC).</param>
    /// <returns>E.g. <c>2022-05-26T21:13:12.000</c>, or <see langword="null"/> when not representable.</returns>
    public static string? IsoTime(double mjd)
    {
        if (!double.IsFinite(mjd) || mjd < -678575 || mjd > 2973483)
        {
            return null;
        }

        var ticks = (long)Math.Round(mjd * TimeSpan.TicksPerDay / TimeSpan.TicksPerMillisecond) * TimeSpan.TicksPerMillisecond;
        return MjdEpoch.AddTicks(ticks).ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture);
    }

    private static FitsHeader ExtensionHeader(SkymapAnalysis analysis)
    {
        var nside = analysis.MaxNside;
        var npix = HealpixMath.NPix(nside);
        var h = new FitsHeader()
            .String("XTENSION", "BINTABLE", "binary table extension")
            .Integer("BITPIX", 8, "array data type")
            .Integer("NAXIS", 2, "number of array dimensions")
            .Integer("NAXIS1", 8, "length of dimension 1")
            .Integer("NAXIS2", npix, "length of dimension 2")
            .Integer("PCOUNT", 0, "number of group parameters")
            .Integer("GCOUNT", 1, "number of groups")
            .Integer("TFIELDS", 1, "number of table fields")
            .String("TTYPE1", ColumnName)
            .String("TFORM1", "D")
            .String("PIXTYPE", "HEALPIX", "HEALPIX pixelisation")
            .String("ORDERING", "RING", "Pixel ordering scheme, either RING or NESTED")
            .String("COORDSYS", "C", "Ecliptic, Galactic or Celestial (equatorial)")
            .Integer("NSIDE", nside, "Resolution parameter of HEALPIX")
            .Integer("FIRSTPIX", 0, "First pixel # (0 based)")
            .Integer("LASTPIX", npix - 1, "Last pixel # (0 based)")
            .String("INDXSCHM", "IMPLICIT", "Indexing: IMPLICIT or EXPLICIT")
            .String("OBJECT", "FULLSKY", "Sky coverage, either FULLSKY or PARTIAL");

        var meta = analysis.Result.Metadata;
        h.Integer("RUNID", meta.RunId)
            .Integer("EVENTID", meta.EventId)
            .String("SENDER", "IceCube Collaboration");
        if (IsoTime(meta.Mjd) is { } iso)
        {
            h.String("DATE-OBS", iso, "UTC date of the observation")
                .Real("MJD-OBS", meta.Mjd, "modified Julian date of the observation");
        }

        h.String("I3TYPE", meta.EventType, "Alert Type")
            .Real("RA", Round2(analysis.BestRaDegrees), "Degree")
            .Real("DEC", Round2(analysis.BestDecDegrees), "Degree");

        var summaries = analysis.Summaries;
        string[] percent = ["50", "90"];
        for (var l = 0; l < 2; l++)
        {
            var e = summaries[l].Errors;
            var p = percent[l];
            OptionalReal(h, $"RA_ERR_PLUS_{p}", e.RaPlus, $"{p}% containment error high");
            OptionalReal(h, $"RA_ERR_MINUS_{p}", e.RaMinus, $"{p}% containment error low");
            OptionalReal(h, $"DEC_ERR_PLUS_{p}", e.DecPlus, $"{p}% containment error high");
            OptionalReal(h, $"DEC_ERR_MINUS_{p}", e.DecMinus, $"{p}% containment error low");
        }

        OptionalReal(h, "CONTOUR_AREA_50", summaries[0].PolygonArea, "50% contour area (sqdeg)");
        OptionalReal(h, "CONTOUR_AREA_90", summaries[1].PolygonArea, "90% contour area (sqdeg)");
        var basis = analysis.Systematics
            ? "Change in 2LLH, IC160427A systematics levels 22.2 and 64.2"
            : "Change in 2LLH based on Wilks theorem";
        h.String("COMMENTS", "50% and 90% uncertainty location => " + basis)
            .String("NOTE", "Please ignore pixels with infinite or NaN values. They are rare cases of the minimizer failing to converge");
        return h;
    }

    private static void OptionalReal(FitsHeader h, string key, double value, string comment)
    {
        if (double.IsFinite(value))
        {
            h.Real(key, Round2(value), comment);
        }
    }

    // numpy.round(x, 2): round half to even on x·100.
    private static double Round2(double value) => Math.Round(value, 2, MidpointRounding.ToEven);
}
