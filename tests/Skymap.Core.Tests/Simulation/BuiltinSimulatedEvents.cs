using Skymap.Core.Geometry;
using Skymap.Core.Simulation;

namespace Skymap.Core.Tests.Simulation;

/// <summary>
/// The options that produced the committed built-in simulated events (documented in tools/builtin-events.md).
/// Changing anything here, or in the simulator, requires regenerating the files:
/// <c>SKYMAP_REGENERATE_BUILTIN_EVENTS=1 dotnet test tests/Skymap.Core.Tests --filter BuiltinSimulatedEventTests</c>.
/// </summary>
internal static class BuiltinSimulatedEvents
{
    public static IReadOnlyDictionary<string, SimulationOptions> All { get; } = new Dictionary<string, SimulationOptions>(StringComparer.Ordinal)
    {
        ["track-100tev"] = new SimulationOptions
        {
            Kind = SimulationKind.Track,
            Zenith = 1.9,
            Azimuth = 2.3,
            Energy = 1e5,
            Vertex = new Vector3D(20.0, -30.0, -50.0),
            Time = 10_000.0,
            Mjd = 60_000.25,
            Seed = 1001,
            RunId = 1,
            EventId = 1,
        },
        ["track-10tev"] = new SimulationOptions
        {
            Kind = SimulationKind.Track,
            Zenith = 1.3,
            Azimuth = 4.0,
            Energy = 1e4,
            Vertex = new Vector3D(-40.0, 60.0, 30.0),
            Time = 10_000.0,
            Mjd = 60_100.75,
            Seed = 1002,
            RunId = 1,
            EventId = 2,
        },
        ["cascade-50tev"] = new SimulationOptions
        {
            Kind = SimulationKind.Cascade,
            Zenith = 2.0,
            Azimuth = 0.8,
            Energy = 5e4,
            Vertex = new Vector3D(30.0, 10.0, -100.0),
            Time = 10_000.0,
            Mjd = 60_200.5,
            Seed = 1003,
            RunId = 1,
            EventId = 3,
        },
    };
}
