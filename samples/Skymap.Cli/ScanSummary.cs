using System.Globalization;
using Skymap.Core.Events;
using Skymap.Core.Maps;
using Skymap.Core.Scanning;
using Skymap.Core.Simulation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Plotting;
using Spectre.Console;

namespace Skymap.Cli;

/// <summary>After a scan: the FITS map and plots, and the table printed for the user.</summary>
internal static class ScanSummary
{
    /// <summary>
    /// The products observer of a scan: FITS maps and contour files, and the figures of Skymap.Plotting unless
    /// <paramref name="noPlots"/>; the event's truth (simulated events) is marked on the zoomed plot.
    /// </summary>
    public static SkymapProductsObserver ProductsObserver(string outputDir, SkymapEvent evt, bool noPlots, IServiceProvider services)
    {
        SkyPoint? truth = evt.Truth is { } t ? new SkyPoint(t.Ra * 180 / Math.PI, t.Dec * 180 / Math.PI) : null;
        var options = new SkymapProductOptions
        {
            Figures = noPlots ? null : new SkymapFigureWriter(new SkymapFigureOptions { Truth = truth }),
        };
        return new SkymapProductsObserver(outputDir, options, logger: services.GetService<ILogger<SkymapProductsObserver>>());
    }

    /// <summary>Compares the best fit with the event's truth, when it has one.</summary>
    public static TruthComparisonResult? CompareWithTruth(SkymapEvent evt, SkymapAnalysis? analysis)
    {
        if (evt.Truth is not { } truth || analysis is null)
        {
            return null;
        }

        return TruthComparison.Compare(truth.Ra, truth.Dec, analysis.BestRa, analysis.BestDec,
            (ra, dec) => analysis.Llh(ra, dec) is { } llh ? analysis.DeltaLlh2(llh) : null);
    }

    public static void Print(ScanOutcome outcome, SkymapEvent evt, string outputDir, SkymapAnalysis? analysis, SkymapProductPaths? products)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("nside").AddColumn("pixels").AddColumn("recos").AddColumn("failed").AddColumn("retried");
        foreach (var t in outcome.Tallies.Nsides)
        {
            table.AddRow(Inv(t.Nside), Inv(t.FinishedPixels), Inv(t.Done), Inv(t.Failed), Inv(t.Retried));
        }

        var status = outcome.Status == ScanStatus.Completed ? "[green]completed[/]" : $"[red]failed[/]: {Markup.Escape(outcome.Error ?? "")}";
        AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture, $"Scan [bold]{outcome.ScanId}[/] {status} in {outcome.Elapsed.TotalSeconds:0.0} s (seed {outcome.Seed})"));
        AnsiConsole.Write(table);
        if (analysis is not null)
        {
            var b = analysis.BestFit;
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"Best fit: RA {analysis.BestRaDegrees:0.000}°, Dec {analysis.BestDecDegrees:0.000}° (nside {b.Nside} pixel {b.Index}, llh {b.Llh:0.####})"));
            foreach (var s in analysis.Summaries.Where(s => s.Level.Containment is 0.5 or 0.9))
            {
                var e = s.Errors;
                AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                    $"{s.Level.Label,-4} area {s.PixelSumArea:0.###} deg² (pixels), {s.PolygonArea:0.###} deg² (contour); RA +{e.RaPlus:0.##}/−{e.RaMinus:0.##}°, Dec +{e.DecPlus:0.##}/−{e.DecMinus:0.##}°"));
            }
        }

        if (CompareWithTruth(evt, analysis) is { } truth)
        {
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"Truth: {truth.AngularDistanceDeg:0.###}° from the best fit; inside 50%: {YesNo(truth.InsideContour50)}, inside 90%: {YesNo(truth.InsideContour90)}"));
        }

        AnsiConsole.MarkupLine($"Output: [blue]{Markup.Escape(outputDir)}[/]");
        if (products is { } p)
        {
            var plots = p.Figures.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).Select(f => $"[blue]{Markup.Escape(f)}[/]");
            AnsiConsole.MarkupLine($"Map: [blue]{Markup.Escape(p.Fits)}[/]; plots: {(p.Figures.Count == 0 ? "none" : string.Join(", ", plots))} (+ SVG/PDF)");
        }
    }

    private static string YesNo(bool b) => b ? "[green]yes[/]" : "[yellow]no[/]";

    private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);
}
