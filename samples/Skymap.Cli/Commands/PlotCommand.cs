using System.Globalization;
using Skymap.Core.Maps;
using Skymap.Core.Results;
using Skymap.Plotting;

namespace Skymap.Cli.Commands;

/// <summary>The options of <c>skymap plot</c>.</summary>
internal sealed record PlotArguments
{
    public required string Result { get; init; }
    public string? OutputDir { get; init; }
    public bool Systematics { get; init; }
    public double? AngularErrorFloor { get; init; }
    public IReadOnlyList<string> Circles { get; init; } = [];
    public bool BoundingBox { get; init; }
    public string? Truth { get; init; }
    public double? Mjd { get; init; }
    public bool NoPlots { get; init; }
}

/// <summary>
/// <c>skymap plot RESULT</c>: writes every product of a result (FITS maps, multi-order maps, probability maps,
/// contour files, the full-sky and zoomed figures as PNG/SVG/PDF) next to it (or in DIR) and prints the best fit,
/// the contour areas and the rectangular errors. RESULT is a result JSON/NPZ or an upstream reference CSV.
/// </summary>
internal static class PlotCommandHandler
{
    /// <summary>Runs the command with the default options (tests call this one).</summary>
    internal static int Run(string resultPath, string? outDir, bool systematics, TextWriter stdout) =>
        Run(new PlotArguments { Result = resultPath, OutputDir = outDir, Systematics = systematics }, stdout);

    /// <summary>Runs the command.</summary>
    /// <exception cref="CliException">Bad option, unreadable result, no finite llh, or the output cannot be written.</exception>
    internal static int Run(PlotArguments a, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(stdout);
        if (a.AngularErrorFloor is { } floor && !(floor > 0 && double.IsFinite(floor)))
        {
            throw new CliException($"--angular-error-floor must be a positive number of degrees, got {floor.ToString(CultureInfo.InvariantCulture)}");
        }

        var circles = a.Circles.Select(ParseCircle).ToList();
        SkyPoint? truth = a.Truth is { } t ? ParsePoint(t) : null;
        var result = ReadResult(a.Result, a.Mjd ?? double.NaN);

        SkymapAnalysis analysis;
        try
        {
            analysis = new SkymapAnalysis(result, a.Systematics);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{a.Result}: {e.Message}");
        }

        var directory = a.OutputDir ?? Path.GetDirectoryName(Path.GetFullPath(a.Result)) ?? ".";
        var options = new SkymapProductOptions
        {
            AngularErrorFloorDegrees = a.AngularErrorFloor,
            Figures = a.NoPlots ? null : new SkymapFigureWriter(new SkymapFigureOptions { Circles = circles, BoundingBox = a.BoundingBox, Truth = truth }),
        };
        SkymapProductPaths paths;
        try
        {
            paths = SkymapProducts.WriteAll(analysis, directory, options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write to '{directory}': {e.Message}");
        }

        WriteSummary(analysis, stdout);
        stdout.WriteLine("Wrote");
        foreach (var path in paths.All)
        {
            stdout.WriteLine($"  {path}");
        }

        return 0;
    }

    /// <summary>Reads a result JSON/NPZ or an upstream reference CSV.</summary>
    internal static SkyScanResult ReadResult(string path, double mjd)
    {
        try
        {
            if (string.Equals(Path.GetExtension(path), ".csv", StringComparison.OrdinalIgnoreCase))
            {
                return PlotCommandCsv.Read(path, mjd);
            }

            return ResultFiles.Read(path);
        }
        catch (SkyScanResultFormatException e)
        {
            throw new CliException($"{path}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            throw new CliException($"cannot read '{path}': {e.Message}");
        }
    }

    /// <summary>Parses <c>RA,DEC,R</c> (degrees).</summary>
    internal static SkyCircle ParseCircle(string text)
    {
        var f = text.Split(',');
        if (f.Length != 3 || !TryDegrees(f[0], out var ra) || !TryDegrees(f[1], out var dec) || !TryDegrees(f[2], out var r)
            || dec is < -90 or > 90 || !(r > 0 && r < 180))
        {
            throw new CliException($"--circle '{text}' is not RA,DEC,RADIUS in degrees (Dec in [-90, 90], 0 < RADIUS < 180)");
        }

        return new SkyCircle(ra, dec, r);
    }

    /// <summary>Parses <c>RA,DEC</c> (degrees).</summary>
    internal static SkyPoint ParsePoint(string text)
    {
        var f = text.Split(',');
        if (f.Length != 2 || !TryDegrees(f[0], out var ra) || !TryDegrees(f[1], out var dec) || dec is < -90 or > 90)
        {
            throw new CliException($"--truth '{text}' is not RA,DEC in degrees (Dec in [-90, 90])");
        }

        return new SkyPoint(ra, dec);
    }

    private static bool TryDegrees(string s, out double value) =>
        double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);

    /// <summary>Prints best fit, areas (pixel-sum and polygon) and rectangular errors of every level.</summary>
    internal static void WriteSummary(SkymapAnalysis analysis, TextWriter stdout)
    {
        var c = CultureInfo.InvariantCulture;
        var result = analysis.Result;
        var best = analysis.BestFit;
        stdout.WriteLine(string.Format(c, "Event     {0} (nsides {1}; {2} pixels)",
            result.EventName, string.Join(", ", result.Nsides), result.PixelCount));
        stdout.WriteLine(string.Format(c, "Best fit  RA {0:F2} deg, Dec {1:F2} deg (nside {2}, pixel {3}, -ln L {4:F3})",
            analysis.BestRaDegrees, analysis.BestDecDegrees, best.Nside, best.Index, best.Llh));
        stdout.WriteLine(analysis.Systematics ? "Levels    IC160427A systematics (2DLLH)" : "Levels    Wilks, 2 dof (2DLLH)");
        stdout.WriteLine(string.Format(c, "{0,-6} {1,8} {2,14} {3,16} {4,20} {5,20}",
            "level", "2DLLH", "polygon deg2", "pixel-sum deg2", "RA err deg (+/-)", "Dec err deg (+/-)"));
        foreach (var s in analysis.Summaries)
        {
            var e = s.Errors;
            stdout.WriteLine(string.Format(c, "{0,-6} {1,8:F4} {2,14:F3} {3,16:F3} {4,20} {5,20}",
                s.Level.Label.Split(' ')[0].Replace("σ", "sigma", StringComparison.Ordinal),
                s.Level.Value, s.PolygonArea, s.PixelSumArea,
                string.Format(c, "+{0:F2} / -{1:F2}", e.RaPlus, e.RaMinus),
                string.Format(c, "+{0:F2} / -{1:F2}", e.DecPlus, e.DecMinus)));
        }
    }
}
