using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Coordinates;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Randomness;
using Skymap.Core.Recos;
using Skymap.Core.Refinement;
using Skymap.Core.Results;
using Skymap.Core.Scanning;
using Skymap.Core.Simulation;
using HealpixGrid = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Calibration;

/// <summary>The event and the result given to a calibration do not belong together, or the result cannot be calibrated.</summary>
internal sealed class CalibrationInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public CalibrationInputException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public CalibrationInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public CalibrationInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One re-simulated trial of a calibration.</summary>
/// <param name="Index">Trial index, 0-based.</param>
/// <param name="SimulationSeed">Seed of the simulated event.</param>
/// <param name="ScanSeed">Seed of its scan.</param>
/// <param name="TwoDeltaLlh">2ΔLLH of the trial's map at the injected direction (NaN when the map has no finite value there).</param>
/// <param name="ErrorDegrees">Angle between the trial's best fit and the injected direction [deg].</param>
/// <param name="Pixels">Pixels the trial scan fitted.</param>
/// <param name="Elapsed">Wall time of the trial (simulation and scan).</param>
internal readonly record struct CalibrationTrial(
    int Index, ulong SimulationSeed, ulong ScanSeed, double TwoDeltaLlh, double ErrorDegrees, int Pixels, TimeSpan Elapsed);

/// <summary>What a calibration found: the calibrated 50%/90% levels, how they were obtained and every trial.</summary>
internal sealed record ContourCalibration
{
    /// <summary>The calibrated 50% level.</summary>
    public required CalibratedLevel Level50 { get; init; }

    /// <summary>The calibrated 90% level.</summary>
    public required CalibratedLevel Level90 { get; init; }

    /// <summary>The trials, in index order.</summary>
    public required IReadOnlyList<CalibrationTrial> Trials { get; init; }

    /// <summary>The injected (best-fit) direction, J2000 [rad].</summary>
    public required Equatorial Injected { get; init; }

    /// <summary>The injected direction in local coordinates at the event time [rad].</summary>
    public required (double Zenith, double Azimuth) InjectedLocal { get; init; }

    /// <summary>The injected vertex (the best fit's X, Y, Z) [m].</summary>
    public required Vector3D Vertex { get; init; }

    /// <summary>The injected vertex time (the best fit's T) [ns].</summary>
    public required double Time { get; init; }

    /// <summary>The muon energy of the trials [GeV].</summary>
    public required double Energy { get; init; }

    /// <summary>Where <see cref="Energy"/> came from: <c>option</c>, <c>best fit</c> or <c>charge</c>.</summary>
    public required string EnergySource { get; init; }

    /// <summary>The options the calibration ran with.</summary>
    public required CalibrationOptions Options { get; init; }

    /// <summary>The dispatcher name of the trial scans (<c>inprocess</c>, <c>processes</c>, <c>rabbitmq</c>).</summary>
    public required string Transport { get; init; }

    /// <summary>Wall time of the whole calibration.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Trials whose map had no finite value at the injected direction (counted as outside every contour).</summary>
    public int MissingTrials => Trials.Count(t => double.IsNaN(t.TwoDeltaLlh));

    /// <summary>The levels as result metadata (<see cref="ResultMetadata.Calibration"/>).</summary>
    public ResultCalibration ToResultCalibration() => new(
        Trials.Count, Options.TruthModel.Name,
        Level50.Level, Level50.Lower, Level50.Upper, Level90.Level, Level90.Lower, Level90.Upper);

    /// <summary>A copy of a result with these levels in every block's metadata (the pixels unchanged).</summary>
    public SkyScanResult ApplyTo(SkyScanResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var calibration = ToResultCalibration();
        return new SkyScanResult(result.Blocks.Select(b => new SkyScanResultBlock(b.Metadata with { Calibration = calibration }, b.Rows)));
    }
}

/// <summary>
/// Per-event contour calibration by re-simulation (PHYSICS.md §6): N events are simulated at the event's best fit
/// (direction, vertex, time, and energy from the fit or matched to the event's charge) with fresh deterministic seeds,
/// each is scanned by the <see cref="ScanEngine"/> through a dispatcher with a local progression around the best fit,
/// and the 50%/90% quantiles of 2ΔLLH at the injected direction become the event's calibrated levels.
/// </summary>
/// <remarks>
/// Trial i is simulated with seed <c>SplitMix64.Hash(seed, i, 0xCA1B)</c> and scanned with seed
/// <c>SplitMix64.Hash(seed, i, 0x5CA7)</c>, so the same seed gives the same levels on every transport and at any
/// concurrency. Each trial uses a fresh dispatcher from the factory (a dispatcher serves one scan).
/// </remarks>
internal sealed class ContourCalibrator
{
    private const ulong SimulationTag = 0xCA1B;
    private const ulong ScanTag = 0x5CA7;

    private readonly IRecoAlgorithm _reco;
    private readonly Func<IPixelDispatcher> _dispatchers;
    private readonly ILogger _logger;

    /// <summary>Creates a calibrator.</summary>
    /// <param name="reco">The reconstruction the event was scanned with.</param>
    /// <param name="dispatchers">Creates the dispatcher of one trial scan (called once per trial; the calibrator disposes it).</param>
    /// <param name="logger">Logger.</param>
    public ContourCalibrator(IRecoAlgorithm reco, Func<IPixelDispatcher> dispatchers, ILogger<ContourCalibrator>? logger = null)
    {
        _reco = reco ?? throw new ArgumentNullException(nameof(reco));
        _dispatchers = dispatchers ?? throw new ArgumentNullException(nameof(dispatchers));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Checks that a result is a scan of an event: same run, event id, type and MJD, and a best fit to start from.</summary>
    /// <exception cref="CalibrationInputException">They do not belong together; the message says why.</exception>
    public static void CheckBelongTogether(SkymapEvent evt, SkyScanResult result)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(result);
        var m = result.Metadata;
        var h = evt.Header;
        if (!result.HasEventMetadata)
        {
            throw new CalibrationInputException("the result carries no event metadata (run_id, event_id, event_type, mjd), so it cannot be matched to the event");
        }

        if (m.RunId != h.RunId || m.EventId != h.EventId || !string.Equals(m.EventType, h.EventType, StringComparison.Ordinal))
        {
            throw new CalibrationInputException(
                $"the result is of event {m.EventName} but the event file is {ResultFiles.EventName(h.RunId, h.EventId, h.EventType)}: they do not belong together");
        }

        if (!(Math.Abs(m.Mjd - h.Mjd) <= 1e-9 * Math.Max(1.0, Math.Abs(h.Mjd))))
        {
            throw new CalibrationInputException($"the result's mjd {m.Mjd:R} differs from the event's {h.Mjd:R}: they do not belong together");
        }

        if (result.BestFit() is null)
        {
            throw new CalibrationInputException("the result has no pixel with a finite llh: there is no best fit to re-simulate at");
        }
    }

    /// <summary>Runs the calibration.</summary>
    /// <param name="evt">The event.</param>
    /// <param name="result">Its scan result.</param>
    /// <param name="options">Trials, seed, truth model, local progression.</param>
    /// <param name="progress">Told about every finished trial (in completion order).</param>
    /// <param name="cancellationToken">Cancels the trials.</param>
    /// <exception cref="CalibrationInputException">The event and result do not belong together.</exception>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">A trial scan failed (e.g. server silence timeout).</exception>
    public async Task<ContourCalibration> RunAsync(
        SkymapEvent evt, SkyScanResult result, CalibrationOptions options, IProgress<CalibrationTrial>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(options));
        }

        CheckBelongTogether(evt, result);
        var clock = Stopwatch.StartNew();
        var best = result.BestFit()!.Value;
        var (theta, phi) = HealpixGrid.Pix2Ang(best.Nside, best.Index);
        var injected = new Equatorial(phi, (Math.PI / 2) - theta);
        var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(injected.Ra, injected.Dec, evt.Header.Mjd);
        var row = best.Row;
        if (!double.IsFinite(row.X) || !double.IsFinite(row.Y) || !double.IsFinite(row.Z) || !double.IsFinite(row.T))
        {
            throw new CalibrationInputException($"the best-fit pixel (nside {best.Nside}, pixel {best.Index}) has no finite vertex (x, y, z, t); the result cannot be re-simulated");
        }

        var vertex = new Vector3D(row.X, row.Y, row.Z);
        string energySource;
        double energy;
        if (options.Energy is { } e)
        {
            (energy, energySource) = (e, "option");
        }
        else if (double.IsFinite(row.ETot) && row.ETot > 0)
        {
            (energy, energySource) = (row.ETot, "best fit");
        }
        else
        {
            (energy, energySource) = (TrackEnergyEstimator.Estimate(evt, zenith, azimuth, vertex, options.TruthModel), "charge");
        }

        _logger.LogInformation(
            "Calibrating {Event}: {Trials} trials at RA {Ra:0.###}° Dec {Dec:0.###}°, {Energy:0.###e+0} GeV ({Source}), truth model {Model}, nsides \"{Nsides}\" in {Radius:0.##}°",
            result.EventName, options.Trials, injected.Ra * 180 / Math.PI, injected.Dec * 180 / Math.PI, energy, energySource, options.TruthModel,
            options.Progression, options.Radius * 180 / Math.PI);

        var trials = new CalibrationTrial[options.Trials];
        var transport = "";
        using var gate = new SemaphoreSlim(options.ConcurrentTrials);
        var running = new List<Task>();
        for (var i = 0; i < options.Trials; i++)
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            var index = i;
            running.Add(Task.Run(
                async () =>
                {
                    try
                    {
                        var (trial, name) = await RunTrialAsync(evt, options, index, zenith, azimuth, vertex, row.T, energy, injected, cancellationToken).ConfigureAwait(false);
                        trials[index] = trial;
                        transport = name;
                        progress?.Report(trial);
                    }
                    finally
                    {
                        gate.Release();
                    }
                },
                cancellationToken));
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        var values = trials.Select(t => t.TwoDeltaLlh).ToArray();
        return new ContourCalibration
        {
            Level50 = CalibratedLevel.FromTrials(values, 0.5),
            Level90 = CalibratedLevel.FromTrials(values, 0.9),
            Trials = trials,
            Injected = injected,
            InjectedLocal = (zenith, azimuth),
            Vertex = vertex,
            Time = row.T,
            Energy = energy,
            EnergySource = energySource,
            Options = options,
            Transport = transport,
            Elapsed = clock.Elapsed,
        };
    }

    /// <summary>The options of trial <paramref name="index"/>'s simulated event.</summary>
    internal static SimulationOptions TrialEvent(
        SkymapEvent evt, CalibrationOptions options, int index, double zenith, double azimuth, Vector3D vertex, double time, double energy) => new()
        {
            Kind = SimulationKind.Track,
            Zenith = zenith,
            Azimuth = azimuth,
            Energy = energy,
            Vertex = vertex,
            Time = time,
            Mjd = evt.Header.Mjd,
            Seed = SplitMix64.Hash(options.Seed, (ulong)index, SimulationTag),
            RunId = evt.Header.RunId,
            EventId = evt.Header.EventId,
            EventType = evt.Header.EventType,
            Model = options.TruthModel,
        };

    private async Task<(CalibrationTrial Trial, string Transport)> RunTrialAsync(
        SkymapEvent evt, CalibrationOptions options, int index, double zenith, double azimuth, Vector3D vertex, double time, double energy,
        Equatorial injected, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var sim = TrialEvent(evt, options, index, zenith, azimuth, vertex, time, energy);
        var trialEvent = EventSimulator.Simulate(sim);
        var scanSeed = SplitMix64.Hash(options.Seed, (ulong)index, ScanTag);
        var scanOptions = new ScanOptions
        {
            Progression = options.Progression,
            Seed = scanSeed,
            Region = new ScanRegion(injected.Ra, injected.Dec, options.Radius),
            RecoSettings = options.RecoSettings,
            ServerSilenceTimeout = options.ServerSilenceTimeout,
            StartupDirectory = options.StartupDirectory,
            ScanId = $"calib{options.Seed:x16}t{index:d5}",
            ProgressInterval = TimeSpan.FromHours(1),
            ResultInterval = TimeSpan.FromHours(1),
        };
        var dispatcher = _dispatchers();
        ScanOutcome outcome;
        await using (dispatcher.ConfigureAwait(false))
        {
            outcome = await new ScanEngine(_reco, dispatcher, scanOptions).RunAsync(trialEvent, ct).ConfigureAwait(false);
        }

        if (outcome.Status != ScanStatus.Completed)
        {
            throw new InvalidOperationException($"calibration trial {index} failed: {outcome.Error}");
        }

        var map = outcome.Result.ToSkyScanResult();
        var (value, error) = ValueAt(map, injected);
        var trial = new CalibrationTrial(index, sim.Seed, scanSeed, value, error, map.PixelCount, clock.Elapsed);
        _logger.LogDebug("Calibration trial {Index}: 2ΔLLH {Value:0.###} at the injected direction, best fit {Error:0.###}° away", index, value, error);
        return (trial, dispatcher.Name);
    }

    /// <summary>2ΔLLH of a map at a direction (its finest scanned pixel there) and the best fit's distance from it [deg].</summary>
    internal static (double TwoDeltaLlh, double ErrorDegrees) ValueAt(SkyScanResult map, Equatorial direction)
    {
        if (map.BestFit() is not { } best)
        {
            return (double.NaN, double.NaN);
        }

        var theta = (Math.PI / 2) - direction.Dec;
        var value = double.NaN;
        var blocks = map.Blocks;
        for (var b = blocks.Count - 1; b >= 0; b--)
        {
            if (blocks[b].TryGetRow(HealpixGrid.Ang2Pix(blocks[b].Nside, theta, SkyCoordinates.WrapTwoPi(direction.Ra)), out var hit))
            {
                value = double.IsFinite(hit.Llh) ? 2.0 * (hit.Llh - best.Llh) : double.NaN;
                break;
            }
        }

        var (bt, bp) = HealpixGrid.Pix2Ang(best.Nside, best.Index);
        var error = SkyCoordinates.AngularDistance(direction, new Equatorial(bp, (Math.PI / 2) - bt)) * 180 / Math.PI;
        return (value, error);
    }
}
