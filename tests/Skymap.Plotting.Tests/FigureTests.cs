using System.Diagnostics;
using System.Text;
using SkiaSharp;
using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using Xunit.Abstractions;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Plotting.Tests;

public sealed class FigureTests(ITestOutputHelper output) : IDisposable
{
    private const float Scale = 2f; // PNG pixels per point (the default)
    private static readonly SkymapAnalysis Gauss = TestMaps.GaussianAnalysis();
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-plotting-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static bool IsBlack(SKColor c) => c.Red < 60 && c.Green < 60 && c.Blue < 60;

    private static bool IsRed(SKColor c) => c.Red > 200 && c.Green < 60 && c.Blue < 60;

    private static bool IsGreen(SKColor c) => c.Red < 50 && c.Green is > 100 and < 160 && c.Blue < 50;

    private static Vector3D Offset(Vector3D centre, double radiusDeg, double angleDeg)
    {
        var east = new Vector3D(0, 0, 1).Cross(centre).Normalized();
        var north = centre.Cross(east);
        var r = radiusDeg * TestMaps.Deg;
        var t = angleDeg * TestMaps.Deg;
        return (Math.Cos(r) * centre) + (Math.Sin(r) * ((Math.Cos(t) * east) + (Math.Sin(t) * north)));
    }

    [Fact]
    public void Zoomed_plot_has_the_star_at_the_best_fit_and_the_map_colours_around_it()
    {
        var figure = new ZoomedFigure(Gauss, SkymapFigureOptions.Default);
        var png = Png.Decode(Png.Render(figure, FigureFormat.Png));
        Assert.Equal((int)Math.Round(figure.Width * Scale), png.Width);

        var best = figure.Project(Gauss.BestDirection);
        Assert.Equal(figure.Panel.MidX, best.X, 0.01);
        Assert.True(IsBlack(png[(int)(best.X * Scale), (int)(best.Y * Scale)]), $"no star at the best fit: {png[(int)(best.X * Scale), (int)(best.Y * Scale)]}");

        var map = Gauss.FinestMap;
        foreach (var dx in new[] { 20f, 120f, 200f })
        {
            var (x, y) = (best.X + dx, best.Y + 3);
            var expected = Plasma.Reversed(map[(int)HealpixMath.Vec2Pix(Gauss.MaxNside, figure.Unproject(x, y))], ZoomedFigure.ColourMaximum);
            Assert.True(png.Near(x * Scale, y * Scale, 2, c => Png.Distance(c, expected) <= 10), $"at +{dx} pt expected {expected}, got {png[(int)(x * Scale), (int)(y * Scale)]}");
        }

        // Next to the best fit 2ΔLLH ≈ 0: plasma_r's bright yellow.
        var near = png[(int)((best.X + 20) * Scale), (int)((best.Y + 3) * Scale)];
        Assert.True(near.Red > 200 && near.Green > 200 && near.Blue < 120, $"not yellow beside the best fit: {near}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Zoomed_plot_draws_each_contour_in_its_colour_on_the_expected_circle(int levelIndex)
    {
        // 2ΔLLH = θ²/σ² for llh = θ²/2σ²: the level L lies on the circle θ = σ·√L around the true centre.
        var level = Gauss.Levels[levelIndex];
        Func<SKColor, bool> colour = levelIndex switch { 0 => IsBlack, 1 => IsRed, _ => IsGreen };
        var radius = Math.Sqrt(level.Value);
        var figure = new ZoomedFigure(Gauss, SkymapFigureOptions.Default);
        var png = Png.Decode(Png.Render(figure, FigureFormat.Png));
        var centre = TestMaps.Direction(60, 20);
        var hits = 0;
        var tried = 0;
        for (var angle = 0; angle < 360; angle += 15)
        {
            if (angle is > 150 and < 300)
            {
                continue; // the legend sits in the lower left
            }

            tried++;
            var p = figure.Project(Offset(centre, radius, angle));
            if (png.Near(p.X * Scale, p.Y * Scale, 5, colour))
            {
                hits++;
            }

            // A tenth of the radius inside and outside, the line is not there.
            foreach (var f in new[] { 0.8, 1.2 })
            {
                var q = figure.Project(Offset(centre, radius * f, angle));
                if (levelIndex > 0)
                {
                    Assert.False(png.Near(q.X * Scale, q.Y * Scale, 2, colour), $"{level.Label} line found at {f}·r, angle {angle}");
                }
            }
        }

        output.WriteLine($"{level.Label}: {hits}/{tried} points of the circle r = {radius:F3}° have the contour colour");
        Assert.True(hits >= tried - 1, $"{level.Label}: only {hits}/{tried} points on the expected circle have the contour colour");
    }

    [Fact]
    public void Text_bands_are_not_empty()
    {
        foreach (Figure figure in new Figure[] { new ZoomedFigure(Gauss, SkymapFigureOptions.Default), new MollweideFigure(Gauss, SkymapFigureOptions.Default) })
        {
            var png = Png.Decode(Png.Render(figure, FigureFormat.Png));
            int Dark(float top, float bottom)
            {
                var n = 0;
                for (var y = (int)(top * Scale); y < (int)(bottom * Scale); y++)
                {
                    for (var x = 0; x < png.Width; x++)
                    {
                        n += IsBlack(png[x, y]) ? 1 : 0;
                    }
                }

                return n;
            }

            var title = Dark(8, 36);
            var bottom = Dark(figure.Height - 60, figure.Height);
            output.WriteLine($"{figure.GetType().Name}: title band {title} dark pixels, bottom band {bottom}");
            Assert.True(title > 1500, $"{figure.GetType().Name}: title band nearly empty ({title})");
            Assert.True(bottom > 300, $"{figure.GetType().Name}: colour-bar label band nearly empty ({bottom})");
            Assert.Equal(0, Dark(0, 6)); // and the margin above the title is blank
        }
    }

    [Fact]
    public void Full_sky_plot_is_astronomical_mollweide_with_the_star_and_unscanned_pixels_marked()
    {
        var partial = TestMaps.GaussianAnalysis(leaveHole: true);
        var figure = new MollweideFigure(partial, SkymapFigureOptions.Default);
        var png = Png.Decode(Png.Render(figure, FigureFormat.Png));

        var best = MollweideFigure.Project(partial.BestRa, partial.BestDec);
        Assert.True(IsBlack(png[(int)(best.X * Scale), (int)(best.Y * Scale)]));
        Assert.True(MollweideFigure.Project(partial.BestRa + 0.2, partial.BestDec).X < best.X, "RA must increase to the left");
        Assert.Equal(MollweideFigure.Centre.X, MollweideFigure.Project(Math.PI, 0).X, 0.001);
        var back = MollweideFigure.Unproject(best.X, best.Y)!.Value;
        Assert.Equal(partial.BestRa, back.Ra, 1e-6);
        Assert.Equal(partial.BestDec, back.Dec, 1e-6);

        // The antipode is scanned-not: the hole (> 100° from the centre) is grey; a scanned far point is dark blue.
        var hole = MollweideFigure.Project(partial.BestRa + Math.PI, -partial.BestDec);
        Assert.True(png.Near(hole.X * Scale, hole.Y * Scale, 3, c => Png.Distance(c, Plasma.Unscanned) <= 6), $"unscanned pixel not grey: {png[(int)(hole.X * Scale), (int)(hole.Y * Scale)]}");
        var map = partial.FinestMap;
        foreach (var (dRa, dDec) in new[] { (1.4, 0.0), (0.5, 0.3), (-0.8, -0.2) })
        {
            var (ra, dec) = (partial.BestRa + dRa, partial.BestDec + dDec);
            var p = MollweideFigure.Project(ra, dec);
            var expected = Plasma.Reversed(map[(int)HealpixMath.Ang2Pix(partial.MaxNside, (Math.PI / 2) - dec, ((ra % (2 * Math.PI)) + (2 * Math.PI)) % (2 * Math.PI))], figure.ColourMaximum);
            Assert.True(png.Near(p.X * Scale, p.Y * Scale, 2, c => Png.Distance(c, expected) <= 10), $"at ({dRa}, {dDec}) expected {expected}, got {png[(int)(p.X * Scale), (int)(p.Y * Scale)]}");
        }
    }

    [Fact]
    public void Svg_rasterised_by_rsvg_matches_the_png()
    {
        const string rsvg = "/usr/bin/rsvg-convert";
        if (!File.Exists(rsvg))
        {
            Assert.True(Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1", "rsvg-convert (librsvg2-bin) is required");
            return;
        }

        foreach (Figure figure in new Figure[] { new ZoomedFigure(Gauss, SkymapFigureOptions.Default), new MollweideFigure(Gauss, SkymapFigureOptions.Default) })
        {
            var png = Png.Decode(Png.Render(figure, FigureFormat.Png));
            var svgPath = Path.Combine(_dir, figure.GetType().Name + ".svg");
            File.WriteAllBytes(svgPath, Png.Render(figure, FigureFormat.Svg));
            var outPath = Path.ChangeExtension(svgPath, ".rsvg.png");
            var psi = new ProcessStartInfo(rsvg, ["-w", png.Width.ToString(System.Globalization.CultureInfo.InvariantCulture), "-h", png.Height.ToString(System.Globalization.CultureInfo.InvariantCulture), "-b", "white", "-o", outPath, svgPath])
            {
                RedirectStandardError = true,
            };
            using (var process = Process.Start(psi)!)
            {
                var err = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, err);
            }

            var svg = Png.Read(outPath);
            Assert.Equal(png.Width, svg.Width);
            Assert.Equal(png.Height, svg.Height);
            long off = 0;
            double sum = 0;
            for (var y = 0; y < png.Height; y++)
            {
                for (var x = 0; x < png.Width; x++)
                {
                    var d = Png.Distance(png[x, y], svg[x, y]);
                    sum += d;
                    off += d > 48 ? 1 : 0;
                }
            }

            var fraction = off / (double)(png.Width * png.Height);
            var mean = sum / (png.Width * png.Height);
            output.WriteLine($"{figure.GetType().Name}: {fraction:P3} pixels differ by > 48, mean channel difference {mean:F2}");
            Assert.True(fraction < 0.01, $"{figure.GetType().Name}: {fraction:P2} of the pixels differ");
            Assert.True(mean < 3, $"{figure.GetType().Name}: mean difference {mean:F2}");
        }
    }

    [Fact]
    public void Svg_and_pdf_are_vector_documents_with_text_as_outlines()
    {
        var figure = new ZoomedFigure(Gauss, SkymapFigureOptions.Default);
        var svg = Encoding.UTF8.GetString(Png.Render(figure, FigureFormat.Svg));
        Assert.Contains("<svg", svg, StringComparison.Ordinal);
        Assert.Contains("<path", svg, StringComparison.Ordinal);
        Assert.Contains("data:image/png;base64,", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("<text", svg, StringComparison.Ordinal); // text is drawn as outlines: no font needed to view it

        var pdf = Png.Render(figure, FigureFormat.Pdf);
        var text = Encoding.Latin1.GetString(pdf);
        Assert.StartsWith("%PDF-", text, StringComparison.Ordinal);
        Assert.Contains("%%EOF", text, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, @"/Type\s*/Page\b"));
    }

    [Fact]
    public void Options_draw_truth_circles_and_bounding_box()
    {
        var truth = new SkyPoint(60.5, 20.3);
        var circle = new SkyCircle(59.5, 19.5, 0.8);
        var figure = new ZoomedFigure(Gauss, new SkymapFigureOptions { Truth = truth, Circles = [circle], BoundingBox = true });
        var png = Png.Decode(Png.Render(figure, FigureFormat.Png));
        var t = figure.Project(truth.RaDegrees * TestMaps.Deg, truth.DecDegrees * TestMaps.Deg);
        Assert.True(png.Near(t.X * Scale, t.Y * Scale, 2, c => c.Blue > 180 && c.Red < 60), "no truth marker");
        var rim = figure.Project(Offset(TestMaps.Direction(59.5, 19.5), 0.8, 45));
        Assert.True(png.Near(rim.X * Scale, rim.Y * Scale, 4, c => c.Red > 200 && c.Blue > 200 && c.Green < 60), "no magenta circle");
        var e = Gauss.RectangularErrors(Gauss.Level90.Value);
        var corner = figure.Project((Gauss.BestRaDegrees + e.RaPlus) * TestMaps.Deg, (Gauss.BestDecDegrees + e.DecPlus) * TestMaps.Deg);
        Assert.True(png.Near(corner.X * Scale, corner.Y * Scale, 4, IsRed), "no bounding rectangle corner");
    }

    [Fact]
    public void WriteAll_writes_skyreaders_file_names_through_the_products_seam()
    {
        var paths = SkymapProducts.WriteAll(Gauss, _dir, new SkymapProductOptions { Figures = new SkymapFigureWriter() });
        var stem = "run00123456.evt000000000042.GAUSS_8_64_256";
        string[] expected = [$"{stem}.png", $"{stem}.svg", $"{stem}.pdf", $"{stem}.plot_zoomed_wilks.png", $"{stem}.plot_zoomed_wilks.svg", $"{stem}.plot_zoomed_wilks.pdf"];
        Assert.Equal(expected, paths.Figures.Select(Path.GetFileName));
        Assert.All(paths.All, p => Assert.True(new FileInfo(p).Length > 0, p));
        Assert.Equal(1, Png.Read(paths.Figures[0]).Width / 1800);

        var syst = new SkymapAnalysis(Gauss.Result, systematics: true);
        Assert.Equal($"{stem}.plot_zoomed.pdf", SkymapFigures.FileName(syst, SkymapFigureKind.Zoomed, FigureFormat.Pdf));
    }

    [Fact]
    public void The_embedded_font_is_dejavu_sans()
    {
        Assert.Equal("DejaVu Sans", PlotFont.Typeface.FamilyName);
        Assert.True(PlotFont.Measure("Run: 1 Event: 2", 12) > 50);
    }
}
