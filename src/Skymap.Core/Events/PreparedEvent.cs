using Skymap.Core.Geometry;

namespace Skymap.Core.Events;

/// <summary>Per-DOM summary used by the likelihoods (PHYSICS.md §1.2): earliest pulse time and total charge.</summary>
/// <param name="SensorId">Sensor id.</param>
/// <param name="Position">DOM position [m].</param>
/// <param name="T1">Earliest pulse time [ns].</param>
/// <param name="Charge">Sum of the pulse charges [PE].</param>
/// <param name="RelativeEfficiency">Relative DOM efficiency.</param>
public readonly record struct HitDom(int SensorId, Vector3D Position, double T1, double Charge, double RelativeEfficiency);

/// <summary>Options for <see cref="EventPreparation"/>.</summary>
internal sealed record EventPreparationOptions
{
    /// <summary>Drop pulses of DOMs marked inactive (default true, as PHYSICS.md §1.2 requires).</summary>
    public bool DropInactiveDoms { get; init; } = true;

    /// <summary>Optional sliding time window [ns] keeping the pulses with the most charge (off by default; 6000 ns is customary).</summary>
    public double? TimeWindow { get; init; }
}

/// <summary>
/// What a reconstruction prepares once per event on the scan server (upstream <c>prepare_frames</c>): the cleaned
/// hit-DOM summaries and the fallback seed vertex and time (PHYSICS.md §3.2).
/// </summary>
public sealed record PreparedEvent
{
    /// <summary>The event as read.</summary>
    public required SkymapEvent Event { get; init; }

    /// <summary>Hit DOMs after cleaning, ordered by sensor id.</summary>
    public required IReadOnlyList<HitDom> HitDoms { get; init; }

    /// <summary>Fallback seed vertex (upstream <c>SeedVertexPos</c>).</summary>
    public required Vector3D SeedVertex { get; init; }

    /// <summary>Fallback seed time (upstream <c>SeedVertexTime</c>) [ns].</summary>
    public required double SeedTime { get; init; }

    /// <summary>Header shortcut.</summary>
    public EventHeader Header => Event.Header;

    /// <summary>
    /// Prepares an event the standard way: pulses cleaned, one <see cref="HitDom"/> per hit DOM, and the seed vertex and
    /// time (the event's own seed when it has one, else the charge-weighted centre of the hit DOMs and the charge-weighted
    /// mean of their earliest times, PHYSICS.md §3.2). A reco's <see cref="Recos.IRecoAlgorithm.Prepare"/> usually returns this.
    /// </summary>
    /// <param name="evt">The event.</param>
    /// <returns>The prepared event.</returns>
    /// <exception cref="EventFormatException">No pulse survives cleaning.</exception>
    public static PreparedEvent From(SkymapEvent evt) => EventPreparation.Prepare(evt);
}

/// <summary>Event preparation: inactive-DOM removal, optional time-window cleaning, per-DOM summaries, seeds.</summary>
internal static class EventPreparation
{
    /// <summary>Pulses kept after cleaning, as (sensor id, time, charge) triples in input order.</summary>
    public static IReadOnlyList<(int SensorId, double Time, double Charge)> CleanPulses(SkymapEvent evt, EventPreparationOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(evt);
        options ??= new EventPreparationOptions();
        var geometry = evt.Geometry;
        var kept = new List<(int SensorId, double Time, double Charge)>(evt.Pulses.Count);
        for (var i = 0; i < evt.Pulses.Count; i++)
        {
            var id = evt.Pulses.SensorId[i];
            if (options.DropInactiveDoms && !geometry.Doms[id].Active)
            {
                continue;
            }

            kept.Add((id, evt.Pulses.Time[i], evt.Pulses.Charge[i]));
        }

        if (options.TimeWindow is { } window && kept.Count > 0)
        {
            kept = ApplyTimeWindow(kept, window);
        }

        return kept;
    }

    /// <summary>Per-DOM summaries (t1, Q) of the cleaned pulses, ordered by sensor id.</summary>
    public static IReadOnlyList<HitDom> Summarize(SkymapEvent evt, EventPreparationOptions? options = null)
    {
        var pulses = CleanPulses(evt, options);
        var geometry = evt.Geometry;
        var byDom = new SortedDictionary<int, (double T1, double Q)>();
        foreach (var (id, t, q) in pulses)
        {
            byDom[id] = byDom.TryGetValue(id, out var s) ? (Math.Min(s.T1, t), s.Q + q) : (t, q);
        }

        return byDom.Select(kv =>
        {
            var dom = geometry.Doms[kv.Key];
            return new HitDom(kv.Key, dom.Position, kv.Value.T1, kv.Value.Q, dom.RelativeEfficiency);
        }).ToArray();
    }

    /// <summary>
    /// Prepares an event: summaries and the fallback seed. The seed vertex is the event's <c>seed</c> when present, else the
    /// charge-weighted centre of gravity of the hit DOMs; the seed time is the event's seed time, else the charge-weighted
    /// mean of the DOMs' earliest times (PHYSICS.md §3.2; the time is refined per pixel by the scan).
    /// </summary>
    /// <exception cref="EventFormatException">No pulse survives cleaning.</exception>
    public static PreparedEvent Prepare(SkymapEvent evt, EventPreparationOptions? options = null)
    {
        var doms = Summarize(evt, options);
        if (doms.Count == 0)
        {
            throw new EventFormatException("no pulses left after dropping inactive DOMs and cleaning");
        }

        Vector3D vertex;
        double time;
        if (evt.Seed is { } s)
        {
            vertex = new Vector3D(s.X, s.Y, s.Z);
            time = s.Time;
        }
        else
        {
            var (cog, t) = ChargeWeightedCentre(doms);
            vertex = cog;
            time = t;
        }

        return new PreparedEvent { Event = evt, HitDoms = doms, SeedVertex = vertex, SeedTime = time };
    }

    /// <summary>Charge-weighted centre of gravity of the hit DOMs and the charge-weighted mean of their first-hit times.</summary>
    public static (Vector3D Position, double Time) ChargeWeightedCentre(IReadOnlyList<HitDom> doms)
    {
        ArgumentNullException.ThrowIfNull(doms);
        double w = 0, x = 0, y = 0, z = 0, t = 0;
        foreach (var d in doms)
        {
            w += d.Charge;
            x += d.Charge * d.Position.X;
            y += d.Charge * d.Position.Y;
            z += d.Charge * d.Position.Z;
            t += d.Charge * d.T1;
        }

        return (new Vector3D(x / w, y / w, z / w), t / w);
    }

    private static List<(int SensorId, double Time, double Charge)> ApplyTimeWindow(
        List<(int SensorId, double Time, double Charge)> pulses, double window)
    {
        var sorted = pulses.OrderBy(p => p.Time).ToList();
        double best = -1, running = 0;
        int bestStart = 0, lo = 0;
        for (var hi = 0; hi < sorted.Count; hi++)
        {
            running += sorted[hi].Charge;
            while (sorted[hi].Time - sorted[lo].Time > window)
            {
                running -= sorted[lo].Charge;
                lo++;
            }

            if (running > best)
            {
                best = running;
                bestStart = lo;
            }
        }

        var t0 = sorted[bestStart].Time;
        return pulses.Where(p => p.Time >= t0 && p.Time <= t0 + window).ToList();
    }
}
