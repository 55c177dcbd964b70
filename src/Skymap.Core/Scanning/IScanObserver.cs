using System.Text.Json.Nodes;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Results;

namespace Skymap.Core.Scanning;

/// <summary>A progress report: the manifest object (FORMATS.md §8) and the counts behind it.</summary>
/// <param name="Manifest">The <c>scan-manifest.json</c> object.</param>
/// <param name="Tallies">The counts.</param>
/// <param name="Summary">The summary line.</param>
public sealed record ScanProgressReport(JsonObject Manifest, ScanTallies Tallies, string Summary);

/// <summary>A (partial or final) result: the finished pixels per nside, best variation each.</summary>
/// <param name="Header">Event identity (with the scan's real/simulated flag).</param>
/// <param name="Progression">The nside progression.</param>
/// <param name="Pixels">Finished pixels per nside (ascending nside, ascending pixel id).</param>
/// <param name="Complete">True when the scan is done.</param>
public sealed record ScanResultSnapshot(
    EventHeader Header, NSideProgression Progression, IReadOnlyDictionary<int, IReadOnlyList<RecoPixelFinal>> Pixels, bool Complete)
{
    /// <summary>True when no pixel is finished (an empty result is never written).</summary>
    public bool IsEmpty => Pixels.Values.All(p => p.Count == 0);

    /// <summary>The snapshot in skyreader's result model (version 1, one block per nside with finished pixels).</summary>
    public SkyScanResult ToSkyScanResult() => SkyScanResult.Create(
        Header.RunId, Header.EventId, Header.EventType, Header.Mjd, Header.IsRealEvent,
        Pixels.Where(kv => kv.Value.Count > 0).OrderBy(kv => kv.Key).Select(kv => ((long)kv.Key, kv.Value.Select(p =>
            new ResultRow(p.PixelId, p.Llh, p.RecoLossesInside, p.RecoLossesTotal, p.Position.X, p.Position.Y, p.Position.Z, p.Time)))),
        Complete);
}

/// <summary>A sink for scan progress and results: files, a Driver, a console display.</summary>
public interface IScanObserver
{
    /// <summary>A progress report (SCANNER.md §11 schedule).</summary>
    Task OnProgressAsync(ScanProgressReport report, CancellationToken cancellationToken);

    /// <summary>A partial or final non-empty result.</summary>
    Task OnResultAsync(ScanResultSnapshot result, CancellationToken cancellationToken);

    /// <summary>Called after every collected reply, for live displays (cheap; default does nothing).</summary>
    void OnCollected(ScanTallies tallies)
    {
    }
}
