using System.CommandLine;
using Skymap.Cli.Commands;

namespace Skymap.Cli;

/// <summary>The <c>skymap</c> command line.</summary>
public static class Program
{
    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("Skymap: scan the sky for the direction of a neutrino event (HEALPix likelihood scans).")
        {
            ScanCommand.Create(),
            CompareCommand.Create(),
            SimulateCommandLine.Create(),
            PlotCommandLine.Create(),
            LlhCommandLine.Create(),
            BenchCommand.Create(),
            CalibrateCommand.Create(),
            WorkerCommandLine.Create(),
            DevicesCommandLine.Create(),
            DriverCommand.Create(),
        };
        var parse = root.Parse(args.Length == 0 ? ["--help"] : args);
        return CliRunner.ReportParseErrors(parse) ?? await parse.InvokeAsync().ConfigureAwait(false);
    }
}
