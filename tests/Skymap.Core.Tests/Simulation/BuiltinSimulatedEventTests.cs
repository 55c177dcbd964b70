using System.Text;
using Skymap.Core.Events;
using Skymap.Core.Simulation;
using Skymap.Core.Tests.Events;

namespace Skymap.Core.Tests.Simulation;

public sealed class BuiltinSimulatedEventTests
{
    private const string RegenerateVariable = "SKYMAP_REGENERATE_BUILTIN_EVENTS";

    public static TheoryData<string> Names => new(BuiltinSimulatedEvents.All.Keys);

    /// <summary>What the simulator writes for a built-in event: <see cref="SkymapEventSerializer.Serialize"/> plus a final newline.</summary>
    private static string Render(string name) =>
        SkymapEventSerializer.Serialize(EventSimulator.Simulate(BuiltinSimulatedEvents.All[name])) + "\n";

    [Theory]
    [MemberData(nameof(Names))]
    public void Committed_file_is_reproduced_bit_for_bit_by_the_simulator(string name)
    {
        var expected = Render(name);
        if (Environment.GetEnvironmentVariable(RegenerateVariable) == "1")
        {
            var path = Path.Combine(TestData.RepositoryRoot(), "src", "Skymap.Core", "Events", "Resources", $"event-{name}.json");
            File.WriteAllText(path, expected, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            return;
        }

        using var stream = typeof(BuiltinEvents).Assembly.GetManifestResourceStream($"Skymap.Core.Events.Resources.event-{name}.json");
        Assert.NotNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var committed = reader.ReadToEnd();
        Assert.True(committed == expected, $"built-in event '{name}' differs from the simulator's output; regenerate with {RegenerateVariable}=1 (see tools/builtin-events.md)");
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Builtin_event_is_listed_small_and_simulated(string name)
    {
        Assert.Contains(name, BuiltinEvents.Names);
        var evt = BuiltinEvents.Load(BuiltinEvents.Prefix + name);
        var options = BuiltinSimulatedEvents.All[name];
        Assert.False(evt.Header.IsRealEvent);
        Assert.True(evt.Header.RunId >= 0);
        Assert.Equal(options.Mjd, evt.Header.Mjd);
        Assert.NotNull(evt.Truth);
        Assert.Equal(options.Kind == SimulationKind.Track ? "track" : "cascade", evt.Truth.Kind);
        Assert.Equal(options.Energy, evt.Truth.Energy);
        Assert.True(evt.Pulses.SensorId.Distinct().Count() > 100, "a built-in event should light many DOMs");

        using var stream = typeof(BuiltinEvents).Assembly.GetManifestResourceStream($"Skymap.Core.Events.Resources.event-{name}.json");
        Assert.True(stream!.Length < 1_500_000, $"{stream.Length} bytes");
    }
}
