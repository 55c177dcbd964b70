using Skymap.Core.Coordinates;

namespace Skymap.Core.Simulation;

/// <summary>How a scan's best fit and contours relate to a simulated event's true direction (PHYSICS.md §6).</summary>
/// <param name="AngularDistanceDeg">Great-circle distance between the truth and the best fit [deg].</param>
/// <param name="TwoDeltaLlhAtTruth">2ΔLLH of the map at the truth's direction; null when the map has no value there.</param>
/// <param name="InsideContour50">True when 2ΔLLH at the truth is below <see cref="TruthComparison.Contour50"/>.</param>
/// <param name="InsideContour90">True when 2ΔLLH at the truth is below <see cref="TruthComparison.Contour90"/>.</param>
internal readonly record struct TruthComparisonResult(
    double AngularDistanceDeg, double? TwoDeltaLlhAtTruth, bool InsideContour50, bool InsideContour90);

/// <summary>Compares a scan result with the simulation truth (used to measure contour coverage, PHYSICS.md §6).</summary>
internal static class TruthComparison
{
    /// <summary>Wilks 50% level for 2 dof, 2 ln 2 (as PHYSICS.md §6 rounds it).</summary>
    public const double Contour50 = 1.3863;

    /// <summary>Wilks 90% level for 2 dof, 2 ln 10 (as PHYSICS.md §6 rounds it).</summary>
    public const double Contour90 = 4.6052;

    /// <summary>
    /// Angular distance of the best fit from the truth, and whether the truth lies inside the 50% and 90% regions.
    /// </summary>
    /// <param name="truth">True direction, J2000 [rad].</param>
    /// <param name="bestFit">Best-fit direction, J2000 [rad].</param>
    /// <param name="twoDeltaLlhAt">
    /// 2ΔLLH of the map at a direction (RA, Dec) [rad], normally the value of the finest pixel containing it; null
    /// when the map has no value there (then the truth counts as outside both regions).
    /// </param>
    /// <exception cref="ArgumentException">A coordinate is not finite.</exception>
    public static TruthComparisonResult Compare(Equatorial truth, Equatorial bestFit, Func<double, double, double?> twoDeltaLlhAt)
    {
        ArgumentNullException.ThrowIfNull(twoDeltaLlhAt);
        if (!double.IsFinite(truth.Ra) || !double.IsFinite(truth.Dec))
        {
            throw new ArgumentException("the truth direction must be finite", nameof(truth));
        }

        if (!double.IsFinite(bestFit.Ra) || !double.IsFinite(bestFit.Dec))
        {
            throw new ArgumentException("the best-fit direction must be finite", nameof(bestFit));
        }

        var distance = SkyCoordinates.AngularDistance(truth, bestFit) * (180.0 / Math.PI);
        var value = twoDeltaLlhAt(truth.Ra, truth.Dec);
        if (value is { } v && double.IsNaN(v))
        {
            value = null;
        }

        return new TruthComparisonResult(distance, value, value < Contour50, value < Contour90);
    }

    /// <summary>As <see cref="Compare(Equatorial, Equatorial, Func{double, double, double?})"/> with separate coordinates [rad].</summary>
    public static TruthComparisonResult Compare(
        double truthRa, double truthDec, double bestFitRa, double bestFitDec, Func<double, double, double?> twoDeltaLlhAt) =>
        Compare(new Equatorial(truthRa, truthDec), new Equatorial(bestFitRa, bestFitDec), twoDeltaLlhAt);
}
