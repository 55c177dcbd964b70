using System.CommandLine;

namespace Skymap.Cli.Commands;

/// <summary>System.CommandLine wiring of <c>skymap llh</c>.</summary>
internal static class LlhCommandLine
{
    public static Command Create()
    {
        var evt = new Option<string>("--event", "--event-file") { Description = "A skymap-event/1 file, or builtin:NAME", Required = true };
        var reco = new Option<string>("--reco") { Description = "pandel_spe | pandel_mpe | millipede", Required = true };
        var zen = new Option<double>("--zenith") { Description = "Zenith [rad]", Required = true };
        var az = new Option<double>("--azimuth") { Description = "Azimuth [rad]", Required = true };
        var x = new Option<double>("--x") { Description = "Vertex x [m]", Required = true };
        var y = new Option<double>("--y") { Description = "Vertex y [m]", Required = true };
        var z = new Option<double>("--z") { Description = "Vertex z [m]", Required = true };
        var t = new Option<double>("--t") { Description = "Vertex time [ns]", Required = true };
        var kernel = CliOptions.KernelOption("Likelihood kernel");
        var cmd = new Command("llh", "Print −ln L of one hypothesis (energies profiled for millipede), full double precision.")
        {
            evt, reco, zen, az, x, y, z, t, kernel,
        };
        cmd.SetAction(pr => LlhCommandHandler.Run(
            pr.GetValue(evt)!, pr.GetValue(reco)!, pr.GetValue(zen), pr.GetValue(az), pr.GetValue(x), pr.GetValue(y), pr.GetValue(z),
            pr.GetValue(t), pr.GetValue(kernel) ?? "auto", Console.Out, Console.Error));
        return cmd;
    }
}
