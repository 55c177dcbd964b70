using Skymap.Core.Calibration;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Refinement;
using Skymap.Core.Results;
using Skymap.Core.Scanning;
using Skymap.Core.Simulation;
using Skymap.Recos;
using Skymap.Transport.InProcess;
using HealpixGrid = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Tests.Calibration;

public sealed class ContourCalibratorTests
{
    private static SkymapEvent Track100TeV => BuiltinEvents.Get("track-100tev");

    private static async Task<SkyScanResult> LocalScanAsync(SkymapEvent evt, string nsides, double radiusDeg)
    {
        var reco = new PandelMpeReco();
        await using var dispatcher = new InProcessDispatcher(2);
        var options = new ScanOptions
        {
            Progression = NSideProgression.Parse(nsides),
            Seed = 3,
            Region = new ScanRegion(evt.Truth!.Ra, evt.Truth.Dec, radiusDeg * Math.PI / 180),
        };
        var outcome = await new ScanEngine(reco, dispatcher, options).RunAsync(evt, CancellationToken.None);
        Assert.Equal(ScanStatus.Completed, outcome.Status);
        return outcome.Result.ToSkyScanResult();
    }

    [Fact]
    public void Calibrated_level_is_the_interpolated_quantile_with_order_statistic_bounds()
    {
        var values = Enumerable.Range(1, 100).Select(i => (double)i).Reverse().ToArray();
        var l = CalibratedLevel.FromTrials(values, 0.9);
        Assert.Equal(90.1, l.Level, 12);
        Assert.Equal(87, l.Lower);
        Assert.Equal(93, l.Upper);
        Assert.Equal(0.03, l.CoverageUncertainty, 12);
        Assert.Equal(2 * Math.Log(10), l.Wilks, 12);

        // A trial without a value counts as outside every contour (+∞).
        var withMissing = CalibratedLevel.FromTrials([1, 2, 3, 4, 5, 6, 7, 8, 9, double.NaN], 0.9);
        Assert.Equal(double.PositiveInfinity, withMissing.Level);
        Assert.Equal(5.5, CalibratedLevel.FromTrials([1, 2, 3, 4, 5, 6, 7, 8, 9, double.NaN], 0.5).Level, 12);
        Assert.Throws<ArgumentException>(() => CalibratedLevel.FromTrials([1.0], 0.9));
    }

    [Fact]
    public void A_region_limits_the_first_nside_to_the_disc()
    {
        var region = new ScanRegion(1.0, -0.3, 3.0 * Math.PI / 180);
        var pixels = PixelSelector.NextPixels(PixelSelector.Slice(NSideProgression.Parse("64:0 512:4"), null), new NSidesDict(), new HashSet<SkyPixel>(), null, region);
        Assert.InRange(pixels.Count, 20, 60);
        Assert.All(pixels, p =>
        {
            Assert.Equal(64, p.Nside);
            var v = HealpixGrid.Pix2Vec(64, p.PixelId);
            Assert.True(Math.Acos(Math.Clamp(v.Dot(region.Centre), -1, 1)) < region.Radius);
        });
        var tiny = new ScanRegion(1.0, -0.3, 1e-6);
        Assert.Single(tiny.Pixels(8));
        Assert.NotNull(new ScanRegion(1.0, 2.0, 0.1).Validate());
        Assert.Throws<ArgumentException>(() => new ScanOptions { Region = new ScanRegion(0, 0, 0) }.Validate());
    }

    [Fact]
    public async Task A_result_of_another_event_or_too_few_trials_is_refused()
    {
        var evt = Track100TeV;
        var result = await LocalScanAsync(evt, "64:0", 1.0);
        var calibrator = new ContourCalibrator(new PandelMpeReco(), () => new InProcessDispatcher(1));
        var other = BuiltinEvents.Get("track-10tev");
        var e = await Assert.ThrowsAsync<CalibrationInputException>(() =>
            calibrator.RunAsync(other, result, new CalibrationOptions { Trials = 10 }, null, CancellationToken.None));
        Assert.Contains("do not belong together", e.Message, StringComparison.Ordinal);
        var moved = evt with { Header = evt.Header with { Mjd = evt.Header.Mjd + 1 } };
        await Assert.ThrowsAsync<CalibrationInputException>(() =>
            calibrator.RunAsync(moved, result, new CalibrationOptions { Trials = 10 }, null, CancellationToken.None));
        var few = await Assert.ThrowsAsync<ArgumentException>(() =>
            calibrator.RunAsync(evt, result, new CalibrationOptions { Trials = 9 }, null, CancellationToken.None));
        Assert.Contains("≥ 10", few.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_pandel_calibration_is_deterministic_at_any_concurrency_and_lands_in_the_metadata()
    {
        var evt = Track100TeV;
        var result = await LocalScanAsync(evt, "64:0", 1.0);
        var reco = new PandelMpeReco();
        var calibrator = new ContourCalibrator(reco, () => new InProcessDispatcher(1));
        var options = new CalibrationOptions
        {
            Trials = 10,
            Seed = 11,
            Progression = NSideProgression.Parse("256:0"),
            Radius = 0.4 * Math.PI / 180,
            TruthModel = TruthModel.Mismatch,
        };
        var seen = 0;
        var a = await calibrator.RunAsync(evt, result, options, new Progress<CalibrationTrial>(_ => Interlocked.Increment(ref seen)), CancellationToken.None);
        var b = await calibrator.RunAsync(evt, result, options with { ConcurrentTrials = 3 }, null, CancellationToken.None);
        Assert.Equal(a.Trials.Select(t => t.TwoDeltaLlh), b.Trials.Select(t => t.TwoDeltaLlh));
        Assert.Equal(a.Level90, b.Level90);
        Assert.Equal(10, a.Trials.Count);
        Assert.All(a.Trials, t => Assert.True(t.TwoDeltaLlh >= 0 && double.IsFinite(t.TwoDeltaLlh), $"trial {t.Index}: {t.TwoDeltaLlh}"));
        Assert.True(a.Trials.Count(t => t.TwoDeltaLlh > 0) >= 3, "most trials' best fit should be off the injected pixel at nside 256");
        Assert.True(a.Level90.Level >= a.Level50.Level);
        Assert.InRange(a.Level90.Level, a.Level90.Lower, a.Level90.Upper);
        Assert.Equal("charge", a.EnergySource);
        Assert.InRange(a.Energy, 3e4, 3e5); // the built-in event is a 100 TeV track
        Assert.Equal(10, a.Trials.Select(t => t.SimulationSeed).Distinct().Count());

        var c = await calibrator.RunAsync(evt, result, options with { Seed = 12 }, null, CancellationToken.None);
        Assert.NotEqual(a.Trials.Select(t => t.TwoDeltaLlh), c.Trials.Select(t => t.TwoDeltaLlh));

        var calibrated = a.ApplyTo(result);
        var back = SkyScanResultJson.Deserialize(SkyScanResultJson.Serialize(calibrated));
        Assert.All(back.Blocks, blk => Assert.Equal(a.ToResultCalibration(), blk.Metadata.Calibration));
        Assert.Equal("mismatch", back.Metadata.Calibration!.TruthModel);
        Assert.Equal(result.Blocks.SelectMany(blk => blk.Rows), back.Blocks.SelectMany(blk => blk.Rows));
    }

    [Fact]
    public void The_charge_matched_energy_recovers_the_simulated_energy()
    {
        foreach (var energy in new[] { 1e4, 1e5, 1e6 })
        {
            var sim = new SimulationOptions { Zenith = 1.4, Azimuth = 0.5, Energy = energy, Vertex = new Vector3D(30, -20, 10), Seed = 9 };
            var evt = EventSimulator.Simulate(sim);
            var estimate = TrackEnergyEstimator.Estimate(evt, sim.Zenith, sim.Azimuth, sim.Vertex, TruthModel.Nominal);
            Assert.InRange(estimate / energy, 0.5, 2.0);
        }
    }
}
