using Skymap.Core.Pixels;
using Skymap.Core.Recos;

namespace Skymap.Core.Scanning;

/// <summary>One unit of work sent to a worker: a pixel variation with direction and seeds (wire: <c>skymap.v1.PixelTask</c>).</summary>
public sealed record PixelTask
{
    /// <summary>The scan this task belongs to.</summary>
    public required string ScanId { get; init; }

    /// <summary>HEALPix nside.</summary>
    public required int Nside { get; init; }

    /// <summary>RING pixel id.</summary>
    public required long PixelId { get; init; }

    /// <summary>Position variation index.</summary>
    public required int PosvarId { get; init; }

    /// <summary>Reco name.</summary>
    public required string RecoAlgo { get; init; }

    /// <summary>Local direction, fixed during the fit.</summary>
    public required LocalDirection Direction { get; init; }

    /// <summary>J2000 right ascension of the pixel centre [rad] (for logs).</summary>
    public required double Ra { get; init; }

    /// <summary>J2000 declination of the pixel centre [rad] (for logs).</summary>
    public required double Dec { get; init; }

    /// <summary>The main seed.</summary>
    public required RecoSeed Seed { get; init; }

    /// <summary>The optional fallback-position seed.</summary>
    public RecoSeed? FallbackSeed { get; init; }

    /// <summary>1-based attempt number.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Epoch seconds when sent.</summary>
    public double SentTime { get; init; }

    /// <summary>SHA-256 (hex) of the startup document the worker must hold; empty for in-process scans.</summary>
    public string StartupSha256 { get; init; } = "";

    /// <summary>The identity (nside, pixel, posvar).</summary>
    public PixelVariationId Id => new(Nside, PixelId, PosvarId);

    /// <summary>The fit request a reco worker receives for this task.</summary>
    public RecoFitRequest ToFitRequest() => new()
    {
        Nside = Nside,
        PixelId = PixelId,
        PosvarId = PosvarId,
        Attempt = Attempt,
        Direction = Direction,
        Seed = Seed,
        FallbackSeed = FallbackSeed,
    };
}

/// <summary>Outcome of one attempt at a pixel task.</summary>
public enum PixelTaskStatus
{
    /// <summary>The fit finished.</summary>
    Ok = 0,

    /// <summary>The fit threw or the worker reported an error; the server may retry.</summary>
    Failed = 1,

    /// <summary>The fit ran past the task timeout; the server may retry.</summary>
    Timeout = 2,

    /// <summary>The task was dead-lettered by the broker (delivery limit reached): a final failure, never retried.</summary>
    DeadLettered = 3,
}

/// <summary>A worker's reply for one task attempt (wire: <c>skymap.v1.PixelResult</c>).</summary>
public sealed record PixelTaskResult
{
    /// <summary>The scan this reply belongs to.</summary>
    public required string ScanId { get; init; }

    /// <summary>HEALPix nside.</summary>
    public required int Nside { get; init; }

    /// <summary>RING pixel id.</summary>
    public required long PixelId { get; init; }

    /// <summary>Position variation index.</summary>
    public required int PosvarId { get; init; }

    /// <summary>Status of the attempt.</summary>
    public required PixelTaskStatus Status { get; init; }

    /// <summary>The fit (meaningful when <see cref="Status"/> is <see cref="PixelTaskStatus.Ok"/>).</summary>
    public RecoFitResult Fit { get; init; }

    /// <summary>Seconds the worker spent on the fit.</summary>
    public double RuntimeSeconds { get; init; }

    /// <summary>Worker identity <c>host:pid:index</c>.</summary>
    public string WorkerId { get; init; } = "";

    /// <summary>The attempt this reply answers.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Failure reason for FAILED/TIMEOUT/dead-lettered replies.</summary>
    public string Error { get; init; } = "";

    /// <summary>The identity (nside, pixel, posvar).</summary>
    public PixelVariationId Id => new(Nside, PixelId, PosvarId);

    /// <summary>The reply for a task whose fit succeeded.</summary>
    public static PixelTaskResult Success(PixelTask task, RecoFitResult fit, double runtimeSeconds, string workerId) => new()
    {
        ScanId = task.ScanId,
        Nside = task.Nside,
        PixelId = task.PixelId,
        PosvarId = task.PosvarId,
        Status = PixelTaskStatus.Ok,
        Fit = fit,
        RuntimeSeconds = runtimeSeconds,
        WorkerId = workerId,
        Attempt = task.Attempt,
    };

    /// <summary>The reply for a task that failed, timed out or was dead-lettered.</summary>
    public static PixelTaskResult Failure(PixelTask task, PixelTaskStatus status, string error, double runtimeSeconds, string workerId) => new()
    {
        ScanId = task.ScanId,
        Nside = task.Nside,
        PixelId = task.PixelId,
        PosvarId = task.PosvarId,
        Status = status,
        Fit = new RecoFitResult(double.NaN, double.NaN, double.NaN, new Geometry.Vector3D(double.NaN, double.NaN, double.NaN), double.NaN, double.NaN),
        RuntimeSeconds = runtimeSeconds,
        WorkerId = workerId,
        Attempt = task.Attempt,
        Error = error,
    };

    /// <summary>The reco pixel variation this reply carries.</summary>
    public RecoPixelVariation ToRecoPixelVariation() => Status == PixelTaskStatus.Ok
        ? new RecoPixelVariation(Nside, PixelId, PosvarId, Fit.Llh, Fit.RecoLossesInside, Fit.RecoLossesTotal, Fit.Position, Fit.Time, Fit.Energy)
        : RecoPixelVariation.Failed(Id);
}
