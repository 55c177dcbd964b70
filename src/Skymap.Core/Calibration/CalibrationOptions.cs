using System.Globalization;
using Skymap.Core.Pixels;
using Skymap.Core.Simulation;

namespace Skymap.Core.Calibration;

/// <summary>Settings of a per-event contour calibration by re-simulation (see <see cref="ContourCalibrator"/>).</summary>
internal sealed record CalibrationOptions
{
    /// <summary>The smallest number of trials accepted (fewer cannot place a 90% quantile).</summary>
    public const int MinimumTrials = 10;

    /// <summary>The default local progression of every trial scan.</summary>
    public const string DefaultProgressionText = "64:0 512:4";

    /// <summary>The default radius of the first-nside disc around the best fit [deg].</summary>
    public const double DefaultRadiusDegrees = 2.0;

    /// <summary>Number of re-simulated events (≥ <see cref="MinimumTrials"/>).</summary>
    public required int Trials { get; init; }

    /// <summary>Seed of the calibration: every trial's simulation and scan seed derives from it and the trial index.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The truth model of the re-simulated events (default <see cref="TruthModel.Nominal"/>).</summary>
    public TruthModel TruthModel { get; init; } = TruthModel.Nominal;

    /// <summary>The local progression of each trial scan (default <c>64:0 512:4</c>); its first nside covers only the disc.</summary>
    public NSideProgression Progression { get; init; } = NSideProgression.Parse(DefaultProgressionText);

    /// <summary>Radius of the disc around the best fit that the first nside of each trial scans [rad] (default 2°).</summary>
    public double Radius { get; init; } = DefaultRadiusDegrees * Math.PI / 180.0;

    /// <summary>
    /// Muon energy of the re-simulated tracks [GeV]; null (default) takes the best fit's energy when it has one, else the
    /// energy whose expected charge at the best-fit track equals the event's charge (<see cref="TrackEnergyEstimator"/>).
    /// </summary>
    public double? Energy { get; init; }

    /// <summary>Reco settings of the trial scans (as <c>--reco-setting</c>).</summary>
    public IReadOnlyDictionary<string, string> RecoSettings { get; init; } = new Dictionary<string, string>();

    /// <summary>How many trial scans run at the same time, each with its own dispatcher (default 1).</summary>
    public int ConcurrentTrials { get; init; } = 1;

    /// <summary>Where each trial scan writes its startup document for file-based transports (null: none; see <c>ScanOptions.StartupDirectory</c>).</summary>
    public string? StartupDirectory { get; init; }

    /// <summary>A trial scan fails when no reply arrives for this long (default 2 h, as a scan).</summary>
    public TimeSpan ServerSilenceTimeout { get; init; } = TimeSpan.FromHours(2);

    /// <summary>Checks the options; returns null when valid, else a message naming the bad option.</summary>
    public string? Validate()
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        if (Trials < MinimumTrials)
        {
            return $"the number of trials must be ≥ {MinimumTrials} (a 90% level needs them), got {Trials}";
        }

        if (TruthModel is null)
        {
            return "truth model must not be null";
        }

        if (TruthModel.Validate() is { } e)
        {
            return e;
        }

        if (Progression is null)
        {
            return "progression must not be null";
        }

        if (!(Radius > 0 && Radius <= Math.PI))
        {
            return $"disc radius must be in (0, 180] deg, got {F(Radius * 180 / Math.PI)}";
        }

        if (Energy is { } energy && !(energy > 0 && double.IsFinite(energy)))
        {
            return $"energy must be a finite number > 0 GeV, got {F(energy)}";
        }

        if (ConcurrentTrials < 1)
        {
            return $"concurrent trials must be ≥ 1, got {ConcurrentTrials}";
        }

        return ServerSilenceTimeout > TimeSpan.Zero ? null : "server silence timeout must be positive";
    }
}
