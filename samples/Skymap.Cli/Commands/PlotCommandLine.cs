using System.CommandLine;

namespace Skymap.Cli.Commands;

/// <summary>System.CommandLine wiring of <c>skymap plot</c>.</summary>
internal static class PlotCommandLine
{
    public static Command Create()
    {
        var result = new Argument<string>("result") { Description = "Result file (.json or .npz), or an upstream reference CSV (nside,pixel_ring,llh,E_in,E_tot)" };
        var outDir = new Option<string?>("--output-dir") { Description = "Where to write the products (default: next to the result)" };
        var syst = new Option<bool>("--systematics") { Description = "Use the 22.2 / 64.2 systematics levels instead of Wilks" };
        var floor = new Option<double?>("--angular-error-floor") { Description = "Smooth the probability map with a Gaussian of this sigma (degrees)" };
        var circle = new Option<string[]>("--circle") { Description = "Reported error circle RA,DEC,RADIUS in degrees on the zoomed plot (repeatable)", AllowMultipleArgumentsPerToken = false };
        var box = new Option<bool>("--bounding-box") { Description = "Draw the 90% bounding rectangle on the zoomed plot" };
        var truth = new Option<string?>("--truth") { Description = "Mark a true direction RA,DEC (degrees) on the zoomed plot" };
        var mjd = new Option<double?>("--mjd") { Description = "MJD of the event for a CSV input (CSV files carry none)" };
        var noPlots = new Option<bool>("--no-plots") { Description = "Write the FITS maps and contour files only" };
        var cmd = new Command("plot", "Write a result's products: FITS maps (flattened, multi-order, probability), contour files, full-sky and zoomed plots as PNG/SVG/PDF; print best fit, areas and errors.")
        {
            result, outDir, syst, floor, circle, box, truth, mjd, noPlots,
        };
        cmd.SetAction(pr => CliRunner.Run(() => PlotCommandHandler.Run(
            new PlotArguments
            {
                Result = pr.GetValue(result)!,
                OutputDir = pr.GetValue(outDir),
                Systematics = pr.GetValue(syst),
                AngularErrorFloor = pr.GetValue(floor),
                Circles = pr.GetValue(circle) ?? [],
                BoundingBox = pr.GetValue(box),
                Truth = pr.GetValue(truth),
                Mjd = pr.GetValue(mjd),
                NoPlots = pr.GetValue(noPlots),
            },
            Console.Out)));
        return cmd;
    }
}
