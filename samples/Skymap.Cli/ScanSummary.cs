using System.Globalization;
using Skymap.Core.Events;
using Skymap.Core.Scanning;
using Spectre.Console;
using HealpixGrid = Skymap.Core.Healpix.Healpix;

namespace Skymap.Cli;

/// <summary>The table printed after a scan.</summary>
internal static class ScanSummary
{
    public static void Print(ScanOutcome outcome, SkymapEvent evt, string outputDir)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("nside").AddColumn("pixels").AddColumn("recos").AddColumn("failed").AddColumn("retried");
        foreach (var t in outcome.Tallies.Nsides)
        {
            table.AddRow(Inv(t.Nside), Inv(t.FinishedPixels), Inv(t.Done), Inv(t.Failed), Inv(t.Retried));
        }

        var status = outcome.Status == ScanStatus.Completed ? "[green]completed[/]" : $"[red]failed[/]: {Markup.Escape(outcome.Error ?? "")}";
        AnsiConsole.MarkupLine($"Scan [bold]{outcome.ScanId}[/] {status} in {outcome.Elapsed.TotalSeconds:0.0} s (seed {outcome.Seed})");
        AnsiConsole.Write(table);
        var result = outcome.Result.ToSkyScanResult();
        var best = result.BestFit();
        if (best is { } b)
        {
            var (theta, phi) = HealpixGrid.Pix2Ang(b.Nside, b.Index);
            var ra = phi * 180 / Math.PI;
            var dec = 90 - (theta * 180 / Math.PI);
            AnsiConsole.MarkupLine(string.Create(CultureInfo.InvariantCulture,
                $"Best fit: nside {b.Nside} pixel {b.Index}, RA {ra:0.000}°, Dec {dec:0.000}°, llh {b.Llh:0.####}"));
        }

        AnsiConsole.MarkupLine($"Output: [blue]{Markup.Escape(outputDir)}[/]");
    }

    private static string Inv(long v) => v.ToString(CultureInfo.InvariantCulture);
}
