using Skymap.Core.Recos;

namespace Skymap.Core.Pixels;

/// <summary>The identity of one pixel variation: (nside, RING pixel, position variation).</summary>
/// <param name="Nside">HEALPix nside.</param>
/// <param name="PixelId">RING pixel id.</param>
/// <param name="PosvarId">Position-variation index 0..M−1.</param>
public readonly record struct PixelVariationId(int Nside, long PixelId, int PosvarId)
{
    /// <inheritdoc />
    public override string ToString() => $"{Nside}:{PixelId}:{PosvarId}";
}

/// <summary>A pixel chosen for scanning: (nside, RING pixel id).</summary>
/// <param name="Nside">HEALPix nside.</param>
/// <param name="PixelId">RING pixel id.</param>
internal readonly record struct SkyPixel(int Nside, long PixelId) : IComparable<SkyPixel>
{
    /// <inheritdoc />
    public int CompareTo(SkyPixel other) => Nside != other.Nside ? Nside.CompareTo(other.Nside) : PixelId.CompareTo(other.PixelId);
}

/// <summary>
/// The one request type of a scan (upstream <c>SentPixelVariation</c>): a pixel variation with its fixed direction and
/// seeds, as the refiner builds it, the engine sends it, every transport carries it (in-process, processes, RabbitMQ;
/// wire message <c>PixelTask</c>), the worker host checks it and the reco's <see cref="IRecoWorker.Fit"/> receives it.
/// Its answer is a <see cref="RecoPixelVariation"/>.
/// </summary>
public sealed record PixelVariation
{
    /// <summary>The scan this variation belongs to (empty outside a scan, e.g. a reco's unit test).</summary>
    public string ScanId { get; init; } = "";

    /// <summary>The identity (nside, pixel, posvar).</summary>
    public required PixelVariationId Id { get; init; }

    /// <summary>HEALPix nside.</summary>
    public int Nside => Id.Nside;

    /// <summary>RING pixel id.</summary>
    public long PixelId => Id.PixelId;

    /// <summary>Position-variation index.</summary>
    public int PosvarId => Id.PosvarId;

    /// <summary>Reco name (empty outside a scan).</summary>
    public string RecoAlgo { get; init; } = "";

    /// <summary>Local direction, fixed during the fit.</summary>
    public required LocalDirection Direction { get; init; }

    /// <summary>J2000 right ascension of the pixel centre [rad] (for logs).</summary>
    public double Ra { get; init; }

    /// <summary>J2000 declination of the pixel centre [rad] (for logs).</summary>
    public double Dec { get; init; }

    /// <summary>The main seed.</summary>
    public required RecoSeed Seed { get; init; }

    /// <summary>The optional fallback-position seed.</summary>
    public RecoSeed? FallbackSeed { get; init; }

    /// <summary>1-based attempt number (retries increase it).</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Epoch seconds when sent.</summary>
    public double SentTime { get; init; }

    /// <summary>SHA-256 (hex) of the startup document the worker must hold; empty for in-process scans.</summary>
    public string StartupSha256 { get; init; } = "";
}

/// <summary>Outcome of one attempt at a pixel variation.</summary>
public enum PixelVariationStatus
{
    /// <summary>The fit finished.</summary>
    Ok = 0,

    /// <summary>The fit threw or the worker refused the request; the engine may retry.</summary>
    Failed = 1,

    /// <summary>The fit ran past the task timeout; the engine may retry.</summary>
    Timeout = 2,

    /// <summary>The request was dead-lettered by the broker (delivery limit reached): a final failure, never retried.</summary>
    DeadLettered = 3,
}

/// <summary>
/// The one reply type of a scan (upstream <c>RecoPixelVariation</c>): the outcome of one attempt at a
/// <see cref="PixelVariation"/>, as the worker host builds it, every transport carries it back (wire message
/// <c>PixelResult</c>), the engine collects and checkpoints it, and <see cref="RecoPixelFinal.FromVariations"/> reduces the
/// M variations of a pixel to the finished pixel stored in <see cref="NSidesDict"/>.
/// </summary>
public sealed record RecoPixelVariation
{
    private static readonly RecoFitResult NoFit = new(
        double.NaN, double.NaN, double.NaN, new Geometry.Vector3D(double.NaN, double.NaN, double.NaN), double.NaN, double.NaN);

    /// <summary>The scan this reply belongs to.</summary>
    public required string ScanId { get; init; }

    /// <summary>The identity (nside, pixel, posvar).</summary>
    public required PixelVariationId Id { get; init; }

    /// <summary>HEALPix nside.</summary>
    public int Nside => Id.Nside;

    /// <summary>RING pixel id.</summary>
    public long PixelId => Id.PixelId;

    /// <summary>Position-variation index.</summary>
    public int PosvarId => Id.PosvarId;

    /// <summary>Status of the attempt.</summary>
    public required PixelVariationStatus Status { get; init; }

    /// <summary>The fit: llh, E_in, E_tot, vertex, time, energy (every value NaN unless <see cref="Status"/> is <see cref="PixelVariationStatus.Ok"/>).</summary>
    public RecoFitResult Fit { get; init; } = NoFit;

    /// <summary>Minimised −ln L (NaN for a failed variation).</summary>
    public double Llh => Fit.Llh;

    /// <summary>True when this variation holds no llh.</summary>
    public bool IsFailed => double.IsNaN(Fit.Llh);

    /// <summary>Seconds the worker spent on the fit.</summary>
    public double RuntimeSeconds { get; init; }

    /// <summary>Worker identity <c>host:pid:index</c>.</summary>
    public string WorkerId { get; init; } = "";

    /// <summary>The attempt this reply answers.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Failure reason of a failed, timed-out or dead-lettered attempt.</summary>
    public string Error { get; init; } = "";

    /// <summary>This reply as a final failure: the same reply with every fit value NaN.</summary>
    internal RecoPixelVariation AsFinalFailure() => this with { Fit = NoFit };

    /// <summary>The reply for a request whose fit succeeded.</summary>
    public static RecoPixelVariation Success(PixelVariation request, RecoFitResult fit, double runtimeSeconds, string workerId)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new()
        {
            ScanId = request.ScanId,
            Id = request.Id,
            Status = PixelVariationStatus.Ok,
            Fit = fit,
            RuntimeSeconds = runtimeSeconds,
            WorkerId = workerId,
            Attempt = request.Attempt,
        };
    }

    /// <summary>The reply for a request that failed, timed out or was dead-lettered (every fit value NaN).</summary>
    public static RecoPixelVariation Failure(PixelVariation request, PixelVariationStatus status, string error, double runtimeSeconds, string workerId)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new()
        {
            ScanId = request.ScanId,
            Id = request.Id,
            Status = status,
            RuntimeSeconds = runtimeSeconds,
            WorkerId = workerId,
            Attempt = request.Attempt,
            Error = error,
        };
    }
}

/// <summary>The best variation of a finished pixel (upstream <c>RecoPixelFinal</c>), stored per nside in <see cref="NSidesDict"/>.</summary>
/// <param name="Nside">HEALPix nside.</param>
/// <param name="PixelId">RING pixel id.</param>
/// <param name="Llh">Best −ln L over the variations (NaN when all failed).</param>
/// <param name="RecoLossesInside">E_in [GeV].</param>
/// <param name="RecoLossesTotal">E_tot [GeV].</param>
/// <param name="Position">Vertex [m].</param>
/// <param name="Time">Vertex time [ns].</param>
/// <param name="Energy">Energy [GeV].</param>
/// <param name="BestPosvarId">Which variation won (diagnostics).</param>
public readonly record struct RecoPixelFinal(
    int Nside, long PixelId, double Llh, double RecoLossesInside, double RecoLossesTotal,
    Geometry.Vector3D Position, double Time, double Energy, int BestPosvarId)
{
    /// <summary>
    /// The best of a pixel's variations: minimum llh over non-NaN variations, ties to the lowest posvar; all-NaN gives NaN
    /// (SCANNER.md §7, Skymap rule).
    /// </summary>
    /// <exception cref="ArgumentException">No variations, or variations of different pixels.</exception>
    public static RecoPixelFinal FromVariations(IReadOnlyCollection<RecoPixelVariation> variations)
    {
        ArgumentNullException.ThrowIfNull(variations);
        if (variations.Count == 0)
        {
            throw new ArgumentException("a pixel needs at least one variation", nameof(variations));
        }

        RecoPixelVariation? best = null;
        var first = variations.First();
        foreach (var v in variations)
        {
            if (v.Nside != first.Nside || v.PixelId != first.PixelId)
            {
                throw new ArgumentException("variations belong to different pixels", nameof(variations));
            }

            if (v.IsFailed)
            {
                continue;
            }

            if (best is null || v.Llh < best.Llh || (v.Llh == best.Llh && v.PosvarId < best.PosvarId))
            {
                best = v;
            }
        }

        var b = best ?? variations.MinBy(v => v.PosvarId)!;
        var f = b.Fit;
        return new RecoPixelFinal(b.Nside, b.PixelId, f.Llh, f.RecoLossesInside, f.RecoLossesTotal, f.Position, f.Time, f.Energy, b.PosvarId);
    }
}
