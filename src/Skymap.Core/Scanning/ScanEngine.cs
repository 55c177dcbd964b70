using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Refinement;

namespace Skymap.Core.Scanning;

/// <summary>How a scan ended.</summary>
public enum ScanStatus
{
    /// <summary>Every nside done.</summary>
    Completed,

    /// <summary>The scan failed (e.g. server silence timeout); the last partial result was reported.</summary>
    Failed,
}

/// <summary>The outcome of a scan.</summary>
/// <param name="ScanId">The scan id.</param>
/// <param name="Seed">The seed used.</param>
/// <param name="Status">Completed or failed.</param>
/// <param name="Result">The final (or last partial) result.</param>
/// <param name="Tallies">Final counts.</param>
/// <param name="Error">Why the scan failed, or null.</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record ScanOutcome(
    string ScanId, ulong Seed, ScanStatus Status, ScanResultSnapshot Result, ScanTallies Tallies, string? Error, TimeSpan Elapsed);

/// <summary>
/// The scan server (SCANNER.md §4–§7, §11): rounds of pixel selection, seeding, dispatch through an
/// <see cref="IPixelDispatcher"/>, collection with retries and de-duplication, predictive-scanning thresholds, the done
/// rule and progress reporting. It knows neither the transport nor the physics of the reco it runs.
/// </summary>
public sealed class ScanEngine
{
    private readonly IRecoAlgorithm _reco;
    private readonly IPixelDispatcher _dispatcher;
    private readonly ScanOptions _options;
    private readonly IReadOnlyList<IScanObserver> _observers;
    private readonly IScanCheckpoint? _checkpoint;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <summary>Creates the engine for one scan.</summary>
    public ScanEngine(
        IRecoAlgorithm reco, IPixelDispatcher dispatcher, ScanOptions options, IEnumerable<IScanObserver>? observers = null,
        IScanCheckpoint? checkpoint = null, ILogger<ScanEngine>? logger = null, TimeProvider? time = null)
    {
        _reco = reco ?? throw new ArgumentNullException(nameof(reco));
        _dispatcher = dispatcher ?? throw new ArgumentNullException(nameof(dispatcher));
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _options.Validate();
        _observers = observers?.ToArray() ?? [];
        _checkpoint = checkpoint;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Generates a scan id: 32 lowercase hex characters.</summary>
    public static string NewScanId() => Guid.NewGuid().ToString("N");

    /// <summary>Draws a random 63-bit seed.</summary>
    public static ulong NewSeed() => (ulong)Random.Shared.NextInt64(long.MaxValue);

    /// <summary>Runs the scan to its end.</summary>
    /// <exception cref="ArgumentException">The reco settings are invalid.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; a partial result was reported first.</exception>
    public async Task<ScanOutcome> RunAsync(SkymapEvent evt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(evt);
        var options = _options;
        _reco.ValidateSettings(options.ToRecoContext(options.Seed ?? 0));
        var checkpoint = _checkpoint;
        FileScanCheckpoint? owned = null;
        if (options.CacheDirectory is { } cache)
        {
            // The resume policy (SCANNER.md §11): same seed and scan id as the run before, and its checkpoint.
            options = ScanResumeState.Apply(cache, options, evt, _reco.Name);
            if (checkpoint is null)
            {
                var identity = FileScanCheckpoint.ComputeScanIdentity(evt, _reco.Name, options.RecoSettings, options.Progression, options.Seed!.Value);
                checkpoint = owned = new FileScanCheckpoint(cache, identity, _logger);
            }
        }

        using var dispose = owned;
        var seed = options.Seed ?? NewSeed();
        var context = options.ToRecoContext(seed);
        var scanId = options.ScanId ?? NewScanId();
        var header = options.IsRealEvent is { } real ? evt.Header with { IsRealEvent = real } : evt.Header;
        if (header.IsRealEvent && (header.RunId < 100_000 || header.RunId >= 1_000_000))
        {
            throw new ArgumentException($"a real event needs 1e5 ≤ run_id < 1e6 (the result format requires it), got run_id {header.RunId}");
        }

        var prepared = _reco.Prepare(evt, context);
        var state = new ScanState(this, options, checkpoint, evt, prepared, header, scanId, seed, context);
        _logger.LogInformation(
            "Scan {ScanId}: event {Run}/{Event} ({Type}), reco {Reco} ({Variations} variations), nsides \"{Nsides}\", pst {Pst}, seed {Seed}, transport {Transport}",
            scanId, header.RunId, header.EventId, header.EventType, _reco.Name, _reco.VertexVariations.Count, options.Progression,
            options.PredictiveScanningThreshold, seed, _dispatcher.Name);
        return await state.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class ScanState
    {
        private readonly ScanEngine _e;
        private readonly ScanOptions _options;
        private readonly IScanCheckpoint? _checkpoint;
        private readonly SkymapEvent _event;
        private readonly PreparedEvent _prepared;
        private readonly EventHeader _header;
        private readonly string _scanId;
        private readonly ulong _seed;
        private readonly RecoContext _context;
        private readonly int _m;
        private readonly NSideProgression _progression;
        private readonly Refiner _refiner;
        private readonly ThresholdTracker _thresholds;
        private readonly ScanManifestBuilder _manifest;
        private readonly NSidesDict _finished = new();
        private readonly HashSet<PixelVariationId> _collected = new();
        private readonly Dictionary<PixelVariationId, PixelVariation> _outstanding = new();
        private readonly Dictionary<PixelVariationId, int> _failures = new();
        private readonly Dictionary<SkyPixel, RecoPixelVariation?[]> _partial = new();
        private readonly Dictionary<int, long> _sentByNside = new();
        private readonly Dictionary<int, long> _doneByNside = new();
        private readonly Dictionary<int, long> _failedByNside = new();
        private readonly Dictionary<int, long> _retriedByNside = new();
        private readonly HashSet<int> _firstResultReported = new();
        private readonly Queue<RecoPixelVariation> _replayed = new();
        private readonly Dictionary<PixelVariationId, RecoPixelVariation> _checkpointed = new();
        private long _duplicates;
        private DateTimeOffset _lastProgress;
        private DateTimeOffset _lastResult;

        public ScanState(
            ScanEngine e, ScanOptions options, IScanCheckpoint? checkpoint, SkymapEvent evt, PreparedEvent prepared, EventHeader header,
            string scanId, ulong seed, RecoContext context)
        {
            _e = e;
            _options = options;
            _checkpoint = checkpoint;
            _event = evt;
            _prepared = prepared;
            _header = header;
            _scanId = scanId;
            _seed = seed;
            _context = context;
            _m = e._reco.VertexVariations.Count;
            _progression = options.Progression;
            _refiner = new Refiner(scanId, e._reco, _progression, prepared, header.Mjd, seed, options.NeighbourRefine2dllh, options.Region);
            _thresholds = new ThresholdTracker(options.PredictiveScanningThreshold, _progression.MaxNside);
            _manifest = new ScanManifestBuilder(e._time);
            _lastProgress = _lastResult = e._time.GetUtcNow();
        }

        private ILogger Log => _e._logger;

        public async Task<ScanOutcome> RunAsync(CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            await ReportProgressAsync("The Skymap Scanner has started up.", "", false, ct).ConfigureAwait(false);
            var startup = new ScanStartup
            {
                ScanId = _scanId,
                Reco = _e._reco,
                RecoContext = _context,
                Event = _event,
                Prepared = _prepared,
                Progression = _progression,
                Created = _e._time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
                StartupDirectory = _options.StartupDirectory,
                TaskTimeout = _options.TaskTimeout,
                MaxAttempts = _options.MaxPixvarFailures,
                RecoAssemblies = RecoPluginLoader.ReferencesOf(_e._reco),
            };

            if (_checkpoint is { } cp)
            {
                foreach (var v in await cp.LoadAsync(ct).ConfigureAwait(false))
                {
                    _checkpointed[v.Id] = v;
                }

                if (_checkpointed.Count > 0)
                {
                    Log.LogInformation("Resuming scan {ScanId}: {Count} pixel variations restored from the checkpoint", _scanId, _checkpointed.Count);
                }
            }

            await _e._dispatcher.StartAsync(startup, ct).ConfigureAwait(false);
            string? error = null;
            try
            {
                error = await RoundLoopAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Log.LogWarning("Scan {ScanId} cancelled; reporting the partial result", _scanId);
                await ReportResultAsync(false, CancellationToken.None).ConfigureAwait(false);
                throw;
            }
            finally
            {
                await _e._dispatcher.CompleteAsync(CancellationToken.None).ConfigureAwait(false);
            }

            var done = error is null;
            _manifest.End = _e._time.GetUtcNow();
            var result = await ReportResultAsync(done, ct).ConfigureAwait(false);
            await ReportProgressAsync(
                done ? "The Skymap Scanner has finished." : $"The Skymap Scanner has failed: {error}", "", done, ct).ConfigureAwait(false);
            return new ScanOutcome(_scanId, _seed, done ? ScanStatus.Completed : ScanStatus.Failed, result, Tallies(), error, clock.Elapsed);
        }

        private async Task<string?> RoundLoopAsync(CancellationToken ct)
        {
            int? maxThresholded = null;
            var collectedAllSent = false;
            while (true)
            {
                var round = _refiner.NextRound(maxThresholded, _finished, Now());
                if (round.Pixels.Count == 0 && collectedAllSent)
                {
                    Log.LogInformation("Scan {ScanId} done: {Pixels} pixels finished", _scanId, _finished.Count);
                    return null;
                }

                var sent = await SendRoundAsync(round, ct).ConfigureAwait(false);
                await ReportProgressAsync(
                    sent > 0 ? $"The Skymap Scanner has sent out {sent} pixels and is waiting to receive recos." : "The Skymap Scanner is waiting to receive recos.",
                    _collected.Count == 0 ? "I will report back when I start getting recos." : "",
                    false, ct).ConfigureAwait(false);
                if (_collected.Count > 0)
                {
                    await ReportResultAsync(false, ct).ConfigureAwait(false);
                }

                // Collect until an nside is newly thresholded (or everything sent has come back).
                while (true)
                {
                    if (_replayed.TryDequeue(out var restored))
                    {
                        await CollectAsync(restored, ct).ConfigureAwait(false);
                    }
                    else if (_outstanding.Count == 0)
                    {
                        // Nothing in flight: force a new round.
                        collectedAllSent = true;
                        break;
                    }
                    else
                    {
                        var reply = await _e._dispatcher.ReceiveAsync(_options.ServerSilenceTimeout, ct).ConfigureAwait(false);
                        if (reply is null)
                        {
                            var msg = $"no result arrived for {_options.ServerSilenceTimeout.TotalSeconds:0} s (server silence timeout); {_outstanding.Count} pixel variations outstanding";
                            Log.LogError("Scan {ScanId} failed: {Error}", _scanId, msg);
                            return msg;
                        }

                        // Settled only once processed: collected (and checkpointed), dropped, or resent as a retry.
                        var collected = await HandleReplyAsync(reply, ct).ConfigureAwait(false);
                        if (collected is not null)
                        {
                            await CollectAsync(collected, ct).ConfigureAwait(false);
                        }

                        await _e._dispatcher.AcknowledgeAsync(reply, ct).ConfigureAwait(false);
                        if (collected is null)
                        {
                            continue;
                        }
                    }

                    var newly = _thresholds.Evaluate(ThresholdState(), _m);
                    if (newly is { } n)
                    {
                        maxThresholded = maxThresholded is { } old ? Math.Max(old, n) : n;
                        collectedAllSent = _outstanding.Count == 0 && _replayed.Count == 0;
                        break;
                    }
                }
            }
        }

        private IEnumerable<(int, long, long)> ThresholdState() =>
            _sentByNside.Select(kv => (kv.Key, (long)_finished[kv.Key].Count, kv.Value));

        private double Now() => _e._time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;

        private async Task<int> SendRoundAsync(RefinementRound round, CancellationToken ct)
        {
            if (round.Pixels.Count == 0)
            {
                return 0;
            }

            foreach (var px in round.Pixels)
            {
                _partial[px] = new RecoPixelVariation?[_m];
            }

            var requests = new List<PixelVariation>(round.Variations.Count);
            foreach (var v in round.Variations)
            {
                _sentByNside[v.Nside] = _sentByNside.GetValueOrDefault(v.Nside) + 1;
                if (_checkpointed.Remove(v.Id, out var restored))
                {
                    _replayed.Enqueue(restored);
                    continue;
                }

                _outstanding[v.Id] = v;
                requests.Add(v);
            }

            _manifest.RecoStart ??= _e._time.GetUtcNow();
            if (requests.Count > 0)
            {
                await _e._dispatcher.SendAsync(requests, ct).ConfigureAwait(false);
            }

            Log.LogInformation("Scan {ScanId}: sent {Tasks} pixel variations ({Pixels} pixels) at nsides {Nsides}", _scanId,
                requests.Count, round.Pixels.Count, string.Join(",", round.Pixels.Select(p => p.Nside).Distinct()));
            return round.Pixels.Count * _m;
        }

        /// <summary>Turns a reply into a collected variation, a retry, or nothing (duplicate, unknown, stale).</summary>
        private async Task<RecoPixelVariation?> HandleReplyAsync(RecoPixelVariation reply, CancellationToken ct)
        {
            var id = reply.Id;
            if (!string.Equals(reply.ScanId, _scanId, StringComparison.Ordinal))
            {
                _duplicates++;
                Log.LogWarning("Dropped a reply for another scan ({Other}) for {Id}", reply.ScanId, id);
                return null;
            }

            if (_collected.Contains(id))
            {
                _duplicates++;
                Log.LogDebug("Dropped a duplicate reply for {Id} (attempt {Attempt})", id, reply.Attempt);
                return null;
            }

            if (!_outstanding.TryGetValue(id, out var task))
            {
                _duplicates++;
                Log.LogWarning("Dropped a reply for {Id}, which was never sent", id);
                return null;
            }

            _manifest.RecordRoundTrip(DateTimeOffset.FromUnixTimeMilliseconds((long)(task.SentTime * 1000)), reply.RuntimeSeconds, id.Nside,
                _collected.Count + 1, Tallies().PredictedTotal(false));
            if (reply.Status == PixelVariationStatus.Ok)
            {
                return reply;
            }

            if (reply.Status != PixelVariationStatus.DeadLettered && reply.Attempt != task.Attempt)
            {
                // A stale failure of an attempt already retried (e.g. a redelivered FAILED reply).
                _duplicates++;
                return null;
            }

            var failures = _failures.GetValueOrDefault(id) + 1;
            _failures[id] = failures;
            if (reply.Status == PixelVariationStatus.DeadLettered || failures >= _options.MaxPixvarFailures)
            {
                Log.LogWarning("Pixel variation {Id} failed for good after {Failures} failure(s): {Status} {Error}", id, failures, reply.Status, reply.Error);
                _failedByNside[id.Nside] = _failedByNside.GetValueOrDefault(id.Nside) + 1;
                return reply.AsFinalFailure();
            }

            Log.LogInformation("Pixel variation {Id} attempt {Attempt} {Status} ({Error}); retrying", id, reply.Attempt, reply.Status, reply.Error);
            var retry = task with { Attempt = task.Attempt + 1, SentTime = Now() };
            _outstanding[id] = retry;
            _retriedByNside[id.Nside] = _retriedByNside.GetValueOrDefault(id.Nside) + 1;
            await _e._dispatcher.SendAsync([retry], ct).ConfigureAwait(false);
            return null;
        }

        private async Task CollectAsync(RecoPixelVariation v, CancellationToken ct)
        {
            var id = v.Id;
            _outstanding.Remove(id);
            _collected.Add(id);
            _doneByNside[id.Nside] = _doneByNside.GetValueOrDefault(id.Nside) + 1;
            if (_checkpoint is { } cp)
            {
                await cp.AppendAsync(v, ct).ConfigureAwait(false);
            }

            var px = new SkyPixel(id.Nside, id.PixelId);
            var slots = _partial[px];
            slots[id.PosvarId] = v;
            if (slots.All(s => s is not null))
            {
                _finished.Add(RecoPixelFinal.FromVariations(slots.Select(s => s!).ToArray()));
                _partial.Remove(px);
            }

            var tallies = Tallies();
            foreach (var o in _e._observers)
            {
                o.OnCollected(tallies);
            }

            var now = _e._time.GetUtcNow();
            if (_firstResultReported.Add(id.Nside))
            {
                await ReportProgressAsync("The Skymap Scanner is busy scanning pixels.", "", false, ct).ConfigureAwait(false);
                await ReportResultAsync(false, ct).ConfigureAwait(false);
                return;
            }

            if (now - _lastProgress > _options.ProgressInterval)
            {
                await ReportProgressAsync(
                    "The Skymap Scanner is busy scanning pixels.",
                    $"I will report back again in {_options.ProgressInterval.TotalSeconds:0} seconds if I have an update.", false, ct).ConfigureAwait(false);
            }

            if (now - _lastResult > _options.ResultInterval)
            {
                await ReportResultAsync(false, ct).ConfigureAwait(false);
            }
        }

        private ScanTallies Tallies()
        {
            var list = new List<NsideTally>();
            for (var i = 0; i < _progression.Count; i++)
            {
                var n = _progression.Steps[i].Nside;
                list.Add(new NsideTally(
                    n, _doneByNside.GetValueOrDefault(n), _sentByNside.GetValueOrDefault(n), _progression.EstimatedRecos(i, _m),
                    _failedByNside.GetValueOrDefault(n), _retriedByNside.GetValueOrDefault(n), _finished[n].Count));
            }

            return new ScanTallies(list, _m, _duplicates);
        }

        private async Task ReportProgressAsync(string summary, string epilogue, bool done, CancellationToken ct)
        {
            _lastProgress = _e._time.GetUtcNow();
            if (_e._observers.Count == 0)
            {
                return;
            }

            var tallies = Tallies();
            var manifest = _manifest.Build(summary, epilogue, tallies, _header, _scanId, _progression, _options.PredictiveScanningThreshold, _seed, done);
            var report = new ScanProgressReport(manifest, tallies, summary);
            foreach (var o in _e._observers)
            {
                await o.OnProgressAsync(report, ct).ConfigureAwait(false);
            }
        }

        private async Task<ScanResultSnapshot> ReportResultAsync(bool complete, CancellationToken ct)
        {
            _lastResult = _e._time.GetUtcNow();
            var pixels = new SortedDictionary<int, IReadOnlyList<RecoPixelFinal>>();
            foreach (var n in _finished.Nsides)
            {
                pixels[n] = _finished[n].Values.OrderBy(p => p.PixelId).ToArray();
            }

            var snapshot = new ScanResultSnapshot(_header, _progression, pixels, complete);
            if (!snapshot.IsEmpty)
            {
                foreach (var o in _e._observers)
                {
                    await o.OnResultAsync(snapshot, ct).ConfigureAwait(false);
                }
            }

            return snapshot;
        }
    }
}
