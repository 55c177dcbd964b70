using System.Globalization;
using System.Text;
using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using Skymap.Core.Results;
using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Plotting;

/// <summary>
/// The skymap plot: an SVG with a zoomed panel around the best fit (scanned pixels coloured by 2ΔLLH with
/// plasma reversed, contour lines, best-fit star, RA/Dec grid and labels, colour bar, title with best fit and
/// areas) beside a full-sky Mollweide inset and a legend; and a PNG raster of the same zoomed map.
/// </summary>
/// <remarks>
/// The zoomed panel is a gnomonic projection centred on the best fit with east (increasing RA) to the left, as
/// the sky is seen; skyreader's zoomed plot is a rotated cartesian view with the same orientation.
/// </remarks>
public static class SkymapPlot
{
    private const double Deg = Math.PI / 180.0;
    private const int Width = 1200;
    private const int Height = 900;
    private const double PanelLeft = 100;
    private const double PanelTop = 110;
    private const double PanelSize = 700;
    private const double BarLeft = 825;
    private const double BarWidth = 22;
    private const double SideLeft = 925;
    private const double MollweideWidth = 255;
    private const string Font = "DejaVu Sans, Helvetica, Arial, sans-serif";

    private static readonly string[] LevelColours = ["#000000", "#d62728", "#1f9e3a"];

    /// <summary>The SVG file name <c>{stem}.skymap.svg</c>.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The name.</returns>
    public static string SvgFileName(SkyScanResult result) => ResultFiles.FileStem(result) + ".skymap.svg";

    /// <summary>The PNG file name <c>{stem}.skymap.png</c>.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The name.</returns>
    public static string PngFileName(SkyScanResult result) => ResultFiles.FileStem(result) + ".skymap.png";

    /// <summary>Writes the SVG plot to a file (atomically).</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="path">The target file.</param>
    /// <param name="options">Plot options; <see cref="SkymapPlotOptions.Default"/> when null.</param>
    public static void WriteSvg(SkymapAnalysis analysis, string path, SkymapPlotOptions? options = null)
    {
        var svg = RenderSvg(analysis, options);
        ResultFiles.WriteAtomically(path, s => s.Write(Encoding.UTF8.GetBytes(svg)));
    }

    /// <summary>Writes the PNG plot to a file (atomically).</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="path">The target file.</param>
    /// <param name="options">Plot options; <see cref="SkymapPlotOptions.Default"/> when null.</param>
    public static void WritePng(SkymapAnalysis analysis, string path, SkymapPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ResultFiles.WriteAtomically(path, s => RenderPng(analysis, s, options));
    }

    /// <summary>Renders the SVG plot.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="options">Plot options; <see cref="SkymapPlotOptions.Default"/> when null.</param>
    /// <returns>The SVG document.</returns>
    public static string RenderSvg(SkymapAnalysis analysis, SkymapPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var view = new ZoomView(analysis, options ?? SkymapPlotOptions.Default);
        var svg = new SvgBuilder();
        svg.Line($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"{Font}\">");
        svg.Line("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>");
        WriteDefs(svg, view);
        WriteTitle(svg, analysis);
        var failedShown = WritePanel(svg, view);
        WriteAxes(svg, view);
        WriteColourBar(svg, view);
        WriteMollweide(svg, view);
        WriteLegend(svg, view, failedShown);
        svg.Line("</svg>");
        return svg.ToString();
    }

    /// <summary>Renders the PNG raster of the zoomed map (no text) with a colour bar on its right.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="destination">The stream (left open).</param>
    /// <param name="options">Plot options; <see cref="SkymapPlotOptions.Default"/> when null.</param>
    public static void RenderPng(SkymapAnalysis analysis, Stream destination, SkymapPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(destination);
        options ??= SkymapPlotOptions.Default;
        var view = new ZoomView(analysis, options);
        var size = Math.Clamp(options.PngSize, 64, 8192);
        var raster = new Raster(size + 70, size, (255, 255, 255));
        var map = analysis.FinestMap;
        var nside = analysis.MaxNside;
        for (var y = 0; y < size; y++)
        {
            var v = 1 - (2 * (y + 0.5) / size);
            for (var x = 0; x < size; x++)
            {
                var u = (2 * (x + 0.5) / size) - 1;
                var pixel = HealpixMath.Vec2Pix(nside, view.FromPanel(u, v));
                raster.Set(x, y, Colormap.ForValue(map[(int)pixel], view.ColorMax));
            }
        }

        (double X, double Y) ToPx((double U, double V) p) => ((p.U + 1) / 2 * size, (1 - p.V) / 2 * size);

        foreach (var ra in view.RaLines())
        {
            raster.Polyline(view.RaLine(ra).ConvertAll(p => ToPx(p)), 1.0, (255, 255, 255), 0.45);
        }

        foreach (var dec in view.DecLines())
        {
            raster.Polyline(view.DecLine(dec).ConvertAll(p => ToPx(p)), 1.0, (255, 255, 255), 0.45);
        }

        var scale = size / 900.0;
        for (var l = 0; l < analysis.Levels.Count; l++)
        {
            var colour = ParseHex(LevelColours[l % LevelColours.Length]);
            foreach (var contour in analysis.Contours(analysis.Levels[l].Value))
            {
                var points = contour.Vertices.Select(p => ToPx(view.ToPanel(p))).ToList();
                raster.Polyline(points, 5.0 * scale, (255, 255, 255), 0.75, close: true);
                raster.Polyline(points, 2.6 * scale, colour, 1.0, close: true);
            }
        }

        var star = Star(ToPx(view.ToPanel(analysis.BestDirection)), 11 * scale);
        raster.FillPolygon(star, (0, 0, 0));
        raster.FillPolygon(Star(ToPx(view.ToPanel(analysis.BestDirection)), 7 * scale), (255, 255, 255));

        // Colour bar: value 0 at the bottom.
        int barX0 = size + 22, barX1 = size + 46, barY0 = (int)(0.05 * size), barY1 = (int)(0.95 * size);
        for (var y = barY0; y < barY1; y++)
        {
            var value = view.ColorMax * (barY1 - 1 - y) / (barY1 - barY0 - 1);
            raster.FillRect(barX0, y, barX1, y + 1, Colormap.ForValue(value, view.ColorMax));
        }

        for (var l = 0; l < analysis.Levels.Count; l++)
        {
            var value = analysis.Levels[l].Value;
            if (value <= view.ColorMax)
            {
                var y = barY1 - 1 - (value / view.ColorMax * (barY1 - barY0 - 1));
                raster.Polyline([(barX0 - 4, y), (barX1 + 4, y)], 2.0, ParseHex(LevelColours[l % LevelColours.Length]), 1.0);
            }
        }

        PngEncoder.Write(destination, raster.Width, raster.Height, raster.Pixels);
    }

    private static void WriteDefs(SvgBuilder svg, ZoomView view)
    {
        svg.Line("<defs>");
        svg.Line($"<clipPath id=\"panel\"><rect x=\"{PanelLeft}\" y=\"{PanelTop}\" width=\"{PanelSize}\" height=\"{PanelSize}\"/></clipPath>");
        var (mx, my, rx, ry) = MollweideFrame();
        svg.Line($"<clipPath id=\"sky\"><ellipse cx=\"{SvgBuilder.N(mx)}\" cy=\"{SvgBuilder.N(my)}\" rx=\"{SvgBuilder.N(rx)}\" ry=\"{SvgBuilder.N(ry)}\"/></clipPath>");
        svg.Raw("<linearGradient id=\"cbar\" x1=\"0\" y1=\"1\" x2=\"0\" y2=\"0\">");
        for (var i = 0; i <= 20; i++)
        {
            var t = i / 20.0;
            svg.Raw($"<stop offset=\"{t.ToString("0.##", CultureInfo.InvariantCulture)}\" stop-color=\"{Colormap.Hex(Colormap.ForValue(t * view.ColorMax, view.ColorMax))}\"/>");
        }

        svg.Line("</linearGradient>");
        svg.Line("</defs>");
    }

    private static void WriteTitle(SvgBuilder svg, SkymapAnalysis analysis)
    {
        var meta = analysis.Result.Metadata;
        svg.Text(PanelLeft, 40, analysis.Result.EventName, "font-size=\"24\" font-weight=\"bold\"");
        var s = analysis.Summaries;
        var nsides = string.Join(", ", analysis.Result.Nsides.Select(n => n.ToString(CultureInfo.InvariantCulture)));
        var mjd = double.IsFinite(meta.Mjd) ? FormattableString.Invariant($" · MJD {meta.Mjd:0.#####}") : string.Empty;
        svg.Text(PanelLeft, 68, FormattableString.Invariant(
            $"Best fit RA {analysis.BestRaDegrees:F2}°, Dec {Signed(analysis.BestDecDegrees, 2)}° · {s[0].Level.Label.Split(' ')[0]} area {s[0].PolygonArea:F2} deg² · {s[1].Level.Label.Split(' ')[0]} area {s[1].PolygonArea:F2} deg²"),
            "font-size=\"17\"");
        svg.Text(PanelLeft, 92, FormattableString.Invariant($"Run {meta.RunId} · Event {meta.EventId} · {meta.EventType}{mjd} · nsides {nsides}"),
            "font-size=\"14\" fill=\"#555555\"");
    }

    private static (double X, double Y) PanelPx((double U, double V) p) =>
        (PanelLeft + ((p.U + 1) / 2 * PanelSize), PanelTop + ((1 - p.V) / 2 * PanelSize));

    private static bool WritePanel(SvgBuilder svg, ZoomView view)
    {
        var analysis = view.Analysis;
        svg.Line("<g clip-path=\"url(#panel)\">");
        svg.Line($"<rect x=\"{PanelLeft}\" y=\"{PanelTop}\" width=\"{PanelSize}\" height=\"{PanelSize}\" fill=\"#e8e8e8\"/>");

        // Pixels, coarse first so that finer pixels lie on top.
        var failed = false;
        svg.Line("<g stroke-width=\"0.6\" stroke-linejoin=\"round\">");
        foreach (var pixel in view.VisiblePixels())
        {
            var boundary = HealpixMath.Boundaries(pixel.Nside, pixel.Index, view.BoundaryStep(pixel.Nside));
            var points = new List<(double, double)>(boundary.Length);
            var usable = true;
            foreach (var b in boundary)
            {
                var p = view.ToPanel(b);
                if (double.IsNaN(p.U) || Math.Abs(p.U) > 50 || Math.Abs(p.V) > 50)
                {
                    usable = false;
                    break;
                }

                points.Add(PanelPx(p));
            }

            if (!usable || !points.Exists(p => p.Item1 >= PanelLeft - 50 && p.Item1 <= PanelLeft + PanelSize + 50)
                        || !points.Exists(p => p.Item2 >= PanelTop - 50 && p.Item2 <= PanelTop + PanelSize + 50))
            {
                continue;
            }

            failed |= double.IsNaN(pixel.DeltaLlh2);
            var colour = Colormap.Hex(Colormap.ForValue(pixel.DeltaLlh2, view.ColorMax));
            svg.Line($"<path fill=\"{colour}\" stroke=\"{colour}\" d=\"{SvgBuilder.PathData(points, close: true)}\"/>");
        }

        svg.Line("</g>");

        // Graticule.
        svg.Line("<g fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0.45\" stroke-width=\"0.9\">");
        foreach (var ra in view.RaLines())
        {
            svg.Line($"<path d=\"{SvgBuilder.PathData(view.RaLine(ra).ConvertAll(p => PanelPx(p)), close: false)}\"/>");
        }

        foreach (var dec in view.DecLines())
        {
            svg.Line($"<path d=\"{SvgBuilder.PathData(view.DecLine(dec).ConvertAll(p => PanelPx(p)), close: false)}\"/>");
        }

        svg.Line("</g>");

        // Contours: a white halo under each coloured line.
        for (var l = 0; l < analysis.Levels.Count; l++)
        {
            foreach (var contour in analysis.Contours(analysis.Levels[l].Value))
            {
                var d = SvgBuilder.PathData(contour.Vertices.Select(v => PanelPx(view.ToPanel(v))), close: true);
                svg.Line($"<path d=\"{d}\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0.8\" stroke-width=\"4.5\" stroke-linejoin=\"round\"/>");
                svg.Line($"<path d=\"{d}\" fill=\"none\" stroke=\"{LevelColours[l % LevelColours.Length]}\" stroke-width=\"2.2\" stroke-linejoin=\"round\"/>");
            }
        }

        var best = PanelPx(view.ToPanel(analysis.BestDirection));
        svg.Line($"<path d=\"{SvgBuilder.PathData(Star(best, 10), close: true)}\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"1.6\" stroke-linejoin=\"round\"/>");
        svg.Line("</g>");
        svg.Line($"<rect x=\"{PanelLeft}\" y=\"{PanelTop}\" width=\"{PanelSize}\" height=\"{PanelSize}\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1.2\"/>");
        return failed;
    }

    private static void WriteAxes(SvgBuilder svg, ZoomView view)
    {
        const double right = PanelLeft + PanelSize;
        const double bottom = PanelTop + PanelSize;
        var ticks = new StringBuilder();
        foreach (var ra in view.RaLines())
        {
            var line = view.RaLine(ra).ConvertAll(p => PanelPx(p));
            foreach (var x in Crossings(line, bottom, horizontal: true))
            {
                if (x > PanelLeft + 1 && x < right - 1)
                {
                    ticks.Append(FormattableString.Invariant($"M{SvgBuilder.N(x)} {bottom}v-7"));
                    svg.Text(x, bottom + 22, view.RaLabel(ra), "font-size=\"15\" text-anchor=\"middle\"");
                }
            }

            foreach (var x in Crossings(line, PanelTop, horizontal: true))
            {
                if (x > PanelLeft + 1 && x < right - 1)
                {
                    ticks.Append(FormattableString.Invariant($"M{SvgBuilder.N(x)} {PanelTop}v7"));
                }
            }
        }

        foreach (var dec in view.DecLines())
        {
            var line = view.DecLine(dec).ConvertAll(p => PanelPx(p));
            foreach (var y in Crossings(line, PanelLeft, horizontal: false))
            {
                if (y > PanelTop + 1 && y < bottom - 1)
                {
                    ticks.Append(FormattableString.Invariant($"M{PanelLeft} {SvgBuilder.N(y)}h7"));
                    svg.Text(PanelLeft - 8, y + 5, view.DecLabel(dec), "font-size=\"15\" text-anchor=\"end\"");
                }
            }

            foreach (var y in Crossings(line, right, horizontal: false))
            {
                if (y > PanelTop + 1 && y < bottom - 1)
                {
                    ticks.Append(FormattableString.Invariant($"M{right} {SvgBuilder.N(y)}h-7"));
                }
            }
        }

        svg.Line($"<path d=\"{ticks}\" stroke=\"#000000\" stroke-width=\"1.2\" fill=\"none\"/>");
        svg.Text(PanelLeft + (PanelSize / 2), bottom + 52, "Right ascension (J2000)", "font-size=\"17\" text-anchor=\"middle\"");
        var cy = PanelTop + (PanelSize / 2);
        svg.Text(28, cy, "Declination (J2000)", FormattableString.Invariant($"font-size=\"17\" text-anchor=\"middle\" transform=\"rotate(-90 28 {cy})\""));
    }

    private static void WriteColourBar(SvgBuilder svg, ZoomView view)
    {
        var analysis = view.Analysis;
        const double bottom = PanelTop + PanelSize;
        svg.Line($"<rect x=\"{BarLeft}\" y=\"{PanelTop}\" width=\"{BarWidth}\" height=\"{PanelSize}\" fill=\"url(#cbar)\" stroke=\"#000000\" stroke-width=\"1\"/>");
        double[] steps = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500];
        var step = steps.FirstOrDefault(s => view.ColorMax / s <= 8, 1000);
        for (var value = 0.0; value <= view.ColorMax + 1e-9; value += step)
        {
            var y = bottom - (value / view.ColorMax * PanelSize);
            svg.Line(FormattableString.Invariant($"<path d=\"M{BarLeft + BarWidth} {SvgBuilder.N(y)}h5\" stroke=\"#000000\"/>"));
            var label = value.ToString("0.##", CultureInfo.InvariantCulture);
            if (value + step > view.ColorMax + 1e-9 && value >= view.ColorMax - 1e-9)
            {
                label = "≥ " + label;
            }

            svg.Text(BarLeft + BarWidth + 8, y + 5, label, "font-size=\"14\"");
        }

        for (var l = 0; l < analysis.Levels.Count; l++)
        {
            var value = analysis.Levels[l].Value;
            if (value <= view.ColorMax)
            {
                var y = bottom - (value / view.ColorMax * PanelSize);
                svg.Line(FormattableString.Invariant($"<path d=\"M{BarLeft - 4} {SvgBuilder.N(y)}h{BarWidth + 8}\" stroke=\"{LevelColours[l % LevelColours.Length]}\" stroke-width=\"2.2\"/>"));
            }
        }

        var x = BarLeft + BarWidth + 58;
        var cy = PanelTop + (PanelSize / 2);
        svg.Text(x, cy, "2ΔLLH = −2 Δln L", FormattableString.Invariant($"font-size=\"16\" text-anchor=\"middle\" transform=\"rotate(-90 {x} {cy})\""));
    }

    private static (double X, double Y, double Rx, double Ry) MollweideFrame() =>
        (SideLeft + (MollweideWidth / 2), 140 + (MollweideWidth / 4), MollweideWidth / 2, MollweideWidth / 4);

    private static (double X, double Y) Mollweide(double raDeg, double decDeg)
    {
        var (mx, my, rx, ry) = MollweideFrame();
        var lambda = (180 - raDeg) * Deg;
        var phi = decDeg * Deg;
        var theta = phi;
        if (Math.Abs(phi) < (Math.PI / 2) - 1e-9)
        {
            for (var i = 0; i < 50; i++)
            {
                var f = (2 * theta) + Math.Sin(2 * theta) - (Math.PI * Math.Sin(phi));
                var step = f / (2 + (2 * Math.Cos(2 * theta)));
                theta -= step;
                if (Math.Abs(step) < 1e-12)
                {
                    break;
                }
            }
        }

        var x = lambda / Math.PI * Math.Cos(theta);
        var y = Math.Sin(theta);
        return (mx + (x * rx), my - (y * ry));
    }

    private static void WriteMollweide(SvgBuilder svg, ZoomView view)
    {
        var analysis = view.Analysis;
        var (mx, my, rx, ry) = MollweideFrame();
        svg.Text(SideLeft, 128, "Full sky (equatorial)", "font-size=\"15\" font-weight=\"bold\"");
        svg.Line("<g clip-path=\"url(#sky)\">");
        svg.Line($"<rect x=\"{SvgBuilder.N(mx - rx)}\" y=\"{SvgBuilder.N(my - ry)}\" width=\"{SvgBuilder.N(2 * rx)}\" height=\"{SvgBuilder.N(2 * ry)}\" fill=\"#e8e8e8\"/>");

        // The coarsest nside, each pixel coloured by the lowest 2ΔLLH scanned inside it.
        var coarse = analysis.Result.Nsides[0];
        var lowest = new Dictionary<long, double>();
        foreach (var pixel in analysis.Pixels)
        {
            var parent = HealpixMath.Parent(pixel.Nside, pixel.Index, coarse);
            var value = pixel.DeltaLlh2;
            if (!lowest.TryGetValue(parent, out var current) || double.IsNaN(current) || value < current)
            {
                lowest[parent] = value;
            }
        }

        // Its own colour scale, square root of 0 … the largest of these values, so that the whole sky shows structure.
        var insetMax = lowest.Values.Where(double.IsFinite).DefaultIfEmpty(1.0).Max();
        insetMax = insetMax > 0 ? insetMax : 1.0;
        svg.Line("<g stroke-width=\"0.5\" stroke-linejoin=\"round\">");
        var step = coarse <= 8 ? 3 : 1;
        foreach (var (index, value) in lowest.OrderBy(kv => kv.Key))
        {
            var colour = Colormap.Hex(double.IsNaN(value) ? Colormap.Bad : Colormap.Plasma(1 - Math.Sqrt(Math.Max(value, 0) / insetMax)));
            var (_, centrePhi) = HealpixMath.Pix2Ang(coarse, index);
            var boundary = HealpixMath.Boundaries(coarse, index, step);
            var ras = new double[boundary.Length];
            var decs = new double[boundary.Length];
            var low = false;
            var high = false;
            for (var i = 0; i < boundary.Length; i++)
            {
                var b = boundary[i];
                var ra = Math.Abs(b.Z) > 1 - 1e-12 ? centrePhi : Math.Atan2(b.Y, b.X);
                var d = SkymapAnalysis.NormalizeRa(ra - centrePhi + Math.PI) - Math.PI;
                ras[i] = (centrePhi + d) / Deg;
                decs[i] = Math.Asin(Math.Clamp(b.Z, -1, 1)) / Deg;
                low |= ras[i] < 0;
                high |= ras[i] > 360;
            }

            foreach (var shift in low ? [0.0, 360.0] : high ? [0.0, -360.0] : new[] { 0.0 })
            {
                var points = ras.Select((r, i) => Mollweide(r + shift, decs[i]));
                svg.Line($"<path fill=\"{colour}\" stroke=\"{colour}\" d=\"{SvgBuilder.PathData(points, close: true)}\"/>");
            }
        }

        svg.Line("</g>");

        // Grid.
        var grid = new StringBuilder();
        for (var ra = 0; ra < 360; ra += 60)
        {
            grid.Append(SvgBuilder.PathData(Enumerable.Range(0, 37).Select(i => Mollweide(ra == 0 ? 0.001 : ra, -90 + (5 * i))), close: false));
        }

        for (var dec = -60; dec <= 60; dec += 30)
        {
            grid.Append(SvgBuilder.PathData(Enumerable.Range(0, 73).Select(i => Mollweide(0.001 + (i * 359.998 / 72), dec)), close: false));
        }

        svg.Line($"<path d=\"{grid}\" fill=\"none\" stroke=\"#ffffff\" stroke-opacity=\"0.5\" stroke-width=\"0.6\"/>");

        // The zoomed panel's outline.
        var outline = new List<(double, double)>();
        const int perEdge = 24;
        (double U, double V)[] corners = [(-1, -1), (1, -1), (1, 1), (-1, 1)];
        for (var e = 0; e < 4; e++)
        {
            var (u0, v0) = corners[e];
            var (u1, v1) = corners[(e + 1) % 4];
            for (var i = 0; i < perEdge; i++)
            {
                var t = (double)i / perEdge;
                var dir = view.FromPanel(u0 + ((u1 - u0) * t), v0 + ((v1 - v0) * t));
                outline.Add(Mollweide(SkymapAnalysis.NormalizeRa(Math.Atan2(dir.Y, dir.X)) / Deg, Math.Asin(Math.Clamp(dir.Z, -1, 1)) / Deg));
            }
        }

        outline.Add(outline[0]);
        // Break the outline where it jumps across the RA = 0 seam.
        var pieces = new List<(double, double)>();
        for (var i = 0; i < outline.Count; i++)
        {
            if (i > 0 && Math.Abs(outline[i].Item1 - outline[i - 1].Item1) > rx)
            {
                pieces.Add((double.NaN, double.NaN));
            }

            pieces.Add(outline[i]);
        }

        svg.Line($"<path d=\"{SvgBuilder.PathData(pieces, close: false)}\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1.3\"/>");
        var best = Mollweide(analysis.BestRaDegrees, analysis.BestDecDegrees);
        svg.Line($"<path d=\"{SvgBuilder.PathData(Star(best, 8), close: true)}\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"1.2\"/>");
        svg.Line("</g>");
        svg.Line($"<ellipse cx=\"{SvgBuilder.N(mx)}\" cy=\"{SvgBuilder.N(my)}\" rx=\"{SvgBuilder.N(rx)}\" ry=\"{SvgBuilder.N(ry)}\" fill=\"none\" stroke=\"#000000\" stroke-width=\"1\"/>");
        svg.Text(mx - rx, my + ry + 16, "360°", "font-size=\"12\" fill=\"#555555\"");
        svg.Text(mx, my + ry + 16, "180°", "font-size=\"12\" fill=\"#555555\" text-anchor=\"middle\"");
        svg.Text(mx + rx, my + ry + 16, "0°", "font-size=\"12\" fill=\"#555555\" text-anchor=\"end\"");
        svg.Text(SideLeft, my + ry + 34, FormattableString.Invariant($"nside-{coarse} minima, √ scale 0–{insetMax:0}"), "font-size=\"12\" fill=\"#555555\"");
    }

    private static void WriteLegend(SvgBuilder svg, ZoomView view, bool failedShown)
    {
        var analysis = view.Analysis;
        var y = 330.0;
        svg.Text(SideLeft, y, analysis.Systematics ? "Contours (IC160427A syst.)" : "Contours (Wilks, 2 dof)", "font-size=\"15\" font-weight=\"bold\"");
        y += 26;
        var summaries = analysis.Summaries;
        for (var l = 0; l < summaries.Count; l++)
        {
            var s = summaries[l];
            svg.Line(FormattableString.Invariant($"<path d=\"M{SideLeft} {y - 5}h30\" stroke=\"{LevelColours[l % LevelColours.Length]}\" stroke-width=\"2.6\"/>"));
            svg.Text(SideLeft + 38, y, FormattableString.Invariant($"{s.Level.Label.Split(' ')[0]}  (2ΔLLH < {s.Level.Value:0.##})"), "font-size=\"14\"");
            y += 24;
        }

        svg.Line($"<path d=\"{SvgBuilder.PathData(Star((SideLeft + 15, y - 5), 8), close: true)}\" fill=\"#ffffff\" stroke=\"#000000\" stroke-width=\"1.4\"/>");
        svg.Text(SideLeft + 38, y, "Best fit", "font-size=\"14\"");
        y += 24;
        if (failedShown)
        {
            svg.Line($"<rect x=\"{SideLeft + 7}\" y=\"{y - 13}\" width=\"16\" height=\"12\" fill=\"{Colormap.Hex(Colormap.Bad)}\"/>");
            svg.Text(SideLeft + 38, y, "Failed reconstruction", "font-size=\"14\"");
            y += 24;
        }

        y += 18;
        svg.Text(SideLeft, y, "Best fit", "font-size=\"15\" font-weight=\"bold\"");
        y += 22;
        svg.Text(SideLeft, y, FormattableString.Invariant($"RA {analysis.BestRaDegrees:F2}°   Dec {Signed(analysis.BestDecDegrees, 2)}°"), "font-size=\"14\"");
        y += 20;
        svg.Text(SideLeft, y, FormattableString.Invariant($"nside {analysis.BestFit.Nside}, pixel {analysis.BestFit.Index}"), "font-size=\"13\" fill=\"#555555\"");
        y += 18;
        svg.Text(SideLeft, y, FormattableString.Invariant($"−ln L = {analysis.BestLlh:F2}"), "font-size=\"13\" fill=\"#555555\"");

        y += 34;
        svg.Text(SideLeft, y, "Area (deg²)", "font-size=\"15\" font-weight=\"bold\"");
        y += 22;
        svg.Text(SideLeft + 120, y, "contour", "font-size=\"13\" fill=\"#555555\" text-anchor=\"end\"");
        svg.Text(SideLeft + 210, y, "pixel sum", "font-size=\"13\" fill=\"#555555\" text-anchor=\"end\"");
        foreach (var s in summaries)
        {
            y += 20;
            svg.Text(SideLeft, y, s.Level.Label.Split(' ')[0], "font-size=\"14\"");
            svg.Text(SideLeft + 120, y, FormattableString.Invariant($"{s.PolygonArea:F2}"), "font-size=\"14\" text-anchor=\"end\"");
            svg.Text(SideLeft + 210, y, FormattableString.Invariant($"{s.PixelSumArea:F2}"), "font-size=\"14\" text-anchor=\"end\"");
        }

        y += 34;
        svg.Text(SideLeft, y, "Rectangular errors (deg)", "font-size=\"15\" font-weight=\"bold\"");
        foreach (var s in summaries.Take(2))
        {
            var e = s.Errors;
            y += 20;
            svg.Text(SideLeft, y, s.Level.Label.Split(' ')[0], "font-size=\"14\"");
            svg.Text(SideLeft + 45, y, FormattableString.Invariant($"RA  +{e.RaPlus:F2} / −{e.RaMinus:F2}"), "font-size=\"14\"");
            y += 18;
            svg.Text(SideLeft + 45, y, FormattableString.Invariant($"Dec +{e.DecPlus:F2} / −{e.DecMinus:F2}"), "font-size=\"14\"");
        }
    }

    private static string Signed(double value, int decimals)
    {
        var text = Math.Abs(value).ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return value < 0 && text.Trim('0', '.').Length > 0 ? "\u2212" + text : text;
    }

    private static List<(double X, double Y)> Star((double X, double Y) centre, double radius)
    {
        var points = new List<(double, double)>(10);
        for (var i = 0; i < 10; i++)
        {
            var r = i % 2 == 0 ? radius : radius * 0.42;
            var a = (-Math.PI / 2) + (i * Math.PI / 5);
            points.Add((centre.X + (r * Math.Cos(a)), centre.Y + (r * Math.Sin(a))));
        }

        return points;
    }

    /// <summary>Where a polyline crosses a horizontal line y = c (returns x values) or a vertical x = c (returns y values).</summary>
    private static IEnumerable<double> Crossings(List<(double X, double Y)> line, double c, bool horizontal)
    {
        for (var i = 1; i < line.Count; i++)
        {
            var (ax, ay) = line[i - 1];
            var (bx, by) = line[i];
            if (double.IsNaN(ax) || double.IsNaN(bx))
            {
                continue;
            }

            var (a, b) = horizontal ? (ay, by) : (ax, bx);
            if ((a - c) * (b - c) <= 0 && a != b)
            {
                var t = (c - a) / (b - a);
                yield return horizontal ? ax + (t * (bx - ax)) : ay + (t * (by - ay));
            }
        }
    }

    private static (byte R, byte G, byte B) ParseHex(string hex) => (
        byte.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        byte.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture),
        byte.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
}
