using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Refinement;

namespace Skymap.Core.Scanning;

/// <summary>Settings of one scan (SCANNER.md §12).</summary>
public sealed record ScanOptions
{
    /// <summary>The nside progression (default <c>8:0 64:12 512:24</c>).</summary>
    public NSideProgression Progression { get; init; } = NSideProgression.Default;

    /// <summary>Predictive scanning threshold in [0.1, 1.0] (default 1.0: strictly staged).</summary>
    public double PredictiveScanningThreshold { get; init; } = 1.0;

    /// <summary>The shuffle/reco seed; null draws a random 63-bit seed (logged and stored in the manifest).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Failures after which a pixel variation is recorded as failed (K, default 3).</summary>
    public int MaxPixvarFailures { get; init; } = 3;

    /// <summary>Neighbour refinement trigger on 2·|Δllh| (null = off, the default).</summary>
    public double? NeighbourRefine2dllh { get; init; }

    /// <summary>The scan fails when no reply arrives for this long (default 2 h).</summary>
    public TimeSpan ServerSilenceTimeout { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Per-attempt task timeout enforced by workers (default 1800 s).</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromSeconds(1800);

    /// <summary>Minimum interval between progress reports while results arrive (default 60 s).</summary>
    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Minimum interval between partial result reports (default 120 s).</summary>
    public TimeSpan ResultInterval { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Scan id; null generates one.</summary>
    public string? ScanId { get; init; }

    /// <summary>Reco settings (<c>--reco-setting key=value</c>).</summary>
    public IReadOnlyDictionary<string, string> RecoSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>Where file-based transports write <c>startup.json</c> (null: none).</summary>
    public string? StartupDirectory { get; init; }

    /// <summary>
    /// A cache directory that makes the scan resumable (<c>--cache-dir</c>): the engine keeps the seed and scan id in
    /// <c>scan-state.json</c> (used when <see cref="Seed"/>/<see cref="ScanId"/> are not given) and a checkpoint of every
    /// finished pixel variation, so that a server restarted on the same directory continues without recomputing them and
    /// ends with the identical result. Null (default): not resumable, unless a checkpoint is given to the engine.
    /// </summary>
    public string? CacheDirectory { get; init; }

    /// <summary>Overrides the event's real/simulated flag (<c>--real-event</c>/<c>--simulated-event</c>).</summary>
    public bool? IsRealEvent { get; init; }

    /// <summary>
    /// A local scan: the first nside is scanned only inside this disc (the later nsides refine around the best pixel as
    /// usual); null (default) scans the full sky. Used by re-simulation calibrations around a best fit.
    /// </summary>
    internal ScanRegion? Region { get; init; }

    /// <summary>Validates the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it.</exception>
    public void Validate()
    {
        if (!(PredictiveScanningThreshold >= 0.1 && PredictiveScanningThreshold <= 1.0))
        {
            throw new ArgumentException($"predictive scanning threshold must be in [0.1, 1.0], got {PredictiveScanningThreshold}");
        }

        if (MaxPixvarFailures < 1)
        {
            throw new ArgumentException($"max pixel-variation failures must be ≥ 1, got {MaxPixvarFailures}");
        }

        if (ServerSilenceTimeout <= TimeSpan.Zero || TaskTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("timeouts must be positive");
        }

        if (NeighbourRefine2dllh is { } n && !(n > 0))
        {
            throw new ArgumentException($"neighbour refinement threshold must be > 0, got {n}");
        }

        if (Region?.Validate() is { } regionError)
        {
            throw new ArgumentException(regionError);
        }
    }

    /// <summary>The reco context these options give.</summary>
    public RecoContext ToRecoContext(ulong seed) => new() { ScanSeed = seed, Settings = RecoSettings };
}
