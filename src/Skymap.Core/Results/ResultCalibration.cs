namespace Skymap.Core.Results;

/// <summary>
/// Contour levels of one event calibrated by re-simulation (<c>skymap calibrate</c>), kept in the result's metadata as
/// additive keys that skyreader does not read: <c>calibration_trials</c>, <c>calibration_truth_model</c>,
/// <c>calibrated_2dllh_50</c>, <c>calibrated_2dllh_50_low</c>, <c>calibrated_2dllh_50_high</c> and the same three for 90.
/// </summary>
/// <remarks>
/// A calibrated level X means: among <see cref="Trials"/> events simulated at the best fit and scanned like this one, the
/// given fraction had 2ΔLLH &lt; X at the injected direction. Low/high bound the level with the binomial (order-statistic)
/// 68% interval of the quantile.
/// </remarks>
/// <param name="Trials">Number of re-simulated trials.</param>
/// <param name="TruthModel">Name of the truth model the trials were simulated with (e.g. <c>nominal</c>, <c>mismatch</c>).</param>
/// <param name="Level50">Calibrated 50% level of 2ΔLLH.</param>
/// <param name="Level50Low">Lower end of the 68% interval of <paramref name="Level50"/>.</param>
/// <param name="Level50High">Upper end of the 68% interval of <paramref name="Level50"/>.</param>
/// <param name="Level90">Calibrated 90% level of 2ΔLLH.</param>
/// <param name="Level90Low">Lower end of the 68% interval of <paramref name="Level90"/>.</param>
/// <param name="Level90High">Upper end of the 68% interval of <paramref name="Level90"/>.</param>
internal sealed record ResultCalibration(
    int Trials, string TruthModel, double Level50, double Level50Low, double Level50High, double Level90, double Level90Low, double Level90High)
{
    /// <summary>The metadata keys, in the order they are written (after upstream's keys).</summary>
    public static IReadOnlyList<string> MetadataKeys { get; } =
    [
        "calibration_trials", "calibration_truth_model",
        "calibrated_2dllh_50", "calibrated_2dllh_50_low", "calibrated_2dllh_50_high",
        "calibrated_2dllh_90", "calibrated_2dllh_90_low", "calibrated_2dllh_90_high",
    ];
}
