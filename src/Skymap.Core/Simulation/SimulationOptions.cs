using System.Globalization;
using Skymap.Core.Geometry;

namespace Skymap.Core.Simulation;

/// <summary>What the simulator produces (PHYSICS.md §5).</summary>
public enum SimulationKind
{
    /// <summary>An infinite muon track through the vertex, clipped to the 600 m cube, with stochastic losses every 5 m.</summary>
    Track,

    /// <summary>One point-like EM cascade at the vertex.</summary>
    Cascade,
}

/// <summary>The inputs of one simulated event (PHYSICS.md §5).</summary>
public sealed record SimulationOptions
{
    /// <summary>The default event type written into simulated events.</summary>
    public const string DefaultEventType = "simulated";

    /// <summary>Track or cascade (default <see cref="SimulationKind.Track"/>).</summary>
    public SimulationKind Kind { get; init; } = SimulationKind.Track;

    /// <summary>Zenith the particle comes from [rad], in [0, π].</summary>
    public required double Zenith { get; init; }

    /// <summary>Azimuth the particle comes from [rad], counter-clockwise from +x (any finite value; wrapped into [0, 2π)).</summary>
    public required double Azimuth { get; init; }

    /// <summary>Muon energy for tracks (sets dE/dx), deposited energy for cascades [GeV]; &gt; 0.</summary>
    public required double Energy { get; init; }

    /// <summary>Vertex [m]: a point of the track, or the cascade position (default the origin).</summary>
    public Vector3D Vertex { get; init; } = Vector3D.Zero;

    /// <summary>Time at which the particle is at <see cref="Vertex"/> [ns] (default 10000 ns).</summary>
    public double Time { get; init; } = 10_000.0;

    /// <summary>Event time, modified Julian date (UT); sets the truth's (RA, Dec) (default 60000.0).</summary>
    public double Mjd { get; init; } = 60_000.0;

    /// <summary>Random seed; the same options always give the same event.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Run id written into the event (≥ 0, default 0).</summary>
    public long RunId { get; init; }

    /// <summary>Event id written into the event (≥ 0); null (default) uses the seed modulo 2⁶³.</summary>
    public long? EventId { get; init; }

    /// <summary>Event type written into the event (non-empty, default <c>simulated</c>).</summary>
    public string EventType { get; init; } = DefaultEventType;

    /// <summary>The truth model: departures from the reconstructions' physics (default <see cref="TruthModel.Nominal"/>: none).</summary>
    internal TruthModel Model { get; init; } = TruthModel.Nominal;

    /// <summary>The event id that will be written: <see cref="EventId"/>, or the seed modulo 2⁶³.</summary>
    public long EffectiveEventId => EventId ?? (long)(Seed & long.MaxValue);

    /// <summary>Checks the options; returns null when they are valid, otherwise a message naming the bad field.</summary>
    public string? Validate()
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (!Enum.IsDefined(Kind))
        {
            return $"kind must be track or cascade, got {(int)Kind}";
        }

        if (!(Zenith >= 0 && Zenith <= Math.PI))
        {
            return $"zenith must be in [0, π] rad, got {F(Zenith)}";
        }

        if (!double.IsFinite(Azimuth))
        {
            return $"azimuth must be finite, got {F(Azimuth)}";
        }

        if (!(Energy > 0) || !double.IsFinite(Energy))
        {
            return $"energy must be a finite number > 0 GeV, got {F(Energy)}";
        }

        if (!double.IsFinite(Vertex.X) || !double.IsFinite(Vertex.Y) || !double.IsFinite(Vertex.Z))
        {
            return $"vertex must be finite, got ({F(Vertex.X)}, {F(Vertex.Y)}, {F(Vertex.Z)})";
        }

        if (!double.IsFinite(Time))
        {
            return $"time must be finite, got {F(Time)}";
        }

        if (!double.IsFinite(Mjd))
        {
            return $"mjd must be finite, got {F(Mjd)}";
        }

        if (RunId < 0)
        {
            return $"run id must be ≥ 0, got {RunId}";
        }

        if (EventId is < 0)
        {
            return $"event id must be ≥ 0, got {EventId}";
        }

        if (Model is null)
        {
            return "truth model must not be null";
        }

        if (Model.Validate() is { } modelError)
        {
            return modelError;
        }

        return string.IsNullOrEmpty(EventType) ? "event type must not be empty" : null;
    }
}
