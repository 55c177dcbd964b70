using System.Globalization;
using Skymap.Core.Maps;
using Xunit.Abstractions;

namespace Skymap.Core.Tests.Maps;

public sealed class SkymapProductsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-products-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Python(string script, params string[] args)
    {
        var path = Path.Combine(_dir, "check.py");
        File.WriteAllText(path, script);
        var (code, text) = HealpyFactAttribute.Run(path + " " + string.Join(' ', args.Select(a => $"\"{a}\"")), null);
        output.WriteLine(text);
        Assert.True(code == 0, text);
        return text;
    }

    [Fact]
    public void WriteAll_writes_skyreaders_products()
    {
        var paths = SkymapProducts.WriteAll(MapTestData.Gold, _dir);
        var stem = "run00136766.evt000007637140.GOLD_8_64_512";
        Assert.Equal($"{stem}.skymap_nside_512_llh.fits.gz", Path.GetFileName(paths.Fits));
        Assert.Equal($"{stem}.skymap_nside_512_llh.multiorder.fits.gz", Path.GetFileName(paths.MultiOrderFits));
        Assert.Equal($"{stem}.skymap_nside_512_probability.fits.gz", Path.GetFileName(paths.ProbabilityFits));
        Assert.Equal($"{stem}.skymap_nside_512_probability.multiorder.fits.gz", Path.GetFileName(paths.ProbabilityMultiOrderFits));
        Assert.Equal([$"{stem}.contour_50.txt", $"{stem}.contour_90.txt"], paths.Contours.Select(Path.GetFileName));
        Assert.Empty(paths.Figures);
        Assert.All(paths.All, p => Assert.True(new FileInfo(p).Length > 0));
    }

    [Fact]
    public void Contour_files_hold_the_main_line_in_radians_as_astropy_writes_them()
    {
        var analysis = new SkymapAnalysis(MapTestData.Gold);
        var files = SkymapProducts.WriteContourFiles(analysis, _dir);
        var lines = File.ReadAllLines(files[1]);
        Assert.Equal("\"ra (rad)\" \"dec (rad)\"", lines[0]);
        var main = analysis.Contours(analysis.Level90.Value)[0];
        Assert.Equal(main.Vertices.Count + 1, lines.Length);
        var f = lines[1].Split(' ');
        Assert.Equal(main.RightAscensions()[0], double.Parse(f[0], CultureInfo.InvariantCulture));
        Assert.Equal(main.Declinations()[0], double.Parse(f[1], CultureInfo.InvariantCulture));
        Assert.InRange(double.Parse(f[0], CultureInfo.InvariantCulture), 3.8, 4.0); // RA ≈ 224°
    }

    [Fact]
    public void Multi_order_cells_partition_the_sphere_and_reproduce_the_finest_map()
    {
        var analysis = new SkymapAnalysis(MapTestData.Bronze);
        var (uniq, values) = SkymapFits.MultiOrderCells(analysis, analysis.FinestMap);
        var map = analysis.FinestMap;
        var covered = new bool[map.Length];
        for (var i = 0; i < uniq.Length; i++)
        {
            var order = (int)((63 - long.LeadingZeroCount(uniq[i] / 4)) / 2);
            var nside = 1L << order;
            var nest = uniq[i] - (4 * nside * nside);
            var shift = 2 * (9 - order);
            for (var k = nest << shift; k < (nest + 1) << shift; k++)
            {
                var ring = Skymap.Core.Healpix.Healpix.Nest2Ring(512, k);
                Assert.False(covered[ring]);
                covered[ring] = true;
                Assert.Equal(map[(int)ring], values[i]); // NaN equals NaN for xunit doubles
            }
        }

        Assert.All(covered, Assert.True);
        output.WriteLine($"{uniq.Length} cells for {map.Length} pixels");
        Assert.True(uniq.Length < map.Length / 100);
    }

    [HealpyFact]
    public void Astropy_and_healpy_read_the_multi_order_and_probability_maps()
    {
        var paths = SkymapProducts.WriteAll(MapTestData.Gold, _dir, options: new SkymapProductOptions { AngularErrorFloorDegrees = 0.5 });
        const string script = """
            import sys, warnings
            import numpy as np, healpy as hp
            from astropy.table import Table
            from astropy.io import fits
            warnings.simplefilter("ignore")
            flat, multi, prob, pmulti = sys.argv[1:5]
            m = hp.read_map(flat, dtype=np.float64)
            m[m == hp.UNSEEN] = np.nan
            t = Table.read(multi)
            with fits.open(multi) as f:
                f.verify("exception")
                h = f[1].header
            print("MULTI", t.colnames, h["ORDERING"], h["INDXSCHM"], h["MOCORDER"], h["RUNID"], h["I3TYPE"], h["CONTOUR_AREA_90"])
            uniq = np.asarray(t["UNIQ"], dtype=np.int64)
            order = (np.floor(np.log2(uniq / 4)) // 2).astype(int)
            nest = uniq - 4 * 4 ** order
            out = np.full(hp.nside2npix(512), -1.0)
            count = np.zeros(hp.nside2npix(512), dtype=int)
            vals = np.asarray(t["2DLLH"], dtype=np.float64)
            for o, n, v in zip(order, nest, vals):
                s = 4 ** (9 - o)
                ring = hp.nest2ring(512, np.arange(n * s, (n + 1) * s))
                out[ring] = v
                count[ring] += 1
            print("PARTITION", bool((count == 1).all()), "SAME", bool(np.array_equal(out, m, equal_nan=True)))
            p, ph = hp.read_map(prob, dtype=np.float64, h=True)
            ph = dict(ph)
            print("PROB", f"{p.sum():.6f}", ph["TTYPE1"], ph["TUNIT1"], ph["COMMENTS"])
            tp = Table.read(pmulti)
            area = np.array([hp.nside2pixarea(2 ** o) for o in (np.floor(np.log2(np.asarray(tp["UNIQ"]) / 4)) // 2).astype(int)])
            print("PMULTI", tp.colnames, str(tp["PROBDENSITY"].unit), f"{(np.asarray(tp['PROBDENSITY']) * area).sum():.6f}")
            """;
        var text = Python(script, paths.Fits, paths.MultiOrderFits, paths.ProbabilityFits!, paths.ProbabilityMultiOrderFits!);
        Assert.Contains("MULTI ['UNIQ', '2DLLH'] NUNIQ EXPLICIT 9 136766 GOLD", text, StringComparison.Ordinal);
        Assert.Contains("PARTITION True SAME True", text, StringComparison.Ordinal);
        Assert.Contains("PROB 1.000000 PROB pix-1 50% and 90% uncertainty location => Highest posterior density", text, StringComparison.Ordinal);
        Assert.Contains("PMULTI ['UNIQ', 'PROBDENSITY'] 1 / sr 1.000000", text, StringComparison.Ordinal);
    }

    [HealpyFact]
    public void Regions_below_the_levels_match_an_independent_flattening_exactly()
    {
        foreach (var (file, result) in new[]
                 {
                     ("skymap_reference_GOLD_run136766_evt7637140.csv", MapTestData.Gold),
                     ("skymap_reference_BRONZE_run136662_evt35405932.csv", MapTestData.Bronze),
                 })
        {
            var path = Path.Combine(_dir, SkymapFits.FileName(result));
            SkymapFits.Write(new SkymapAnalysis(result), path);
            const string script = """
                import sys, warnings
                import numpy as np, healpy as hp
                warnings.simplefilter("ignore")
                csv, fitsfile = sys.argv[1:3]
                d = np.loadtxt(csv, delimiter=",", skiprows=1)
                nsides = sorted(set(d[:, 0].astype(int)))
                flat = np.full(hp.nside2npix(max(nsides)), np.nan)
                for n in nsides:
                    rows = d[d[:, 0] == n]
                    this = np.full(hp.nside2npix(n), np.nan)
                    this[rows[:, 1].astype(int)] = rows[:, 2]
                    if n < max(nsides):
                        this = hp.ud_grade(this, max(nsides))
                    ok = np.isfinite(this)
                    flat[ok] = this[ok]
                flat = 2 * (flat - np.nanmin(flat))
                ours = hp.read_map(fitsfile, dtype=np.float64)
                ours[ours == hp.UNSEEN] = np.nan
                for level in (4.61, 22.2, 64.2):
                    a = np.nonzero(flat < level)[0]
                    b = np.nonzero(ours < level)[0]
                    print("LEVEL", level, len(a), len(b), "EQUAL", bool(np.array_equal(a, b)))
                """;
            var text = Python(script, Path.Combine(MapTestData.SharedDataDirectory, file), path);
            Assert.Equal(3, text.Split('\n').Count(l => l.StartsWith("LEVEL", StringComparison.Ordinal) && l.EndsWith("EQUAL True", StringComparison.Ordinal)));
        }
    }
}

public sealed class PolygonVersusPixelSumTests(ITestOutputHelper output)
{
    // Acceptance of issue 10: polygon (shoelace) areas against pixel-sum areas on the real scans, at every level of
    // both level sets (Wilks 1.39/4.61/11.83, systematics 22.2/64.2), within 5 %. Below 20 finest pixels 5 % is less
    // than one pixel, which is as well as a count of pixels can know an area: there (only the 50 % Wilks regions,
    // GOLD 1 pixel, BRONZE 7) the bound is one finest pixel. With linear crossings BRONZE was off by 5.2 % at 4.61
    // and 5.5 % at 64.2; cubic Hermite crossings bring it to 1.3 % and 4.3 %.
    [Theory]
    [InlineData("GOLD")]
    [InlineData("BRONZE")]
    public void Polygon_areas_agree_with_pixel_sum_areas(string which)
    {
        var result = which == "GOLD" ? MapTestData.Gold : MapTestData.Bronze;
        var checkedLevels = 0;
        foreach (var systematics in new[] { false, true })
        {
            var analysis = new SkymapAnalysis(result, systematics);
            foreach (var s in analysis.Summaries)
            {
                var pixel = analysis.FinestPixelAreaDegrees;
                var difference = Math.Abs(s.PolygonArea - s.PixelSumArea);
                var relative = difference / s.PixelSumArea;
                output.WriteLine($"{which} {s.Level.Value:F2}: polygon {s.PolygonArea:F4} pixel-sum {s.PixelSumArea:F4} ({analysis.CountBelow(s.Level.Value)} px): {relative:P2}, {difference / pixel:F2} px");
                Assert.True(s.PixelSumArea > 0, $"{which} {s.Level.Value}: no region");
                Assert.True(difference <= Math.Max(0.05 * s.PixelSumArea, pixel), $"{which} {s.Level.Value}: {relative:P2} ({difference / pixel:F2} px)");
                checkedLevels++;
            }
        }

        Assert.Equal(5, checkedLevels);
    }
}
