namespace Skymap.Core.Results;

/// <summary>Per-block metadata of a result (FORMATS.md §1; keys in this order in files).</summary>
/// <remarks>
/// <para>
/// Legacy (version-0) files may carry only <c>{"nside": N}</c>. Such metadata is kept with
/// <see cref="HasEventMetadata"/> = <see langword="false"/> and skyreader's default event metadata:
/// <see cref="RunId"/> = 0, <see cref="EventId"/> = 0, <see cref="EventType"/> = "", <see cref="Mjd"/> = 0,
/// <see cref="IsRealEvent"/> = <see langword="false"/>. <see cref="HasEventMetadata"/> is
/// <see langword="true"/> when every block of the result carried upstream's minimal metadata
/// (<c>run_id</c>, <c>event_id</c>, <c>event_type</c>, <c>mjd</c>, <c>nside</c>).
/// </para>
/// <para>
/// Keys absent from a file default as skyreader does: <c>is_real_event</c> → <see langword="false"/>,
/// <c>version</c> → 0; <c>complete</c> (unknown to skyreader) → <see langword="false"/>.
/// </para>
/// </remarks>
/// <param name="Nside">HEALPix nside of the block.</param>
/// <param name="Complete">Whether the scan had finished when the result was written.</param>
/// <param name="RunId">IceCube run id.</param>
/// <param name="EventId">IceCube event id.</param>
/// <param name="EventType">Event type, e.g. "GOLD", "BRONZE", "neutrino".</param>
/// <param name="Mjd">Event time (modified Julian date); may be NaN.</param>
/// <param name="IsRealEvent">Real event (as opposed to simulation); requires 1e5 ≤ run id &lt; 1e6.</param>
/// <param name="Version">Result version (0 or 1).</param>
public sealed record ResultMetadata(
    long Nside,
    bool Complete,
    long RunId,
    long EventId,
    string EventType,
    double Mjd,
    bool IsRealEvent,
    int Version)
{
    /// <summary>
    /// Whether the event fields were present in the file (always <see langword="true"/> for results built
    /// in memory); <see langword="false"/> means they hold skyreader's defaults.
    /// </summary>
    public bool HasEventMetadata { get; init; } = true;

    /// <summary>
    /// Contour levels calibrated by re-simulation (<c>skymap calibrate</c>), written as additive metadata keys that skyreader
    /// ignores; null when the result has not been calibrated.
    /// </summary>
    internal ResultCalibration? Calibration { get; init; }

    /// <summary>Metadata that holds only an nside (legacy files), with skyreader's default event fields.</summary>
    /// <param name="nside">The block's nside.</param>
    /// <param name="version">The result version (normally 0).</param>
    /// <returns>The metadata, with <see cref="HasEventMetadata"/> = <see langword="false"/>.</returns>
    public static ResultMetadata NsideOnly(long nside, int version = 0) =>
        new(nside, false, 0, 0, string.Empty, 0.0, false, version) { HasEventMetadata = false };

    /// <summary>The event name <c>run{run_id:08d}.evt{event_id:012d}.{event_type}</c> (FORMATS.md §1).</summary>
    public string EventName => ResultFiles.EventName(RunId, EventId, EventType);

    /// <summary>Lowest run id of a real event (inclusive), as skyreader.</summary>
    public const long MinRealRunId = 100_000;

    /// <summary>Highest run id of a real event (exclusive), as skyreader.</summary>
    public const long MaxRealRunIdExclusive = 1_000_000;

    /// <summary>Whether a run id is allowed for a real event (1e5 ≤ run id &lt; 1e6).</summary>
    /// <param name="runId">The run id.</param>
    /// <returns><see langword="true"/> when in range.</returns>
    public static bool IsValidRealRunId(long runId) => runId is >= MinRealRunId and < MaxRealRunIdExclusive;
}
