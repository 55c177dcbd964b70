using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Events;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.Startup;

namespace Skymap.Transport.Workers;

/// <summary>
/// A worker's side of one scan, built from the startup document: the reco resolved by name, the event prepared again
/// (deterministically), and the checks every task must pass before it is fitted (scan id, reco, startup SHA-256).
/// Shared by every transport's worker loop.
/// </summary>
public sealed class WorkerScan
{
    private readonly ILogger _logger;

    private WorkerScan(StartupDocument startup, IRecoAlgorithm reco, PreparedEvent prepared, ILogger logger)
    {
        Startup = startup;
        Reco = reco;
        Prepared = prepared;
        _logger = logger;
    }

    /// <summary>The startup document.</summary>
    public StartupDocument Startup { get; }

    /// <summary>The reco.</summary>
    public IRecoAlgorithm Reco { get; }

    /// <summary>The event as prepared by this worker.</summary>
    public PreparedEvent Prepared { get; }

    /// <summary>The scan id.</summary>
    public string ScanId => Startup.ScanId;

    /// <summary>The per-attempt task timeout (from the startup document).</summary>
    public TimeSpan TaskTimeout => Startup.TaskTimeout;

    /// <summary>Resolves the reco of a startup document and prepares its event.</summary>
    /// <exception cref="UnknownRecoException">The reco is not registered in this worker.</exception>
    /// <exception cref="RecoPluginException">A plug-in assembly the document names is missing or differs from its SHA-256.</exception>
    public static WorkerScan Create(StartupDocument startup, RecoRegistry registry, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(startup);
        ArgumentNullException.ThrowIfNull(registry);
        logger ??= NullLogger.Instance;
        if (startup.RecoAssemblies.Count > 0)
        {
            registry = registry.WithAssemblyFiles(startup.RecoAssemblies);
        }
        var reco = registry.Get(startup.RecoAlgo);
        reco.ValidateSettings(startup.RecoContext);
        var prepared = reco.Prepare(startup.Event, startup.RecoContext);
        if (prepared.SeedVertex != startup.SeedVertex || !prepared.SeedTime.Equals(startup.SeedTime))
        {
            logger.LogWarning(
                "Prepared seed differs from the server's: server {ServerVertex} t={ServerTime}, worker {WorkerVertex} t={WorkerTime} (server/worker version skew?)",
                startup.SeedVertex, startup.SeedTime, prepared.SeedVertex, prepared.SeedTime);
        }

        logger.LogInformation(
            "Scan {ScanId}: reco {Reco}, startup sha256 {Sha}, task timeout {Timeout} s",
            startup.ScanId, startup.RecoAlgo, startup.Sha256, startup.TaskTimeout.TotalSeconds);
        return new WorkerScan(startup, reco, prepared, logger);
    }

    /// <summary>Creates one reco worker (one per concurrent task slot).</summary>
    public IRecoWorker CreateRecoWorker() => Reco.CreateWorker(Prepared, Startup.RecoContext);

    /// <summary>
    /// Runs one task on a reco worker: a task for another scan, reco or startup document is answered FAILED naming the
    /// mismatch; otherwise <see cref="PixelTaskRunner.Run"/> fits it under the task timeout.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public PixelTaskResult Run(IRecoWorker worker, PixelTask task, string workerId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(task);
        var mismatch = Check(task);
        if (mismatch is not null)
        {
            _logger.LogError("Task {Task} attempt {Attempt} refused: {Reason}", task.Id, task.Attempt, mismatch);
            return PixelTaskResult.Failure(task, PixelTaskStatus.Failed, mismatch, 0, workerId);
        }

        var result = PixelTaskRunner.Run(worker, task, workerId, TaskTimeout, cancellationToken);
        if (result.Status != PixelTaskStatus.Ok)
        {
            _logger.LogWarning("Task {Task} attempt {Attempt}: {Status} {Error}", task.Id, task.Attempt, result.Status, result.Error);
        }

        return result;
    }

    /// <summary>Null when the task belongs to this worker's scan, else the reason it does not.</summary>
    public string? Check(PixelTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!string.Equals(task.ScanId, ScanId, StringComparison.Ordinal))
        {
            return $"task is for scan '{task.ScanId}' but this worker serves scan '{ScanId}'";
        }

        if (!string.Equals(task.RecoAlgo, Startup.RecoAlgo, StringComparison.Ordinal))
        {
            return $"task asks for reco '{task.RecoAlgo}' but the startup document names '{Startup.RecoAlgo}'";
        }

        if (!string.Equals(task.StartupSha256, Startup.Sha256, StringComparison.OrdinalIgnoreCase))
        {
            return $"startup_sha256 mismatch: task expects {task.StartupSha256}, this worker holds {Startup.Sha256}";
        }

        return null;
    }
}

/// <summary>Worker identities: <c>host:pid:index</c> (SCANNER.md §9).</summary>
public static class WorkerIdentity
{
    /// <summary>The id of task slot <paramref name="index"/> of this process.</summary>
    public static string Create(int index) => $"{Environment.MachineName}:{Environment.ProcessId}:{index}";
}
