using System.Globalization;
using System.Text.Json.Nodes;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Results;

namespace Skymap.Core.Scanning;

/// <summary>
/// Builds the <c>scan-manifest.json</c> object (FORMATS.md §8) from the scan's counts and timings, with the upstream
/// reporter's computations (SCANNER.md §11): tallies, rates, predictions and the timeline.
/// </summary>
internal sealed class ScanManifestBuilder
{
    private static readonly string[] TimelineKeys =
        ["0.1", "0.2", "0.3", "0.4", "0.5", "0.6", "0.8", "0.9", "0.95", "0.99", "0.999", "0.9999", "0.99999", "1.0"];

    private readonly List<(DateTimeOffset Start, DateTimeOffset End, double WorkerSeconds, int Nside)> _roundTrips = new();
    private readonly Dictionary<string, TimeSpan> _timeline = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Creates the builder; the scanner start time is taken now.</summary>
    public ScanManifestBuilder(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        ScannerStart = _time.GetUtcNow();
    }

    /// <summary>When the scanner started.</summary>
    public DateTimeOffset ScannerStart { get; }

    /// <summary>When the first tasks were sent (reco start on server).</summary>
    public DateTimeOffset? RecoStart { get; set; }

    /// <summary>When the scan finished.</summary>
    public DateTimeOffset? End { get; set; }

    /// <summary>Records one collected reply (round trip from its send time).</summary>
    public void RecordRoundTrip(DateTimeOffset sent, double workerSeconds, int nside, long collectedSoFar, long predictedTotal)
    {
        var now = _time.GetUtcNow();
        _roundTrips.Add((sent, now, workerSeconds, nside));
        if (collectedSoFar == 1)
        {
            _timeline[(1.0 / Math.Max(predictedTotal, 1)).ToString("0.00000", CultureInfo.InvariantCulture)] = now - ScannerStart;
        }

        foreach (var key in TimelineKeys)
        {
            var p = double.Parse(key, CultureInfo.InvariantCulture);
            if (!_timeline.ContainsKey(key) && collectedSoFar >= (long)Math.Ceiling(predictedTotal * p))
            {
                _timeline[key] = now - ScannerStart;
            }
        }
    }

    /// <summary>Builds the manifest object.</summary>
    public JsonObject Build(
        string summary, string epilogue, ScanTallies tallies, EventHeader header, string scanId, NSideProgression progression,
        double pst, ulong seed, bool done)
    {
        ArgumentNullException.ThrowIfNull(tallies);
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(progression);
        var now = _time.GetUtcNow();
        var m = tallies.Variations;
        var predicted = tallies.PredictedTotal(done);
        var nsides = new JsonObject();
        long doneSum = 0, genSum = 0, estSum = 0, failSum = 0;
        foreach (var n in tallies.Nsides)
        {
            nsides[n.Nside.ToString(CultureInfo.InvariantCulture)] = new JsonObject
            {
                ["recos"] = Tally(n.Done, n.Generated, n.Estimated, n.Failed, null, n.Retried),
                ["pixels"] = Tally(n.Done, n.Generated, n.Estimated, n.Failed, m),
            };
            doneSum += n.Done;
            genSum += n.Generated;
            estSum += n.Estimated;
            failSum += n.Failed;
        }

        var timeline = new JsonObject();
        foreach (var (k, v) in _timeline.OrderBy(kv => double.Parse(kv.Key, CultureInfo.InvariantCulture)))
        {
            timeline[k] = Duration(v);
        }

        var progress = new JsonObject
        {
            ["summary"] = summary,
            ["epilogue"] = epilogue,
            ["tallies"] = new JsonObject
            {
                ["nsides"] = nsides,
                ["overall"] = new JsonObject
                {
                    ["recos"] = Tally(doneSum, genSum, estSum, failSum, null, tallies.Retried),
                    ["pixels"] = Tally(doneSum, genSum, estSum, failSum, m),
                },
                ["est. scan timeline"] = timeline,
            },
            ["processing_stats"] = ProcessingStats(now, doneSum, predicted, done),
            ["predictive_scanning_threshold"] = Float(pst),
            ["last_updated"] = DateTime(now),
            ["start"] = ScannerStart.ToUnixTimeSeconds(),
            ["end"] = End is { } e ? e.ToUnixTimeSeconds() : null,
        };

        var progressionObj = new JsonObject();
        foreach (var (n, ext) in progression.Steps)
        {
            progressionObj[n.ToString(CultureInfo.InvariantCulture)] = ext;
        }

        return new JsonObject
        {
            ["progress"] = progress,
            ["event_metadata"] = new JsonObject
            {
                ["run_id"] = header.RunId,
                ["event_id"] = header.EventId,
                ["event_type"] = header.EventType,
                ["mjd"] = Float(header.Mjd),
                ["is_real_event"] = header.IsRealEvent,
                ["version"] = 1,
            },
            ["scan_metadata"] = new JsonObject
            {
                ["scan_id"] = scanId,
                ["nside_progression"] = progressionObj,
                ["position_variations"] = m,
                ["seed"] = seed,
            },
        };
    }

    private JsonObject ProcessingStats(DateTimeOffset now, long collected, long predicted, bool done)
    {
        var start = new JsonObject { ["scanner start"] = DateTime(ScannerStart) };
        var runtime = new JsonObject { ["elapsed"] = Duration(now - ScannerStart) };
        if (RecoStart is { } rs)
        {
            start["reco start (on server)"] = DateTime(rs);
            runtime["startup runtime"] = Duration(rs - ScannerStart);
            runtime["reco runtime (on server)"] = Duration(now - rs);
        }

        var stats = new JsonObject { ["start"] = start, ["runtime"] = runtime };
        if (_roundTrips.Count == 0)
        {
            return stats;
        }

        var first = _roundTrips[0];
        var firstWorker = first.End - TimeSpan.FromSeconds(first.WorkerSeconds);
        start["reco start (on first worker)"] = DateTime(firstWorker);
        if (RecoStart is { } rs2)
        {
            runtime["reco start delay (on first worker)"] = Duration(firstWorker - rs2);
        }

        var rate = new JsonObject { ["all recos"] = Rate(_roundTrips) };
        foreach (var g in _roundTrips.GroupBy(r => r.Nside).OrderBy(g => g.Key))
        {
            rate[$"nside-{g.Key}"] = Rate(g.ToList());
        }

        stats["rate"] = rate;
        if (done && End is { } end)
        {
            stats["end"] = DateTime(end);
            stats["finished"] = true;
        }
        else
        {
            var window = Math.Max((int)(0.25 * collected), 400);
            var w = Math.Min(window, _roundTrips.Count);
            var recent = _roundTrips.Skip(_roundTrips.Count - w).ToList();
            var perReco = (recent[^1].End - recent.Min(r => r.Start)).TotalSeconds / w;
            var left = TimeSpan.FromSeconds(perReco * Math.Max(predicted - collected, 0));
            stats["predictions"] = new JsonObject
            {
                ["time left"] = Duration(left),
                ["total runtime at finish"] = Duration(now + left - ScannerStart),
                ["total # of reconstructions"] = predicted,
                ["end"] = DateTime(now + left),
                ["technique"] = window == 400
                    ? "simple average over entire scan runtime (a moving average with a window of 0.25 will be used after 1600 recos have finished)"
                    : $"simple moving average (window={window})",
            };
        }

        return stats;
    }

    private static JsonObject Rate(IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End, double WorkerSeconds, int Nside)> trips)
    {
        var worker = trips.Select(t => t.WorkerSeconds).Order().ToArray();
        var roundTrip = trips.Select(t => (t.End - t.Start).TotalSeconds).Order().ToArray();
        var wallStart = trips.Min(t => t.Start);
        var wallEnd = trips.Max(t => t.End);
        return new JsonObject
        {
            ["worker time"] = Stats(worker),
            ["round-trip time"] = Stats(roundTrip),
            ["wall time"] = new JsonObject
            {
                ["start"] = DateTime(wallStart),
                ["end"] = DateTime(wallEnd),
                ["runtime"] = Duration(wallEnd - wallStart),
                ["mean reco"] = Duration(TimeSpan.FromSeconds((wallEnd - wallStart).TotalSeconds / trips.Count)),
            },
        };
    }

    private static JsonObject Stats(double[] sorted) => new()
    {
        ["mean"] = Duration(TimeSpan.FromSeconds(sorted.Average())),
        ["median"] = Duration(TimeSpan.FromSeconds(sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : 0.5 * (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]))),
        ["slowest"] = Duration(TimeSpan.FromSeconds(sorted[^1])),
        ["fastest"] = Duration(TimeSpan.FromSeconds(sorted[0])),
    };

    private static JsonObject Tally(long done, long generated, long estimated, long failed, int? pixelDivisor, long retried = 0)
    {
        if (pixelDivisor is not { } divisor)
        {
            return new JsonObject
            {
                ["done"] = done,
                ["done est. percent"] = generated == 0 ? "N/A" : string.Create(CultureInfo.InvariantCulture, $"{done}/{generated} ({(double)done / generated:0.00})"),
                ["generated"] = generated,
                ["initial approximation total"] = estimated,
                ["failed"] = failed,

                // Skymap: attempts re-sent after a FAILED/TIMEOUT reply (recos only).
                ["retried"] = retried,
            };
        }

        var pixelsDone = done / divisor;
        var gen = (double)generated / divisor;
        return new JsonObject
        {
            ["done"] = pixelsDone,
            ["done est. percent"] = generated == 0 ? "N/A" : string.Create(CultureInfo.InvariantCulture, $"{pixelsDone}/{PyFloat(gen)} ({pixelsDone / gen:0.00})"),
            ["generated"] = Float(gen),
            ["initial approximation total"] = Float((double)estimated / divisor),
            ["failed"] = failed,
        };
    }

    private static string PyFloat(double v) => PythonFloat.Repr(v);

    /// <summary>A JSON number written as Python writes a float (<c>768.0</c>, never <c>768</c>).</summary>
    private static JsonNode? Float(double v) => double.IsFinite(v) ? JsonNode.Parse(PythonFloat.Repr(v)) : null;

    /// <summary>Python <c>str(timedelta(seconds=int))</c>: <c>0:04:05</c>, <c>1 day, 2:03:04</c>.</summary>
    public static string Duration(TimeSpan span)
    {
        var total = (long)Math.Max(0, Math.Floor(span.TotalSeconds));
        var days = total / 86400;
        var rest = total % 86400;
        var hms = string.Create(CultureInfo.InvariantCulture, $"{rest / 3600}:{rest % 3600 / 60:00}:{rest % 60:00}");
        return days == 0 ? hms : string.Create(CultureInfo.InvariantCulture, $"{days} day{(days == 1 ? "" : "s")}, {hms}");
    }

    private static string DateTime(DateTimeOffset t) =>
        t.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
