using System.CommandLine;
using Skymap.Core.Geometry;
using Skymap.Core.Simulation;

namespace Skymap.Cli.Commands;

/// <summary>System.CommandLine wiring of <c>skymap simulate</c>.</summary>
internal static class SimulateCommandLine
{
    public static Command Create()
    {
        var kind = new Option<string>("--kind") { Description = "track | cascade", DefaultValueFactory = _ => "track" };
        var zenith = new Option<double>("--zenith") { Description = "Zenith the particle comes from [rad]", Required = true };
        var azimuth = new Option<double>("--azimuth") { Description = "Azimuth the particle comes from [rad]", Required = true };
        var energy = new Option<double>("--energy") { Description = "Energy [GeV]", Required = true };
        var x = new Option<double>("--x") { Description = "Vertex x [m]", DefaultValueFactory = _ => 0 };
        var y = new Option<double>("--y") { Description = "Vertex y [m]", DefaultValueFactory = _ => 0 };
        var z = new Option<double>("--z") { Description = "Vertex z [m]", DefaultValueFactory = _ => 0 };
        var time = new Option<double>("--time") { Description = "Vertex time [ns]", DefaultValueFactory = _ => 10000 };
        var mjd = new Option<double>("--mjd") { Description = "Event MJD", DefaultValueFactory = _ => 60000 };
        var seed = new Option<ulong>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 1 };
        var run = new Option<long>("--run-id") { Description = "Run id", DefaultValueFactory = _ => 0 };
        var evt = new Option<long?>("--event-id") { Description = "Event id (default: the seed)" };
        var type = new Option<string>("--event-type") { Description = "Event type", DefaultValueFactory = _ => SimulationOptions.DefaultEventType };
        var output = new Option<string>("--out") { Description = "Output skymap-event/1 file", Required = true };
        var truth = new TruthModelOptions();
        var cmd = new Command("simulate", "Simulate a track or cascade event (PHYSICS.md §5) and write it as skymap-event/1 with truth.")
        {
            kind, zenith, azimuth, energy, x, y, z, time, mjd, seed, run, evt, type, output,
        };
        foreach (var o in truth.All)
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(pr =>
        {
            var k = pr.GetValue(kind);
            if (k is not ("track" or "cascade"))
            {
                CliRunner.WriteError($"--kind must be track or cascade, got '{k}'");
                return 2;
            }

            TruthModel model;
            try
            {
                model = truth.Resolve(pr);
            }
            catch (CliException e)
            {
                CliRunner.WriteError(e.Message);
                return 2;
            }

            var options = new SimulationOptions
            {
                Kind = k == "track" ? SimulationKind.Track : SimulationKind.Cascade,
                Zenith = pr.GetValue(zenith),
                Azimuth = pr.GetValue(azimuth),
                Energy = pr.GetValue(energy),
                Vertex = new Vector3D(pr.GetValue(x), pr.GetValue(y), pr.GetValue(z)),
                Time = pr.GetValue(time),
                Mjd = pr.GetValue(mjd),
                Seed = pr.GetValue(seed),
                RunId = pr.GetValue(run),
                EventId = pr.GetValue(evt),
                EventType = pr.GetValue(type)!,
                Model = model,
            };
            return SimulateCommandHandler.Run(options, pr.GetValue(output)!, Console.Out, Console.Error);
        });
        return cmd;
    }
}
