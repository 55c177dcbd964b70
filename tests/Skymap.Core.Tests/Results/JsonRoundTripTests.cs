using System.Text;
using Skymap.Core.Results;

namespace Skymap.Core.Tests.Results;

public class JsonRoundTripTests
{
    [Fact]
    public void Round_trip_is_bit_exact_including_NaN_rows()
    {
        var original = ResultTestData.Awkward();
        var text = SkyScanResultJson.Serialize(original);
        var back = SkyScanResultJson.Deserialize(text);
        ResultTestData.AssertSameRows(original, back);
        Assert.Equal(original.Blocks.Select(b => b.Metadata), back.Blocks.Select(b => b.Metadata));
        Assert.Equal(text, SkyScanResultJson.Serialize(back));
    }

    [Fact]
    public void Floats_are_written_as_Python_repr_and_ints_as_ints()
    {
        var text = SkyScanResultJson.Serialize(ResultTestData.Awkward());
        foreach (var token in new[] { "-0.0,", "1e-05,", "2.5e+16,", "1e+16,", "0.0001,", "123456789012345.67,", "5e-324\n", "412,", "21102.0,", "0.30000000000000004\n", "1.7976931348623157e+308," })
        {
            Assert.Contains(token, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
        Assert.DoesNotContain("E+", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Infinity_is_never_written_and_reads_back_as_NaN()
    {
        var r = SkyScanResult.Create(1, 2, "sim", 0.5, false,
            [(8, [new ResultRow(0, double.PositiveInfinity, double.NegativeInfinity, 1, 2, 3, 4, 5)])], true);
        var text = SkyScanResultJson.Serialize(r);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
        var back = SkyScanResultJson.Deserialize(text);
        Assert.True(double.IsNaN(back.Blocks[0].Rows[0].Llh));
        Assert.True(double.IsNaN(back.Blocks[0].Rows[0].EIn));
    }

    [Fact]
    public void Metadata_is_written_in_order_with_version_1()
    {
        var text = SkyScanResultJson.Serialize(ResultTestData.Awkward(complete: false));
        var expected = "\"metadata\": {\n            \"nside\": 8,\n            \"complete\": false,\n            \"run_id\": 137501,\n            \"event_id\": 20453318,\n            \"event_type\": \"GOLD\",\n            \"mjd\": 59921.437118,\n            \"is_real_event\": true,\n            \"version\": 1\n        }";
        Assert.Contains(expected, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Non_ascii_and_control_characters_are_escaped_as_Python_does()
    {
        var r = SkyScanResult.Create(1, 2, "Gé\"\\\n\u0001𝄞", double.NaN, false, [(1, [])], true);
        var text = SkyScanResultJson.Serialize(r);
        Assert.Contains("\"event_type\": \"G\\u00e9\\\"\\\\\\n\\u0001\\ud834\\udd1e\"", text, StringComparison.Ordinal);
        Assert.Contains("\"mjd\": \"<skyreader.nan>\"", text, StringComparison.Ordinal);
        Assert.Contains("\"data\": [],", text, StringComparison.Ordinal);
        Assert.True(text.All(c => c < 128));
        var back = SkyScanResultJson.Deserialize(text);
        Assert.Equal("Gé\"\\\n\u0001𝄞", back.Metadata.EventType);
        Assert.True(double.IsNaN(back.Metadata.Mjd));
    }

    [Fact]
    public void V0_result_is_written_as_v1_with_NaN_vertex()
    {
        var v0 = SkyScanResultJson.Deserialize("""{"nside-8": {"columns": ["index","llh","E_in","E_tot"], "metadata": {"nside": 8, "run_id": 123456, "event_id": 7, "event_type": "BRONZE", "mjd": 58000.0}, "data": [[0, 496.5, 4643.5, 4736.5]]}}""");
        var back = SkyScanResultJson.Deserialize(SkyScanResultJson.Serialize(v0));
        Assert.Equal(1, back.Version);
        Assert.Equal(8, back.Columns.Count);
        Assert.Equal("run00123456.evt000000000007.BRONZE", back.EventName);
        Assert.True(double.IsNaN(back.Blocks[0].Rows[0].X));
    }

    [Fact]
    public void Stream_and_file_forms_agree_with_text_and_have_no_BOM()
    {
        var r = ResultTestData.Awkward();
        using var ms = new MemoryStream();
        SkyScanResultJson.Write(r, ms);
        var bytes = ms.ToArray();
        Assert.NotEqual(0xEF, bytes[0]);
        Assert.Equal(SkyScanResultJson.Serialize(r), Encoding.UTF8.GetString(bytes));
        ms.Position = 0;
        ResultTestData.AssertSameRows(r, SkyScanResultJson.Read(ms));
    }
}
