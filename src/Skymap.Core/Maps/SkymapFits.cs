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
internal static class SkymapFits
{
    /// <summary>HEALPix's UNSEEN value, written for NaN (failed or unscanned) pixels.</summary>
    public const double Unseen = -1.6375e30;

    /// <summary>The table column name of the 2ΔLLH map.</summary>
    public const string ColumnName = "2DLLH";

    /// <summary>The table column name of the probability map.</summary>
    public const string ProbabilityColumnName = "PROB";

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

    /// <summary>The probability map's file name <c>{event name}_{nsides}.skymap_nside_{max}_probability.fits.gz</c>.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The name, without a directory.</returns>
    public static string ProbabilityFileName(SkyScanResult result) => FileName(result).Replace("_llh.fits.gz", "_probability.fits.gz", StringComparison.Ordinal);

    /// <summary>
    /// The multi-order (UNIQ) map's file name, skyreader's <c>{flattened name without .fits.gz}.multiorder.fits.gz</c>,
    /// e.g. <c>…skymap_nside_512_llh.multiorder.fits.gz</c>.
    /// </summary>
    /// <param name="result">The result.</param>
    /// <param name="probability">The probability map's name instead of the 2ΔLLH map's.</param>
    /// <returns>The name, without a directory.</returns>
    public static string MultiOrderFileName(SkyScanResult result, bool probability = false)
    {
        var flat = probability ? ProbabilityFileName(result) : FileName(result);
        return flat[..^".fits.gz".Length] + ".multiorder.fits.gz";
    }

    /// <summary>Writes the gzipped FITS 2ΔLLH map to a file, atomically (temporary file, then a replacing move).</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="path">The target path, normally <see cref="FileName"/> in some directory.</param>
    public static void Write(SkymapAnalysis analysis, string path)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        WriteGzipped(path, s => WriteUncompressed(analysis, s));
    }

    /// <summary>Writes the FITS 2ΔLLH map, not compressed, to a stream.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="destination">The stream (left open).</param>
    public static void WriteUncompressed(SkymapAnalysis analysis, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(destination);
        WriteFlattened(destination, analysis.FinestMap, ExtensionHeader(analysis, ColumnName, null, probability: null));
    }

    /// <summary>
    /// Writes the gzipped FITS probability map (column <c>PROB</c>, unit <c>pix-1</c>, skyreader's
    /// <c>prepare_flattened_map</c>: values below 1e-16 replaced by their mean), atomically.
    /// </summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="probability">Its probability map (<see cref="SkymapAnalysis.ProbabilityMap"/>).</param>
    /// <param name="path">The target path, normally <see cref="ProbabilityFileName"/> in some directory.</param>
    public static void WriteProbability(SkymapAnalysis analysis, ProbabilityMap probability, string path)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(probability);
        var values = probability.Values.ToArray();
        var tiny = values.Where(static v => v < 1e-16).ToArray();
        if (tiny.Length > 0)
        {
            var mean = tiny.Average();
            for (var i = 0; i < values.Length; i++)
            {
                if (values[i] < 1e-16)
                {
                    values[i] = mean;
                }
            }
        }

        WriteGzipped(path, s => WriteFlattened(s, values, ExtensionHeader(analysis, ProbabilityColumnName, "pix-1", probability)));
    }

    /// <summary>
    /// Writes the gzipped multi-order map of 2ΔLLH (the gravitational-wave community's layout, as skyreader writes it
    /// with mhealpy): columns <c>UNIQ</c> (int64) and <c>2DLLH</c>, <c>ORDERING = 'NUNIQ'</c>, <c>INDXSCHM = 'EXPLICIT'</c>;
    /// a partition of the sphere into the coarsest cells on which the finest-nside map is constant, starting at the
    /// result's first nside (see <see cref="MultiOrderCells"/>); unscanned cells hold NaN.
    /// </summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="path">The target path, normally <see cref="MultiOrderFileName"/> in some directory.</param>
    public static void WriteMultiOrder(SkymapAnalysis analysis, string path)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var (uniq, values) = MultiOrderCells(analysis, analysis.FinestMap);
        WriteGzipped(path, s => WriteUniq(s, uniq, values, MultiOrderHeader(analysis, uniq.Length, ColumnName, null, null)));
    }

    /// <summary>
    /// Writes the gzipped multi-order probability map: columns <c>UNIQ</c> and <c>PROBDENSITY</c> (sr⁻¹, the finest
    /// pixel's probability over its area, as skyreader), cells as <see cref="WriteMultiOrder"/>.
    /// </summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="probability">Its probability map.</param>
    /// <param name="path">The target path, normally <see cref="MultiOrderFileName"/> (probability) in some directory.</param>
    public static void WriteMultiOrderProbability(SkymapAnalysis analysis, ProbabilityMap probability, string path)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(probability);
        var area = HealpixMath.PixelArea(analysis.MaxNside);
        var density = probability.Values.ToArray();
        for (var i = 0; i < density.Length; i++)
        {
            density[i] /= area;
        }

        var (uniq, values) = MultiOrderCells(analysis, density);
        WriteGzipped(path, s => WriteUniq(s, uniq, values, MultiOrderHeader(analysis, uniq.Length, "PROBDENSITY", "sr-1", probability)));
    }

    /// <summary>
    /// The multi-order cells of a finest-nside RING map: starting from every pixel of the result's first nside, a
    /// cell is kept when the map is the same (bit for bit, NaN equal to NaN) on all its finest pixels, otherwise
    /// split into its four children; sorted by UNIQ = 4·nside² + nested index.
    /// </summary>
    /// <param name="analysis">The analysis (for the nsides).</param>
    /// <param name="ringMap">A map of 12·<see cref="SkymapAnalysis.MaxNside"/>² values in RING order.</param>
    /// <returns>UNIQ ids and the value of each cell.</returns>
    internal static (long[] Uniq, double[] Values) MultiOrderCells(SkymapAnalysis analysis, ReadOnlySpan<double> ringMap)
    {
        var nside = analysis.MaxNside;
        var maxOrder = HealpixMath.Order(nside);
        var nest = new long[ringMap.Length];
        for (long i = 0; i < ringMap.Length; i++)
        {
            nest[HealpixMath.Ring2Nest(nside, i)] = BitConverter.DoubleToInt64Bits(Canonical(ringMap[(int)i]));
        }

        var startOrder = HealpixMath.Order(analysis.Result.Nsides[0]);
        var uniq = new List<long>();
        var values = new List<double>();
        var startCells = 12L << (2 * startOrder);
        for (long c = 0; c < startCells; c++)
        {
            Split(nest, startOrder, c, maxOrder, uniq, values);
        }

        var u = uniq.ToArray();
        var v = values.ToArray();
        Array.Sort(u, v);
        return (u, v);
    }

    private static double Canonical(double v) => double.IsNaN(v) ? double.NaN : v;

    private static void Split(long[] nest, int order, long cell, int maxOrder, List<long> uniq, List<double> values)
    {
        var shift = 2 * (maxOrder - order);
        var first = cell << shift;
        var count = 1L << shift;
        var bits = nest[first];
        var uniform = true;
        for (var k = first + 1; k < first + count; k++)
        {
            if (nest[k] != bits)
            {
                uniform = false;
                break;
            }
        }

        if (uniform)
        {
            uniq.Add((4L << (2 * order)) + cell);
            values.Add(BitConverter.Int64BitsToDouble(bits));
            return;
        }

        for (var child = 0; child < 4; child++)
        {
            Split(nest, order + 1, (cell << 2) + child, maxOrder, uniq, values);
        }
    }

    private static void WriteGzipped(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ResultFiles.WriteAtomically(path, stream =>
        {
            using var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
            write(gzip);
        });
    }

    private static void WritePrimary(Stream destination)
    {
        var primary = new FitsHeader()
            .Logical("SIMPLE", true, "conforms to FITS standard")
            .Integer("BITPIX", 8, "array data type")
            .Integer("NAXIS", 0, "number of array dimensions")
            .Logical("EXTEND", true);
        destination.Write(primary.ToBytes());
    }

    private static void WriteFlattened(Stream destination, ReadOnlySpan<double> map, FitsHeader header)
    {
        WritePrimary(destination);
        destination.Write(header.ToBytes());
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
        Pad(destination, 8L * map.Length);
    }

    private static void WriteUniq(Stream destination, long[] uniq, double[] values, FitsHeader header)
    {
        WritePrimary(destination);
        destination.Write(header.ToBytes());
        var buffer = new byte[16 * 4096];
        var filled = 0;
        for (var i = 0; i < uniq.Length; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(buffer.AsSpan(filled, 8), uniq[i]);
            BinaryPrimitives.WriteDoubleBigEndian(buffer.AsSpan(filled + 8, 8), values[i]);
            filled += 16;
            if (filled == buffer.Length)
            {
                destination.Write(buffer, 0, filled);
                filled = 0;
            }
        }

        destination.Write(buffer, 0, filled);
        Pad(destination, 16L * uniq.Length);
    }

    private static void Pad(Stream destination, long dataBytes)
    {
        var padding = (int)((FitsHeader.BlockSize - (dataBytes % FitsHeader.BlockSize)) % FitsHeader.BlockSize);
        destination.Write(new byte[padding]);
    }

    /// <summary>The BINTABLE header cards (without END), as written.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <returns>80-character cards.</returns>
    public static IReadOnlyList<string> HeaderCards(SkymapAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        return ExtensionHeader(analysis, ColumnName, null, probability: null).Cards;
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

    private static FitsHeader ExtensionHeader(SkymapAnalysis analysis, string column, string? unit, ProbabilityMap? probability)
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
            .String("TTYPE1", column)
            .String("TFORM1", "D");
        if (unit is not null)
        {
            h.String("TUNIT1", unit);
        }

        h.String("PIXTYPE", "HEALPIX", "HEALPIX pixelisation")
            .String("ORDERING", "RING", "Pixel ordering scheme, either RING or NESTED")
            .String("COORDSYS", "C", "Ecliptic, Galactic or Celestial (equatorial)")
            .Integer("NSIDE", nside, "Resolution parameter of HEALPIX")
            .Integer("FIRSTPIX", 0, "First pixel # (0 based)")
            .Integer("LASTPIX", npix - 1, "Last pixel # (0 based)")
            .String("INDXSCHM", "IMPLICIT", "Indexing: IMPLICIT or EXPLICIT")
            .String("OBJECT", "FULLSKY", "Sky coverage, either FULLSKY or PARTIAL");
        EventCards(h, analysis, probability);
        return h;
    }

    private static FitsHeader MultiOrderHeader(SkymapAnalysis analysis, long rows, string column, string? unit, ProbabilityMap? probability)
    {
        var h = new FitsHeader()
            .String("XTENSION", "BINTABLE", "binary table extension")
            .Integer("BITPIX", 8, "array data type")
            .Integer("NAXIS", 2, "number of array dimensions")
            .Integer("NAXIS1", 16, "length of dimension 1")
            .Integer("NAXIS2", rows, "length of dimension 2")
            .Integer("PCOUNT", 0, "number of group parameters")
            .Integer("GCOUNT", 1, "number of groups")
            .Integer("TFIELDS", 2, "number of table fields")
            .String("TTYPE1", "UNIQ")
            .String("TFORM1", "K")
            .String("TTYPE2", column)
            .String("TFORM2", "D");
        if (unit is not null)
        {
            h.String("TUNIT2", unit);
        }

        h.String("PIXTYPE", "HEALPIX", "HEALPIX pixelisation")
            .String("ORDERING", "NUNIQ", "Pixel ordering scheme: RING, NESTED, or NUNIQ")
            .String("COORDSYS", "C", "Ecliptic, Galactic or Celestial (equatorial)")
            .Integer("MOCORDER", HealpixMath.Order(analysis.MaxNside), "MOC resolution (best order)")
            .String("INDXSCHM", "EXPLICIT", "Indexing: IMPLICIT or EXPLICIT")
            .String("OBJECT", "FULLSKY", "Sky coverage, either FULLSKY or PARTIAL");
        EventCards(h, analysis, probability);
        return h;
    }

    private static void EventCards(FitsHeader h, SkymapAnalysis analysis, ProbabilityMap? probability)
    {
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

        if (probability is not null)
        {
            // Highest-density regions: pixel-sum areas of the 50 % and 90 % levels (no contour lines are traced).
            OptionalReal(h, "CONTOUR_AREA_50", probability.Area(0), "50% credible region area (sqdeg)");
            OptionalReal(h, "CONTOUR_AREA_90", probability.Area(1), "90% credible region area (sqdeg)");
            var smoothing = probability.AngularErrorFloorDegrees is { } floor
                ? string.Create(CultureInfo.InvariantCulture, $", Gaussian angular error floor {floor} deg")
                : string.Empty;
            h.String("COMMENTS", "50% and 90% uncertainty location => Highest posterior density 50% and 90% credible region" + smoothing);
        }
        else
        {
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
            h.String("COMMENTS", "50% and 90% uncertainty location => " + basis);
        }

        if (meta.Calibration is { } cal)
        {
            // Levels calibrated by re-simulation (skymap calibrate): additive cards, absent for an uncalibrated result.
            h.Integer("CALIB_TRIALS", cal.Trials, "re-simulated trials of the calibration")
                .String("CALIB_TRUTH_MODEL", cal.TruthModel, "truth model of the trials");
            OptionalReal(h, "CALIB_2DLLH_50", cal.Level50, "calibrated 50% level of 2DLLH");
            OptionalReal(h, "CALIB_2DLLH_90", cal.Level90, "calibrated 90% level of 2DLLH");
            if (probability is null && double.IsFinite(cal.Level90))
            {
                OptionalReal(h, "CALIB_AREA_90", analysis.PolygonArea(cal.Level90), "calibrated 90% contour area (sqdeg)");
            }
        }

        h.String("NOTE", "Please ignore pixels with infinite or NaN values. They are rare cases of the minimizer failing to converge");
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
