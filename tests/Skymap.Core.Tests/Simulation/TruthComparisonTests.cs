using Skymap.Core.Coordinates;
using Skymap.Core.Simulation;

namespace Skymap.Core.Tests.Simulation;

public sealed class TruthComparisonTests
{
    private const double Deg = Math.PI / 180.0;

    [Fact]
    public void Distance_is_the_great_circle_distance_in_degrees()
    {
        var r = TruthComparison.Compare(1.0, 0.0, 1.0 + (2.5 * Deg), 0.0, (_, _) => 0.0);
        Assert.Equal(2.5, r.AngularDistanceDeg, 1e-10);
        // Across the RA wrap and near a pole.
        Assert.Equal(0.2, TruthComparison.Compare((359.9 * Deg), 0.0, 0.1 * Deg, 0.0, (_, _) => 0.0).AngularDistanceDeg, 1e-9);
        Assert.Equal(1.0, TruthComparison.Compare(0.0, 89.5 * Deg, Math.PI, 89.5 * Deg, (_, _) => 0.0).AngularDistanceDeg, 1e-9);
        Assert.Equal(0.0, TruthComparison.Compare(2.0, -0.3, 2.0, -0.3, (_, _) => 0.0).AngularDistanceDeg);
    }

    [Theory]
    [InlineData(0.0, true, true)]
    [InlineData(1.3862, true, true)]
    [InlineData(1.3863, false, true)] // strict: the level itself is outside
    [InlineData(3.0, false, true)]
    [InlineData(4.6051, false, true)]
    [InlineData(4.6052, false, false)]
    [InlineData(50.0, false, false)]
    public void Contour_membership_uses_the_Wilks_levels(double twoDeltaLlh, bool in50, bool in90)
    {
        var r = TruthComparison.Compare(new Equatorial(1, 0.2), new Equatorial(1.01, 0.2), (_, _) => twoDeltaLlh);
        Assert.Equal(twoDeltaLlh, r.TwoDeltaLlhAtTruth);
        Assert.Equal(in50, r.InsideContour50);
        Assert.Equal(in90, r.InsideContour90);
    }

    [Fact]
    public void Map_is_queried_at_the_truth_not_the_best_fit()
    {
        (double Ra, double Dec)? asked = null;
        TruthComparison.Compare(0.5, -0.25, 1.5, 0.75, (ra, dec) =>
        {
            asked = (ra, dec);
            return 1.0;
        });
        Assert.Equal((0.5, -0.25), asked);
    }

    [Fact]
    public void No_map_value_at_the_truth_counts_as_outside()
    {
        var r = TruthComparison.Compare(1.0, 0.0, 1.0, 0.0, (_, _) => null);
        Assert.Null(r.TwoDeltaLlhAtTruth);
        Assert.False(r.InsideContour50);
        Assert.False(r.InsideContour90);
        var nan = TruthComparison.Compare(1.0, 0.0, 1.0, 0.0, (_, _) => double.NaN);
        Assert.Null(nan.TwoDeltaLlhAtTruth);
        Assert.False(nan.InsideContour90);
    }

    [Fact]
    public void Levels_are_2_ln_2_and_2_ln_10_rounded_as_in_the_specification()
    {
        Assert.Equal(TruthComparison.Contour50, 2.0 * Math.Log(2.0), 1e-4);
        Assert.Equal(TruthComparison.Contour90, 2.0 * Math.Log(10.0), 1e-4);
    }

    [Fact]
    public void Non_finite_directions_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => TruthComparison.Compare(double.NaN, 0, 0, 0, (_, _) => 0.0));
        Assert.Throws<ArgumentException>(() => TruthComparison.Compare(0, 0, 0, double.PositiveInfinity, (_, _) => 0.0));
        Assert.Throws<ArgumentNullException>(() => TruthComparison.Compare(0, 0, 0, 0, null!));
    }
}
