using Skymap.Core.Simulation;

namespace Skymap.Core.Events;

/// <summary>The identity of an event as it appears in result metadata and file names.</summary>
/// <param name="RunId">Run number.</param>
/// <param name="EventId">Event number within the run.</param>
/// <param name="EventType">Event type, e.g. <c>GOLD</c>, <c>BRONZE</c>, <c>neutrino</c>.</param>
/// <param name="Mjd">Event start time, modified Julian date (UT).</param>
/// <param name="IsRealEvent">True for real detector data, false for simulation.</param>
public sealed record EventHeader(long RunId, long EventId, string EventType, double Mjd, bool IsRealEvent);

/// <summary>Pulse series of an event as three parallel arrays (PHYSICS.md §1.2).</summary>
/// <param name="SensorId">Sensor id of each pulse.</param>
/// <param name="Time">Pulse time [ns].</param>
/// <param name="Charge">Pulse charge [PE].</param>
public sealed record PulseSeries(int[] SensorId, double[] Time, double[] Charge)
{
    /// <summary>Number of pulses.</summary>
    public int Count => SensorId.Length;
}

/// <summary>The optional vertex/time seed of an event file.</summary>
/// <param name="X">x [m].</param>
/// <param name="Y">y [m].</param>
/// <param name="Z">z [m].</param>
/// <param name="Time">Time [ns].</param>
internal sealed record EventSeed(double X, double Y, double Z, double Time);

/// <summary>Simulation truth carried by simulated events (never used by a fit).</summary>
/// <param name="Kind"><c>track</c> or <c>cascade</c>.</param>
/// <param name="Zenith">Zenith the particle came from [rad].</param>
/// <param name="Azimuth">Azimuth the particle came from [rad].</param>
/// <param name="Ra">Right ascension J2000 [rad].</param>
/// <param name="Dec">Declination J2000 [rad].</param>
/// <param name="X">Vertex x [m].</param>
/// <param name="Y">Vertex y [m].</param>
/// <param name="Z">Vertex z [m].</param>
/// <param name="Time">Vertex time [ns].</param>
/// <param name="Energy">Energy [GeV].</param>
public sealed record EventTruth(
    string Kind, double Zenith, double Azimuth, double Ra, double Dec, double X, double Y, double Z, double Time, double Energy)
{
    /// <summary>
    /// The truth model the event was simulated with when it departs from the reconstructions' physics (written as
    /// <c>truth.model</c>); null for the nominal model.
    /// </summary>
    internal TruthModel? Model { get; init; }
}

/// <summary>An event in the <c>skymap-event/1</c> format (PHYSICS.md §1.2).</summary>
public sealed record SkymapEvent
{
    /// <summary>The format identifier written into and required from event files.</summary>
    public const string FormatName = "skymap-event/1";

    /// <summary>Run, event, type, MJD and real/simulated flag.</summary>
    public required EventHeader Header { get; init; }

    /// <summary>Geometry name (<c>ic86</c>).</summary>
    public string GeometryName { get; init; } = DetectorGeometry.IC86Name;

    /// <summary>The pulses.</summary>
    public required PulseSeries Pulses { get; init; }

    /// <summary>Optional seed vertex/time.</summary>
    internal EventSeed? Seed { get; init; }

    /// <summary>Optional simulation truth.</summary>
    public EventTruth? Truth { get; init; }

    /// <summary>The detector geometry this event refers to.</summary>
    internal DetectorGeometry Geometry => DetectorGeometry.Get(GeometryName);
}
