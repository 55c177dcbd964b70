namespace Skymap.Core.Calibration;

/// <summary>
/// One calibrated contour level: the <see cref="Containment"/> quantile of 2ΔLLH at the injected direction over the
/// trials, with the binomial (order-statistic) 68% interval of that quantile.
/// </summary>
/// <param name="Containment">The containment, e.g. 0.9.</param>
/// <param name="Level">The quantile of the trials' 2ΔLLH (linear interpolation between order statistics).</param>
/// <param name="Lower">Lower end of the 68% interval: the order statistic of rank N·q − √(N·q·(1−q)).</param>
/// <param name="Upper">Upper end of the 68% interval: the order statistic of rank N·q + √(N·q·(1−q)).</param>
/// <param name="CoverageUncertainty">The binomial error √(q(1−q)/N) of the fraction of events the level contains.</param>
/// <param name="Wilks">Wilks' level for the same containment (2 dof), for comparison.</param>
internal sealed record CalibratedLevel(double Containment, double Level, double Lower, double Upper, double CoverageUncertainty, double Wilks)
{
    /// <summary>The calibrated level of sorted or unsorted trial values; a missing value (NaN) counts as +∞ (outside every contour).</summary>
    /// <param name="values">2ΔLLH at the injected direction, one per trial.</param>
    /// <param name="containment">The containment q in (0, 1).</param>
    /// <exception cref="ArgumentException">Fewer than two values, or q outside (0, 1).</exception>
    public static CalibratedLevel FromTrials(IReadOnlyList<double> values, double containment)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Count < 2)
        {
            throw new ArgumentException("a calibrated level needs at least two trials", nameof(values));
        }

        if (!(containment > 0 && containment < 1))
        {
            throw new ArgumentException($"containment must be in (0, 1), got {containment}", nameof(containment));
        }

        var sorted = values.Select(v => double.IsNaN(v) ? double.PositiveInfinity : v).Order().ToArray();
        var n = sorted.Length;
        var h = (n - 1) * containment;
        var lo = (int)Math.Floor(h);
        var level = lo + 1 < n && sorted[lo + 1] != sorted[lo] ? sorted[lo] + ((h - lo) * (sorted[lo + 1] - sorted[lo])) : sorted[lo];
        var spread = Math.Sqrt(n * containment * (1 - containment));
        // 1-based ranks N·q ∓ √(N·q·(1−q)), rounded outwards and clamped to [1, N].
        var rankLow = Math.Clamp((int)Math.Floor((n * containment) - spread), 1, n);
        var rankHigh = Math.Clamp((int)Math.Ceiling((n * containment) + spread), 1, n);
        var wilks = -2.0 * Math.Log(1.0 - containment);
        return new CalibratedLevel(containment, level, sorted[rankLow - 1], sorted[rankHigh - 1], Math.Sqrt(containment * (1 - containment) / n), wilks);
    }
}
