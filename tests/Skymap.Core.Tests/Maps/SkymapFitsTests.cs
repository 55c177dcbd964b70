using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Skymap.Core.Maps;
using Skymap.Core.Results;
using Xunit.Abstractions;

namespace Skymap.Core.Tests.Maps;

public sealed class SkymapFitsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-fits-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static SkymapAnalysis GoldAnalysis { get; } = new(MapTestData.Gold);

    private string WriteGold()
    {
        var path = Path.Combine(_dir, SkymapFits.FileName(GoldAnalysis.Result));
        SkymapFits.Write(GoldAnalysis, path);
        return path;
    }

    private static byte[] Gunzip(string path)
    {
        using var file = File.OpenRead(path);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    private static List<string> Cards(byte[] bytes, ref int offset)
    {
        var cards = new List<string>();
        while (true)
        {
            var card = Encoding.ASCII.GetString(bytes, offset, 80);
            offset += 80;
            cards.Add(card);
            if (card.StartsWith("END ", StringComparison.Ordinal))
            {
                break;
            }
        }

        offset = (offset + 2879) / 2880 * 2880;
        return cards;
    }

    [Fact]
    public void File_name_follows_FORMATS()
    {
        Assert.Equal("run00136766.evt000007637140.GOLD_8_64_512.skymap_nside_512_llh.fits.gz", SkymapFits.FileName(GoldAnalysis.Result));
    }

    [Fact]
    public void Fits_structure_is_two_hdus_in_2880_byte_blocks_with_big_endian_doubles()
    {
        var bytes = Gunzip(WriteGold());
        var npix = 12 * 512 * 512;
        Assert.Equal(0, bytes.Length % 2880);
        Assert.All(bytes.Take(2880), b => Assert.InRange(b, (byte)32, (byte)126));

        var offset = 0;
        var primary = Cards(bytes, ref offset);
        Assert.Equal(2880, offset);
        Assert.StartsWith("SIMPLE  =                    T", primary[0], StringComparison.Ordinal);
        Assert.StartsWith("BITPIX  =                    8", primary[1], StringComparison.Ordinal);
        Assert.StartsWith("NAXIS   =                    0", primary[2], StringComparison.Ordinal);
        Assert.StartsWith("EXTEND  =                    T", primary[3], StringComparison.Ordinal);

        var ext = Cards(bytes, ref offset);
        foreach (var c in ext)
        {
            output.WriteLine(c.TrimEnd());
        }

        string[] mandatory = ["XTENSION= 'BINTABLE'", "BITPIX  =                    8", "NAXIS   =                    2",
            "NAXIS1  =                    8", $"NAXIS2  = {npix,20}", "PCOUNT  =                    0",
            "GCOUNT  =                    1", "TFIELDS =                    1"];
        for (var i = 0; i < mandatory.Length; i++)
        {
            Assert.StartsWith(mandatory[i], ext[i], StringComparison.Ordinal);
        }

        string[] expected = ["TTYPE1  = '2DLLH   '", "TFORM1  = 'D       '", "PIXTYPE = 'HEALPIX '", "ORDERING= 'RING    '",
            "COORDSYS= 'C       '", "NSIDE   =                  512", "FIRSTPIX=                    0",
            $"LASTPIX = {npix - 1,20}", "INDXSCHM= 'IMPLICIT'", "OBJECT  = 'FULLSKY '", "RUNID   =               136766",
            "EVENTID =              7637140", "SENDER  = 'IceCube Collaboration'", "I3TYPE  = 'GOLD    '",
            "DATE-OBS= '2022-05-27T21:07:12.000'", "MJD-OBS =             59726.88",
            "HIERARCH RA_ERR_PLUS_50 = ", "HIERARCH CONTOUR_AREA_90 = 0.16", "COMMENTS= '50% and 90% uncertainty location => Change in 2LLH based on Wilks &'", "CONTINUE  'theorem'",
            "NOTE    = 'Please ignore pixels with infinite or NaN values. They are rare &'", "CONTINUE  'cases of the minimizer failing to converge'"];
        foreach (var e in expected)
        {
            Assert.Contains(ext, c => c.StartsWith(e, StringComparison.Ordinal));
        }

        Assert.All(ext, c => Assert.Equal(80, c.Length));
        Assert.Contains(ext, c => c.StartsWith("RA      = ", StringComparison.Ordinal) && c.Contains($"{Math.Round(GoldAnalysis.BestRaDegrees, 2):R}", StringComparison.Ordinal));

        Assert.Equal(offset + (((8L * npix) + 2879) / 2880 * 2880), bytes.Length);
        var map = GoldAnalysis.FinestMap;
        var unseen = 0;
        for (var i = 0; i < npix; i++)
        {
            var v = BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(offset + (8 * i), 8));
            if (double.IsNaN(map[i]))
            {
                Assert.Equal(SkymapFits.Unseen, v);
                unseen++;
            }
            else
            {
                Assert.Equal(map[i], v);
            }
        }

        Assert.Equal(0, unseen); // nside 8 covers the sky
        Assert.All(bytes.Skip(offset + (8 * npix)), b => Assert.Equal(0, b));
    }

    [Fact]
    public void Unscanned_and_failed_pixels_are_unseen()
    {
        var result = SkyScanResult.Create(137501, 20453318, "GOLD", 59921.437118, true,
        [
            (8, [ResultRow.V0(411, 631.2784, 1, 1), ResultRow.V0(412, 618.5093, 1, 1), ResultRow.Failed(413)]),
        ], complete: true);
        var analysis = new SkymapAnalysis(result);
        using var ms = new MemoryStream();
        SkymapFits.WriteUncompressed(analysis, ms);
        var bytes = ms.ToArray();
        var offset = 0;
        Cards(bytes, ref offset);
        var ext = Cards(bytes, ref offset);
        // Too few pixels for contours: areas 0, no rectangular errors (NaN cannot be written).
        Assert.Contains(ext, c => c.StartsWith("HIERARCH CONTOUR_AREA_90 = 0.0 ", StringComparison.Ordinal));
        Assert.DoesNotContain(ext, c => c.Contains("_ERR_", StringComparison.Ordinal));
        double At(int pixel) => BinaryPrimitives.ReadDoubleBigEndian(bytes.AsSpan(offset + (8 * pixel), 8));
        Assert.Equal(SkymapFits.Unseen, At(0));
        Assert.Equal(SkymapFits.Unseen, At(413));
        Assert.Equal(0.0, At(412));
        Assert.Equal(2 * (631.2784 - 618.5093), At(411), 12);
        Assert.Equal(offset + 8640, bytes.Length); // 768 × 8 = 6144 bytes, padded to 3 blocks
    }

    [Fact]
    public void Iso_time_matches_astropy_isot()
    {
        Assert.Equal("1858-11-17T00:00:00.000", SkymapFits.IsoTime(0));
        Assert.Equal("2022-05-27T21:07:12.000", SkymapFits.IsoTime(59726.88));
        Assert.Equal("2022-12-17T10:29:26.995", SkymapFits.IsoTime(59930.437118));
        Assert.Null(SkymapFits.IsoTime(double.NaN));
    }

    [Fact]
    public void Fits_reals_always_have_a_decimal_point()
    {
        Assert.Equal("1.0", FitsHeader.FormatReal(1));
        Assert.Equal("-0.13", FitsHeader.FormatReal(-0.13));
        Assert.Equal("1.0E-05", FitsHeader.FormatReal(1e-5));
        Assert.Equal("-1.6375E+30", FitsHeader.FormatReal(-1.6375e30));
    }

    [HealpyFact]
    public void Healpy_reads_the_map_back()
    {
        var path = WriteGold();
        var expected = Path.Combine(_dir, "expected.f8");
        var map = GoldAnalysis.FinestMap;
        var raw = new byte[8 * map.Length];
        for (var i = 0; i < map.Length; i++)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(raw.AsSpan(8 * i), map[i]);
        }

        File.WriteAllBytes(expected, raw);
        const string script = """
            import sys, warnings
            import numpy as np, healpy as hp
            from astropy.io import fits
            warnings.simplefilter("ignore")
            path, expected = sys.argv[1], sys.argv[2]
            m, h = hp.read_map(path, h=True, dtype=np.float64)
            h = dict(h)
            exp = np.fromfile(expected, dtype="<f8")
            seen = m != hp.UNSEEN
            same = bool(np.array_equal(np.isnan(exp), ~seen) and np.array_equal(m[seen], exp[seen]))
            with fits.open(path) as f:
                f.verify("exception")
                cols = f[1].columns.names
            print("NSIDE", hp.get_nside(m), h["NSIDE"], h["ORDERING"], h["COORDSYS"], h["INDXSCHM"])
            print("SEEN", int(seen.sum()), "SAME", same, "COLUMNS", cols)
            print("CARDS", h["RA"], h["DEC"], h["RA_ERR_PLUS_90"], h["DEC_ERR_MINUS_90"], h["CONTOUR_AREA_50"], h["CONTOUR_AREA_90"], h["RUNID"], h["EVENTID"], h["I3TYPE"], h["DATE-OBS"])
            print("NOTE", h["NOTE"])
            """;
        var scriptPath = Path.Combine(_dir, "check.py");
        File.WriteAllText(scriptPath, script);
        var (code, text) = HealpyFactAttribute.Run($"{scriptPath} {path} {expected}", null);
        output.WriteLine(text);
        Assert.Equal(0, code);
        var seenCount = 0;
        foreach (var v in map)
        {
            if (!double.IsNaN(v))
            {
                seenCount++;
            }
        }

        Assert.Contains("NSIDE 512 512 RING C IMPLICIT", text, StringComparison.Ordinal);
        Assert.Contains($"SEEN {seenCount} SAME True COLUMNS ['2DLLH']", text, StringComparison.Ordinal);
        Assert.Contains("CARDS ", text, StringComparison.Ordinal);
        Assert.Contains("136766 7637140 GOLD 2022-05-27T21:07:12.000", text, StringComparison.Ordinal);
        Assert.Contains("NOTE Please ignore pixels with infinite or NaN values. They are rare cases of the minimizer failing to converge", text, StringComparison.Ordinal);
    }
}
