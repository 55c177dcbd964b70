using Skymap.Core.Scanning;

namespace Skymap.Core.Tests.Scanning;

public class ThresholdTrackerTests
{
    [Fact]
    public void Series_starts_at_the_threshold_and_keeps_larger_base_entries()
    {
        var t = new ThresholdTracker(0.65, 512);
        Assert.Equal(new[] { 0.65, 0.7, 0.8, 0.9, 1.0 }, t.SeriesFor(8));
        Assert.Equal(new[] { 1.0 }, t.SeriesFor(512));
        Assert.Equal(new[] { 1.0 }, new ThresholdTracker(1.0, 512).SeriesFor(8));
    }

    [Fact]
    public void An_nside_is_newly_thresholded_only_when_its_bin_rises()
    {
        var t = new ThresholdTracker(0.65, 64);
        Assert.Null(t.Evaluate([(8, 0, 768)], 1));
        Assert.Null(t.Evaluate([(8, 400, 768)], 1));
        Assert.Equal(8, t.Evaluate([(8, 500, 768)], 1));
        Assert.Null(t.Evaluate([(8, 510, 768)], 1));
        Assert.Equal(8, t.Evaluate([(8, 768, 768)], 1));
        Assert.Null(t.Evaluate([(8, 768, 768), (64, 10, 640)], 1));
        // More pixels sent for nside 8 lowers its percent; finishing them re-triggers.
        Assert.Null(t.Evaluate([(8, 768, 800)], 1));
        Assert.Equal(8, t.Evaluate([(8, 800, 800)], 1));
        // The max nside only triggers at 1.0; the highest newly thresholded nside wins.
        Assert.Null(t.Evaluate([(64, 600, 640)], 1));
        Assert.Equal(64, t.Evaluate([(64, 640, 640)], 1));
    }

    [Fact]
    public void Percent_counts_pixels_times_variations_over_sent_variations()
    {
        var t = new ThresholdTracker(1.0, 8);
        Assert.Null(t.Evaluate([(8, 767, 768 * 7)], 7));
        Assert.Equal(8, t.Evaluate([(8, 768, 768 * 7)], 7));
    }
}
