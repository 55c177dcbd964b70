using Skymap.Core.Results;

namespace Skymap.Core.Tests.Results;

public sealed class ResultCalibrationTests
{
    private static SkyScanResult Small(ResultCalibration? calibration)
    {
        var meta = new ResultMetadata(1, true, 7, 8, "GOLD", 60000.5, false, 1) { Calibration = calibration };
        var rows = Enumerable.Range(0, 12).Select(i => new ResultRow(i, 10.0 + i, double.NaN, double.NaN, 1, 2, 3, 4));
        return new SkyScanResult([new SkyScanResultBlock(meta, rows)]);
    }

    [Fact]
    public void Calibration_keys_follow_the_upstream_keys_and_read_back()
    {
        var cal = new ResultCalibration(100, "mismatch", 2.5, 2.1, 2.9, 9.25, 8.0, 11.5);
        var json = SkyScanResultJson.Serialize(Small(cal));
        Assert.True(json.IndexOf("\"version\"", StringComparison.Ordinal) < json.IndexOf("\"calibration_trials\"", StringComparison.Ordinal));
        Assert.Contains("\"calibrated_2dllh_90\": 9.25", json, StringComparison.Ordinal);
        var back = SkyScanResultJson.Deserialize(json);
        Assert.Equal(cal, back.Metadata.Calibration);

        // Without a calibration nothing is added: the file is exactly upstream's layout.
        var plain = SkyScanResultJson.Serialize(Small(null));
        Assert.DoesNotContain("calibrat", plain, StringComparison.Ordinal);
        Assert.Null(SkyScanResultJson.Deserialize(plain).Metadata.Calibration);
    }

    [Fact]
    public void A_partial_calibration_is_an_error_naming_the_missing_keys()
    {
        var json = SkyScanResultJson.Serialize(Small(new ResultCalibration(100, "nominal", 1, 0.5, 1.5, 4, 3, 5)))
            .Replace("\"calibrated_2dllh_90_high\": 5.0,", "", StringComparison.Ordinal)
            .Replace(",\n            \"calibrated_2dllh_90_high\": 5.0", "", StringComparison.Ordinal);
        var e = Assert.Throws<SkyScanResultFormatException>(() => SkyScanResultJson.Deserialize(json));
        Assert.Contains("calibrated_2dllh_90_high", e.Message, StringComparison.Ordinal);
    }
}
