using System.Globalization;
using System.Text;
using Skymap.Core.Events;
using Skymap.Core.Simulation;

namespace Skymap.Cli.Commands;

/// <summary>
/// <c>skymap simulate</c>: simulates one event (PHYSICS.md §5) and writes it as a <c>skymap-event/1</c> file.
/// The command-line parsing lives elsewhere; this is the testable body.
/// </summary>
public static class SimulateCommandHandler
{
    /// <summary>Exit code for invalid option values or an unusable output path.</summary>
    public const int ExitInvalidArguments = 2;

    /// <summary>Exit code when the event cannot be simulated or written.</summary>
    public const int ExitFailure = 1;

    /// <summary>
    /// Simulates the event, writes it to <paramref name="outPath"/> (UTF-8 JSON, as
    /// <see cref="SkymapEventSerializer.Serialize"/> plus a final newline) and prints a one-line summary: pulses (noise),
    /// hit DOMs, total charge. On error prints one line to <paramref name="stderr"/>, writes nothing and returns non-zero.
    /// </summary>
    /// <returns>0 on success, <see cref="ExitInvalidArguments"/> or <see cref="ExitFailure"/> otherwise.</returns>
    public static int Run(SimulationOptions options, string outPath, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (options.Validate() is { } invalid)
        {
            stderr.WriteLine($"skymap simulate: error: {invalid}");
            return ExitInvalidArguments;
        }

        if (string.IsNullOrWhiteSpace(outPath))
        {
            stderr.WriteLine("skymap simulate: error: an output path is required");
            return ExitInvalidArguments;
        }

        var full = Path.GetFullPath(outPath);
        if (Directory.Exists(full))
        {
            stderr.WriteLine($"skymap simulate: error: output path '{outPath}' is a directory");
            return ExitInvalidArguments;
        }

        var directory = Path.GetDirectoryName(full);
        if (directory is not null && !Directory.Exists(directory))
        {
            stderr.WriteLine($"skymap simulate: error: cannot write '{outPath}': directory '{directory}' does not exist");
            return ExitInvalidArguments;
        }

        SimulationResult result;
        try
        {
            result = EventSimulator.Run(options);
        }
        catch (InvalidOperationException e)
        {
            stderr.WriteLine($"skymap simulate: error: {e.Message}");
            return ExitFailure;
        }

        var json = SkymapEventSerializer.Serialize(result.Event) + "\n";
        try
        {
            File.WriteAllText(full, json, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            stderr.WriteLine($"skymap simulate: error: cannot write '{outPath}': {e.Message}");
            return ExitFailure;
        }

        var pulses = result.Event.Pulses;
        var hitDoms = pulses.SensorId.Distinct().Count();
        var charge = pulses.Charge.Sum();
        var kind = options.Kind == SimulationKind.Track ? "track" : "cascade";
        stdout.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"wrote {outPath}: {kind} {options.Energy:G6} GeV, zenith {options.Zenith:F4} rad, azimuth {result.Event.Truth!.Azimuth:F4} rad, seed {options.Seed}: {pulses.Count} pulses ({result.NoisePulseCount} noise), {hitDoms} hit DOMs, total charge {charge:F1} PE{(options.Model.IsNominal ? "" : $", truth model {options.Model}")}"));
        return 0;
    }
}
