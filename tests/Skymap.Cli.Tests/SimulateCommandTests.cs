using Skymap.Cli.Commands;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Simulation;

namespace Skymap.Cli.Tests;

public sealed class SimulateCommandTests : IDisposable
{
    private static readonly SimulationOptions Options = new()
    {
        Kind = SimulationKind.Track,
        Zenith = 1.5,
        Azimuth = 2.0,
        Energy = 1e4,
        Vertex = new Vector3D(0, 0, 0),
        Seed = 5,
    };

    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-simulate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Writes_the_event_file_and_prints_a_one_line_summary()
    {
        var path = Path.Combine(_dir, "event.json");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, SimulateCommandHandler.Run(Options, path, stdout, stderr));
        Assert.Equal(string.Empty, stderr.ToString());

        var evt = SkymapEventSerializer.ReadFile(path);
        Assert.Equal(File.ReadAllText(path), SkymapEventSerializer.Serialize(EventSimulator.Simulate(Options)) + "\n");
        var line = stdout.ToString().TrimEnd('\n');
        Assert.DoesNotContain('\n', line);
        Assert.Contains($"{evt.Pulses.Count} pulses", line, StringComparison.Ordinal);
        Assert.Contains($"{evt.Pulses.SensorId.Distinct().Count()} hit DOMs", line, StringComparison.Ordinal);
        Assert.Contains("total charge", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1, 1e4, "zenith")]
    [InlineData(3.2, 1e4, "zenith")]
    [InlineData(1.0, 0.0, "energy")]
    [InlineData(1.0, -1.0, "energy")]
    public void Bad_options_are_a_clear_error_and_write_nothing(double zenith, double energy, string field)
    {
        var path = Path.Combine(_dir, "event.json");
        var stderr = new StringWriter();
        var code = SimulateCommandHandler.Run(Options with { Zenith = zenith, Energy = energy }, path, TextWriter.Null, stderr);
        Assert.Equal(SimulateCommandHandler.ExitInvalidArguments, code);
        Assert.Contains(field, stderr.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Unwritable_paths_are_a_clear_error()
    {
        var stderr = new StringWriter();
        Assert.NotEqual(0, SimulateCommandHandler.Run(Options, Path.Combine(_dir, "missing", "event.json"), TextWriter.Null, stderr));
        Assert.Contains("does not exist", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.NotEqual(0, SimulateCommandHandler.Run(Options, _dir, TextWriter.Null, stderr));
        Assert.Contains("is a directory", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.NotEqual(0, SimulateCommandHandler.Run(Options, "", TextWriter.Null, stderr));
        Assert.Contains("output path", stderr.ToString(), StringComparison.Ordinal);
    }
}
