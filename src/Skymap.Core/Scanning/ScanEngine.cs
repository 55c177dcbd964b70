using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Coordinates;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Randomness;
using Skymap.Core.Recos;
using Skymap.Core.Refinement;
using HealpixGrid = Skymap.Core.Healpix.Healpix;

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
        var seed = _options.Seed ?? NewSeed();
        var context = _options.ToRecoContext(seed);
        _reco.ValidateSettings(context);
        var scanId = _options.ScanId ?? NewScanId();
        var header = _options.IsRealEvent is { } real ? evt.Header with { IsRealEvent = real } : evt.Header;
        if (header.IsRealEvent && (header.RunId < 100_000 || header.RunId >= 1_000_000))
        {
            throw new ArgumentException($"a real event needs 1e5 ≤ run_id < 1e6 (the result format requires it), got run_id {header.RunId}");
        }

        var prepared = _reco.Prepare(evt, context);
        var state = new ScanState(this, evt, prepared, header, scanId, seed, context);
        _logger.LogInformation(
            "Scan {ScanId}: event {Run}/{Event} ({Type}), reco {Reco} ({Variations} variations), nsides \"{Nsides}\", pst {Pst}, seed {Seed}, transport {Transport}",
            scanId, header.RunId, header.EventId, header.EventType, _reco.Name, _reco.VertexVariations.Count, _options.Progression,
            _options.PredictiveScanningThreshold, seed, _dispatcher.Name);
        return await state.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    private sealed class ScanState
    {
        private readonly ScanEngine _e;
        private readonly SkymapEvent _event;
        private readonly PreparedEvent _prepared;
        private readonly EventHeader _header;
        private readonly string _scanId;
        private readonly ulong _seed;
        private readonly RecoContext _context;
        private readonly int _m;
        private readonly NSideProgression _progression;
        private readonly SeedFactory _seeds;
        private readonly ThresholdTracker _thresholds;
        private readonly ScanManifestBuilder _manifest;
        private readonly NSidesDict _finished = new();
        private readonly HashSet<SkyPixel> _sentPixels = new();
        private readonly HashSet<PixelVariationId> _collected = new();
        private readonly Dictionary<PixelVariationId, PixelTask> _outstanding = new();
        private readonly Dictionary<PixelVariationId, int> _failures = new();
        private readonly Dictionary<SkyPixel, RecoPixelVariation?[]> _partial = new();
        private readonly Dictionary<int, long> _sentByNside = new();
        private readonly Dictionary<int, long> _doneByNside = new();
        private readonly Dictionary<int, long> _failedByNside = new();
        private readonly Dictionary<int, long> _retriedByNside = new();
        private readonly HashSet<int> _firstResultReported = new();
        private readonly Queue<RecoPixelVariation> _replayed = new();
        private readonly Dictionary<PixelVariationId, RecoPixelVariation> _checkpointed = new();
        private SplitMix64 _shuffle;
        private long _duplicates;
        private DateTimeOffset _lastProgress;
        private DateTimeOffset _lastResult;

        public ScanState(ScanEngine e, SkymapEvent evt, PreparedEvent prepared, EventHeader header, string scanId, ulong seed, RecoContext context)
        {
            _e = e;
            _event = evt;
            _prepared = prepared;
            _header = header;
            _scanId = scanId;
            _seed = seed;
            _context = context;
            _m = e._reco.VertexVariations.Count;
            _progression = e._options.Progression;
            _seeds = new SeedFactory(prepared, _progression.MinNside, e._reco.VertexVariations, e._reco.Flags);
            _thresholds = new ThresholdTracker(e._options.PredictiveScanningThreshold, _progression.MaxNside);
            _manifest = new ScanManifestBuilder(e._time);
            _shuffle = new SplitMix64(seed);
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
                RecoAlgo = _e._reco.Name,
                RecoContext = _context,
                Event = _event,
                Prepared = _prepared,
                Variations = _e._reco.VertexVariations,
                Flags = _e._reco.Flags,
                Progression = _progression,
                Created = _e._time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
                StartupDirectory = _e._options.StartupDirectory,
                TaskTimeout = _e._options.TaskTimeout,
                RecoAssemblies = RecoPluginLoader.ReferencesOf(_e._reco),
            };

            if (_e._checkpoint is { } cp)
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
                var slice = PixelSelector.Slice(_progression, maxThresholded);
                var pixels = PixelSelector.NextPixels(slice, _finished, _sentPixels, _e._options.NeighbourRefine2dllh, _e._options.Region);
                if (pixels.Count == 0 && collectedAllSent)
                {
                    Log.LogInformation("Scan {ScanId} done: {Pixels} pixels finished", _scanId, _finished.Count);
                    return null;
                }

                var sent = await SendRoundAsync(pixels, ct).ConfigureAwait(false);
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
                    RecoPixelVariation? variation;
                    if (_replayed.TryDequeue(out var r))
                    {
                        variation = r;
                    }
                    else if (_outstanding.Count == 0)
                    {
                        // Nothing in flight: force a new round.
                        collectedAllSent = true;
                        break;
                    }
                    else
                    {
                        var reply = await _e._dispatcher.ReceiveAsync(_e._options.ServerSilenceTimeout, ct).ConfigureAwait(false);
                        if (reply is null)
                        {
                            var msg = $"no result arrived for {_e._options.ServerSilenceTimeout.TotalSeconds:0} s (server silence timeout); {_outstanding.Count} pixel variations outstanding";
                            Log.LogError("Scan {ScanId} failed: {Error}", _scanId, msg);
                            return msg;
                        }

                        variation = await HandleReplyAsync(reply, ct).ConfigureAwait(false);
                        if (variation is null)
                        {
                            continue;
                        }
                    }

                    await CollectAsync(variation.Value, ct).ConfigureAwait(false);
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

        private async Task<int> SendRoundAsync(IReadOnlyList<SkyPixel> pixels, CancellationToken ct)
        {
            if (pixels.Count == 0)
            {
                return 0;
            }

            // Fisher–Yates with the scan's SplitMix64 stream (SCANNER.md §6).
            var order = pixels.ToArray();
            for (var i = order.Length - 1; i >= 1; i--)
            {
                var j = (int)(_shuffle.Next() % (ulong)(i + 1));
                (order[i], order[j]) = (order[j], order[i]);
            }

            var now = _e._time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
            var tasks = new List<PixelTask>(order.Length * _m);
            foreach (var px in order)
            {
                _sentPixels.Add(px);
                var (theta, phi) = HealpixGrid.Pix2Ang(px.Nside, px.PixelId);
                var ra = phi;
                var dec = (Math.PI / 2.0) - theta;
                var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(ra, dec, _header.Mjd);
                var direction = new LocalDirection(zenith, azimuth);
                var inherited = _seeds.Inherited(px.Nside, theta, phi, _finished);
                _partial[px] = new RecoPixelVariation?[_m];
                for (var posvar = 0; posvar < _m; posvar++)
                {
                    var id = new PixelVariationId(px.Nside, px.PixelId, posvar);
                    _sentByNside[px.Nside] = _sentByNside.GetValueOrDefault(px.Nside) + 1;
                    if (_checkpointed.Remove(id, out var restored))
                    {
                        _replayed.Enqueue(restored);
                        continue;
                    }

                    var (main, fallback) = _seeds.ForVariation(inherited, posvar, direction);
                    var task = new PixelTask
                    {
                        ScanId = _scanId,
                        Nside = px.Nside,
                        PixelId = px.PixelId,
                        PosvarId = posvar,
                        RecoAlgo = _e._reco.Name,
                        Direction = direction,
                        Ra = ra,
                        Dec = dec,
                        Seed = main,
                        FallbackSeed = fallback,
                        Attempt = 1,
                        SentTime = now,
                    };
                    _outstanding[id] = task;
                    tasks.Add(task);
                }
            }

            _manifest.RecoStart ??= _e._time.GetUtcNow();
            if (tasks.Count > 0)
            {
                await _e._dispatcher.SendAsync(tasks, ct).ConfigureAwait(false);
            }

            Log.LogInformation("Scan {ScanId}: sent {Tasks} pixel variations ({Pixels} pixels) at nsides {Nsides}", _scanId,
                tasks.Count, pixels.Count, string.Join(",", pixels.Select(p => p.Nside).Distinct()));
            return pixels.Count * _m;
        }

        /// <summary>Turns a reply into a collected variation, a retry, or nothing (duplicate, unknown, stale).</summary>
        private async Task<RecoPixelVariation?> HandleReplyAsync(PixelTaskResult reply, CancellationToken ct)
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
            if (reply.Status == PixelTaskStatus.Ok)
            {
                return reply.ToRecoPixelVariation();
            }

            if (reply.Status != PixelTaskStatus.DeadLettered && reply.Attempt != task.Attempt)
            {
                // A stale failure of an attempt already retried (e.g. a redelivered FAILED reply).
                _duplicates++;
                return null;
            }

            var failures = _failures.GetValueOrDefault(id) + 1;
            _failures[id] = failures;
            if (reply.Status == PixelTaskStatus.DeadLettered || failures >= _e._options.MaxPixvarFailures)
            {
                Log.LogWarning("Pixel variation {Id} failed for good after {Failures} failure(s): {Status} {Error}", id, failures, reply.Status, reply.Error);
                _failedByNside[id.Nside] = _failedByNside.GetValueOrDefault(id.Nside) + 1;
                return RecoPixelVariation.Failed(id);
            }

            Log.LogInformation("Pixel variation {Id} attempt {Attempt} {Status} ({Error}); retrying", id, reply.Attempt, reply.Status, reply.Error);
            var retry = task with { Attempt = task.Attempt + 1, SentTime = _e._time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0 };
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
            if (_e._checkpoint is { } cp)
            {
                await cp.AppendAsync(v, ct).ConfigureAwait(false);
            }

            var px = new SkyPixel(id.Nside, id.PixelId);
            var slots = _partial[px];
            slots[id.PosvarId] = v;
            if (slots.All(s => s is not null))
            {
                _finished.Add(RecoPixelFinal.FromVariations(slots.Select(s => s!.Value).ToArray()));
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

            if (now - _lastProgress > _e._options.ProgressInterval)
            {
                await ReportProgressAsync(
                    "The Skymap Scanner is busy scanning pixels.",
                    $"I will report back again in {_e._options.ProgressInterval.TotalSeconds:0} seconds if I have an update.", false, ct).ConfigureAwait(false);
            }

            if (now - _lastResult > _e._options.ResultInterval)
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
            var manifest = _manifest.Build(summary, epilogue, tallies, _header, _scanId, _progression, _e._options.PredictiveScanningThreshold, _seed, done);
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
