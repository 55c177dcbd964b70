using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;

namespace Skymap.Core.Scanning;

/// <summary>
/// The worker side of one scan, the same for every transport (in-process, processes, RabbitMQ, a third party's):
/// the event prepared once, the checks every request must pass (scan id, reco, startup digest), and the fit of a
/// <see cref="PixelVariation"/> on a reco worker under the task timeout, answered with a <see cref="RecoPixelVariation"/>.
/// An exception of the reco becomes a <see cref="PixelVariationStatus.Failed"/> reply naming it, a fit that honours its
/// token past the task timeout a <see cref="PixelVariationStatus.Timeout"/> reply; nothing a reco throws reaches the
/// transport.
/// </summary>
public sealed class ScanWorkerHost
{
    private readonly ILogger _logger;

    private ScanWorkerHost(
        IRecoAlgorithm reco, string scanId, RecoContext context, PreparedEvent prepared, TimeSpan taskTimeout, string startupSha256, ILogger logger)
    {
        Reco = reco;
        ScanId = scanId;
        Context = context;
        Prepared = prepared;
        TaskTimeout = taskTimeout;
        StartupSha256 = startupSha256;
        _logger = logger;
    }

    /// <summary>The reco.</summary>
    public IRecoAlgorithm Reco { get; }

    /// <summary>The scan id.</summary>
    public string ScanId { get; }

    /// <summary>Reco settings and scan seed.</summary>
    public RecoContext Context { get; }

    /// <summary>The event as prepared for this host's reco workers.</summary>
    public PreparedEvent Prepared { get; }

    /// <summary>The per-attempt task timeout.</summary>
    public TimeSpan TaskTimeout { get; }

    /// <summary>Lower-case hex SHA-256 of the startup document every request must name; empty in process.</summary>
    public string StartupSha256 { get; }

    /// <summary>
    /// The host of an in-process transport: the reco given once, in <see cref="ScanStartup.Reco"/>, and the event the
    /// server prepared; requests carry no startup digest.
    /// </summary>
    public static ScanWorkerHost ForStartup(ScanStartup startup, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(startup);
        return new ScanWorkerHost(startup.Reco, startup.ScanId, startup.RecoContext, startup.Prepared, startup.TaskTimeout, "", logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// The host of a worker in another process, set up from a startup document: validates the settings, prepares the
    /// event again (deterministically) and warns when the prepared seed differs from the server's.
    /// </summary>
    /// <param name="reco">The reco named by the startup document, resolved in this worker.</param>
    /// <param name="scanId">The scan id.</param>
    /// <param name="context">Reco settings and scan seed.</param>
    /// <param name="evt">The event.</param>
    /// <param name="taskTimeout">The per-attempt task timeout.</param>
    /// <param name="startupSha256">SHA-256 of the startup document (requests must name it).</param>
    /// <param name="serverSeed">The server's prepared seed vertex and time, to detect version skew; null skips the check.</param>
    /// <param name="logger">Logger.</param>
    /// <exception cref="ArgumentException">The settings are invalid for the reco.</exception>
    public static ScanWorkerHost Prepare(
        IRecoAlgorithm reco, string scanId, RecoContext context, SkymapEvent evt, TimeSpan taskTimeout, string startupSha256,
        (Vector3D Vertex, double Time)? serverSeed = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(reco);
        ArgumentNullException.ThrowIfNull(scanId);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(startupSha256);
        logger ??= NullLogger.Instance;
        reco.ValidateSettings(context);
        var prepared = reco.Prepare(evt, context);
        if (serverSeed is { } s && (prepared.SeedVertex != s.Vertex || !prepared.SeedTime.Equals(s.Time)))
        {
            logger.LogWarning(
                "Prepared seed differs from the server's: server {ServerVertex} t={ServerTime}, worker {WorkerVertex} t={WorkerTime} (server/worker version skew?)",
                s.Vertex, s.Time, prepared.SeedVertex, prepared.SeedTime);
        }

        logger.LogInformation(
            "Scan {ScanId}: reco {Reco}, startup sha256 {Sha}, task timeout {Timeout} s", scanId, reco.Name, startupSha256, taskTimeout.TotalSeconds);
        return new ScanWorkerHost(reco, scanId, context, prepared, taskTimeout, startupSha256, logger);
    }

    /// <summary>The id of worker slot <paramref name="index"/> of this process: <c>host:pid:index</c> (SCANNER.md §9).</summary>
    public static string WorkerId(int index) => $"{Environment.MachineName}:{Environment.ProcessId}:{index}";

    /// <summary>Creates one reco worker (one per concurrent slot; a reco worker fits one variation at a time).</summary>
    public IRecoWorker CreateWorker() => Reco.CreateWorker(Prepared, Context);

    /// <summary>
    /// Answers one request: a request for another scan, reco or startup document is answered
    /// <see cref="PixelVariationStatus.Failed"/> naming the mismatch; otherwise the reco worker fits it under the task timeout.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the scan or worker stops).</exception>
    public RecoPixelVariation Run(IRecoWorker worker, PixelVariation request, string workerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return RunBatch(worker, [request], workerId, cancellationToken)[0];
    }

    /// <summary>
    /// How many requests a transport should hand <paramref name="worker"/> per call of <see cref="RunBatch"/>: the
    /// <see cref="IBatchRecoWorker.PreferredBatchSize"/> of a batch-capable worker (e.g. a GPU worker fitting in lockstep),
    /// else 1. A transport gathers up to this many requests that are already at hand (it never waits to fill a batch).
    /// </summary>
    public static int BatchSize(IRecoWorker worker)
    {
        ArgumentNullException.ThrowIfNull(worker);
        return worker is IBatchRecoWorker batch ? Math.Max(1, batch.PreferredBatchSize) : 1;
    }

    /// <summary>
    /// Answers several requests at once: each is checked as by <see cref="Run"/>; those that belong to this scan are fitted
    /// in one <see cref="IBatchRecoWorker.FitBatch"/> call when the worker is batch-capable (else one after another, each
    /// under its own timeout). Reply i answers request i. A request the reco fails alone gets its own
    /// <see cref="PixelVariationStatus.Failed"/> reply; a batch that runs past the task timeout is answered
    /// <see cref="PixelVariationStatus.Timeout"/> for every request of it (the timeout is per attempt, and a batch is one
    /// attempt of each of its requests).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the scan or worker stops).</exception>
    public IReadOnlyList<RecoPixelVariation> RunBatch(IRecoWorker worker, IReadOnlyList<PixelVariation> requests, string workerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(requests);
        var replies = new RecoPixelVariation[requests.Count];
        var accepted = new List<PixelVariation>(requests.Count);
        var slots = new List<int>(requests.Count);
        for (var i = 0; i < requests.Count; i++)
        {
            var request = requests[i] ?? throw new ArgumentNullException(nameof(requests), "a request is null");
            if (Check(request) is { } mismatch)
            {
                _logger.LogError("Request {Id} attempt {Attempt} refused: {Reason}", request.Id, request.Attempt, mismatch);
                replies[i] = RecoPixelVariation.Failure(request, PixelVariationStatus.Failed, mismatch, 0, workerId);
            }
            else
            {
                accepted.Add(request);
                slots.Add(i);
            }
        }

        if (worker is IBatchRecoWorker batch && accepted.Count > 1)
        {
            var fitted = Fit(accepted, ct => batch.FitBatch(accepted, ct), workerId, cancellationToken);
            for (var k = 0; k < fitted.Length; k++)
            {
                replies[slots[k]] = fitted[k];
            }
        }
        else
        {
            for (var k = 0; k < accepted.Count; k++)
            {
                var request = accepted[k];
                replies[slots[k]] = Fit([request], ct => [new RecoBatchItem(worker.Fit(request, ct), null)], workerId, cancellationToken)[0];
            }
        }

        return replies;
    }

    /// <summary>Null when the request belongs to this host's scan, else the reason it does not.</summary>
    public string? Check(PixelVariation request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!string.Equals(request.ScanId, ScanId, StringComparison.Ordinal))
        {
            return $"task is for scan '{request.ScanId}' but this worker serves scan '{ScanId}'";
        }

        if (!string.Equals(request.RecoAlgo, Reco.Name, StringComparison.Ordinal))
        {
            return $"task asks for reco '{request.RecoAlgo}' but the startup document names '{Reco.Name}'";
        }

        if (!string.Equals(request.StartupSha256, StartupSha256, StringComparison.OrdinalIgnoreCase))
        {
            return $"startup_sha256 mismatch: task expects {request.StartupSha256}, this worker holds {StartupSha256}";
        }

        return null;
    }

    /// <summary>
    /// Fits one attempt of <paramref name="requests"/> (one call of <paramref name="fit"/>) under the task timeout: reply k
    /// answers request k; an exception of the fit, or the timeout, answers every request of the call.
    /// </summary>
    private RecoPixelVariation[] Fit(
        IReadOnlyList<PixelVariation> requests, Func<CancellationToken, IReadOnlyList<RecoBatchItem>> fit, string workerId, CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(TaskTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var sw = Stopwatch.StartNew();
        var replies = new RecoPixelVariation[requests.Count];
        string? error = null;
        var status = PixelVariationStatus.Failed;
        try
        {
            var items = fit(linked.Token);
            if (items.Count != requests.Count)
            {
                error = $"the reco worker returned {items.Count} results for {requests.Count} requests";
            }
            else
            {
                for (var k = 0; k < requests.Count; k++)
                {
                    replies[k] = items[k] switch
                    {
                        { Error: { } e } => RecoPixelVariation.Failure(
                            requests[k], PixelVariationStatus.Failed, $"{e.GetType().Name}: {e.Message}", sw.Elapsed.TotalSeconds, workerId),
                        { Result: { } result } => RecoPixelVariation.Success(requests[k], result, sw.Elapsed.TotalSeconds, workerId),
                        _ => RecoPixelVariation.Failure(
                            requests[k], PixelVariationStatus.Failed, "the batch gave neither a result nor an error", sw.Elapsed.TotalSeconds, workerId),
                    };
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            status = PixelVariationStatus.Timeout;
            error = $"task timeout after {TaskTimeout.TotalSeconds:0.###} s" + (requests.Count > 1 ? $" (batch of {requests.Count})" : "");
        }
#pragma warning disable CA1031 // A reco failure of any kind is reported as FAILED replies, never thrown at the transport.
        catch (Exception e)
#pragma warning restore CA1031
        {
            error = $"{e.GetType().Name}: {e.Message}";
        }

        for (var k = 0; k < requests.Count; k++)
        {
            if (error is not null)
            {
                replies[k] = RecoPixelVariation.Failure(requests[k], status, error, sw.Elapsed.TotalSeconds, workerId);
            }

            if (replies[k].Status != PixelVariationStatus.Ok)
            {
                _logger.LogWarning("Request {Id} attempt {Attempt}: {Status} {Error}", requests[k].Id, requests[k].Attempt, replies[k].Status, replies[k].Error);
            }
        }

        return replies;
    }
}
