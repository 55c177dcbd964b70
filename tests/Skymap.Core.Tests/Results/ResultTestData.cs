using Skymap.Core.Results;

namespace Skymap.Core.Tests.Results;

/// <summary>Shared inputs of the result-file tests.</summary>
internal static class ResultTestData
{
    public static string DataDirectory => Path.Combine(AppContext.BaseDirectory, "Results", "data");

    public static string OracleScript => Path.Combine(AppContext.BaseDirectory, "Results", "oracle", "skyreader_oracle.py");

    public static string ReadData(string name) => File.ReadAllText(Path.Combine(DataDirectory, name));

    /// <summary>The valid minimal v1 JSON of FORMATS.md §2.1 (verbatim from the document).</summary>
    public static string ExampleJson => ReadData("example_2_1.json");

    /// <summary>A small v1 result with awkward values: NaN row, −0.0, tiny and huge floats.</summary>
    public static SkyScanResult Awkward(string eventType = "GOLD", bool complete = true) => SkyScanResult.Create(
        137501,
        20453318,
        eventType,
        59921.437118,
        isRealEvent: true,
        [
            (8, [
                new ResultRow(412, 618.5093, 21102.0, 25166.75, -208.9, 90.1, -137.2, 11198.4),
                new ResultRow(411, -0.0, 1e-05, 2.5e+16, 1e+16, 0.0001, 123456789012345.67, 5e-324),
                ResultRow.Failed(413),
            ]),
            (64, [
                new ResultRow(25312, 617.2258, 0.0, 1.7976931348623157e+308, double.Epsilon, -1e-300, 1e22, 0.1 + 0.2),
            ]),
        ],
        complete);

    /// <summary>A v1 result with one nside and given llh values at pixels 0, 1, 2, ….</summary>
    public static SkyScanResult WithLlh(long nside, params double[] llh) => SkyScanResult.Create(
        137501, 1, "GOLD", 60000.5, true,
        [(nside, llh.Select((v, i) => new ResultRow(i, v, 1000.0, 2000.0, 1.0, 2.0, 3.0, 4.0)))],
        complete: true);

    public static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    /// <summary>Bit-exact row equality, all NaNs being equal.</summary>
    public static void AssertSameRows(SkyScanResult expected, SkyScanResult actual)
    {
        Assert.Equal(expected.Nsides, actual.Nsides);
        foreach (var e in expected.Blocks)
        {
            var a = actual.GetBlock(e.Nside);
            Assert.Equal(e.Rows.Count, a.Rows.Count);
            for (var i = 0; i < e.Rows.Count; i++)
            {
                Assert.Equal(e.Rows[i].Index, a.Rows[i].Index);
                for (var c = 1; c < 8; c++)
                {
                    var x = e.Rows[i][c];
                    var y = a.Rows[i][c];
                    if (double.IsNaN(x))
                    {
                        Assert.True(double.IsNaN(y), $"nside {e.Nside} row {i} col {c}: expected NaN, got {y}");
                    }
                    else
                    {
                        Assert.Equal(Bits(x), Bits(y));
                    }
                }
            }
        }
    }
}
