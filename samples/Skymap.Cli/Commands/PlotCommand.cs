using System.Globalization;
using Skymap.Core.Maps;
using Skymap.Core.Results;

namespace Skymap.Cli.Commands;

/// <summary>
/// <c>skymap plot RESULT [--output-dir DIR] [--systematics]</c>: writes the FITS HEALPix map, the SVG and the
/// PNG of a result next to it (or in DIR) and prints the best fit, the contour areas and the rectangular errors.
/// </summary>
internal static class PlotCommandHandler
{
    /// <summary>Runs the command.</summary>
    /// <param name="resultPath">A result file (.json or .npz).</param>
    /// <param name="outDir">Output directory; null writes next to the result.</param>
    /// <param name="systematics">Use the IC160427A systematics levels 22.2/64.2 instead of Wilks'.</param>
    /// <param name="stdout">Where the summary goes.</param>
    /// <returns>0 on success.</returns>
    /// <exception cref="CliException">The result cannot be read, has no finite llh, or the output cannot be written.</exception>
    internal static int Run(string resultPath, string? outDir, bool systematics, TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(resultPath);
        ArgumentNullException.ThrowIfNull(stdout);
        SkyScanResult result;
        try
        {
            result = ResultFiles.Read(resultPath);
        }
        catch (SkyScanResultFormatException e)
        {
            throw new CliException($"{resultPath}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or ArgumentException)
        {
            throw new CliException($"cannot read '{resultPath}': {e.Message}");
        }

        SkymapAnalysis analysis;
        try
        {
            analysis = new SkymapAnalysis(result, systematics);
        }
        catch (ArgumentException e)
        {
            throw new CliException($"{resultPath}: {e.Message}");
        }

        var directory = outDir ?? Path.GetDirectoryName(Path.GetFullPath(resultPath)) ?? ".";
        SkymapProductPaths paths;
        try
        {
            paths = SkymapProducts.WriteAll(analysis, directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"cannot write to '{directory}': {e.Message}");
        }

        WriteSummary(analysis, stdout);
        stdout.WriteLine("Wrote");
        stdout.WriteLine($"  {paths.Fits}");
        stdout.WriteLine($"  {paths.Svg}");
        stdout.WriteLine($"  {paths.Png}");
        return 0;
    }

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
