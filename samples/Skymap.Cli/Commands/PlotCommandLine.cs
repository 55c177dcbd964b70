using System.CommandLine;

namespace Skymap.Cli.Commands;

/// <summary>System.CommandLine wiring of <c>skymap plot</c>.</summary>
internal static class PlotCommandLine
{
    public static Command Create()
    {
        var result = new Argument<string>("result") { Description = "Result file (.json or .npz)" };
        var outDir = new Option<string?>("--output-dir") { Description = "Where to write the FITS map and plots (default: next to the result)" };
        var syst = new Option<bool>("--systematics") { Description = "Use the 22.2 / 64.2 systematics levels instead of Wilks" };
        var cmd = new Command("plot", "Write the FITS HEALPix map and the SVG/PNG skymap plot of a result; print best fit, areas and errors.") { result, outDir, syst };
        cmd.SetAction(pr => CliRunner.Run(() => PlotCommandHandler.Run(pr.GetValue(result)!, pr.GetValue(outDir), pr.GetValue(syst), Console.Out)));
        return cmd;
    }
}
