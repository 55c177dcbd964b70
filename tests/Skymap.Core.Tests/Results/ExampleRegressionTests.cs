using Skymap.Core.Results;

namespace Skymap.Core.Tests.Results;

/// <summary>FORMATS.md §2.1's example, kept as a regression test.</summary>
public class ExampleRegressionTests
{
    [Fact]
    public void Example_loads_with_both_nsides_and_metadata()
    {
        var r = SkyScanResultJson.Deserialize(ResultTestData.ExampleJson);
        Assert.Equal([8L, 64L], r.Nsides);
        Assert.Equal(1, r.Version);
        Assert.True(r.HasEventMetadata);
        Assert.Equal(
            new ResultMetadata(8, true, 137501, 20453318, "GOLD", 59921.437118, true, 1),
            r.Blocks[0].Metadata);
        Assert.Equal(64, r.Blocks[1].Metadata.Nside);
        Assert.Equal("run00137501.evt000020453318.GOLD", r.EventName);
        Assert.Equal("run00137501.evt000020453318.GOLD_8_64", ResultFiles.FileStem(r));
        Assert.Equal(new ResultRow(412, 618.5093, 21102.0, 25166.75, -208.9, 90.1, -137.2, 11198.4), r.Blocks[0].Rows[1]);
        var failed = r.Blocks[1].Rows[2];
        Assert.Equal(25313, failed.Index);
        Assert.True(double.IsNaN(failed.Llh) && double.IsNaN(failed.T));
    }

    [Fact]
    public void Skymap_best_fit_is_nside_64_pixel_25312()
    {
        var r = SkyScanResultJson.Deserialize(ResultTestData.ExampleJson);
        var best = r.BestFit();
        Assert.NotNull(best);
        Assert.Equal(64, best.Value.Nside);
        Assert.Equal(25312, best.Value.Index);
        Assert.Equal(617.2258, best.Value.Llh);
        Assert.Equal(r.Blocks[1].Rows[1], best.Value.Row);
    }

    [Fact]
    public void Best_direction_uses_the_given_pix2ang()
    {
        var r = SkyScanResultJson.Deserialize(ResultTestData.ExampleJson);
        (long, long)? asked = null;
        var dir = r.BestDirection((nside, pixel) =>
        {
            asked = (nside, pixel);
            return (Math.PI / 2 + 0.03125, 2.356194490192345);
        });
        Assert.Equal((64L, 25312L), asked);
        Assert.NotNull(dir);
        Assert.Equal(2.356194490192345, dir.Value.Ra);
        Assert.Equal(-0.03125, dir.Value.Dec, 15);
    }

    [Fact]
    public void Example_written_back_is_Pythons_json_dump_indent_4()
    {
        // example_2_1.expected.json was produced by json.dump(example, f, indent=4) (oracle/gen_golden.py).
        var r = SkyScanResultJson.Deserialize(ResultTestData.ExampleJson);
        var expected = ResultTestData.ReadData("example_2_1.expected.json");
        Assert.Equal(expected, SkyScanResultJson.Serialize(r));
    }

    [Fact]
    public void Layout_details_match_Python()
    {
        var text = SkyScanResultJson.Serialize(SkyScanResultJson.Deserialize(ResultTestData.ExampleJson));
        Assert.StartsWith("{\n    \"nside-8\": {\n        \"columns\": [\n            \"index\",\n", text, StringComparison.Ordinal);
        Assert.Contains("            [\n                25313,\n                \"<skyreader.nan>\",\n", text, StringComparison.Ordinal);
        Assert.Contains("\"metadata\": {\n            \"nside\": 64,\n            \"complete\": true,\n", text, StringComparison.Ordinal);
        Assert.EndsWith("            \"version\": 1\n        }\n    }\n}", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\r", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" \n", text, StringComparison.Ordinal);
    }
}
