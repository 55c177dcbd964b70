using Skymap.Core.Results;

namespace Skymap.Core.Tests.Results;

/// <summary>Every reader rule of FORMATS.md §2, each violated once.</summary>
public class JsonReaderRuleTests
{
    private const string V1Cols = """["index", "llh", "E_in", "E_tot", "X", "Y", "Z", "T"]""";
    private const string V0Cols = """["index", "llh", "E_in", "E_tot"]""";
    private const string V1Row = "[1, 10.5, 100.0, 200.0, 1.0, 2.0, 3.0, 4.0]";
    private const string V0Row = "[1, 10.5, 100.0, 200.0]";

    private static string Meta(long nside, string body = """, "complete": true, "run_id": 137501, "event_id": 1, "event_type": "GOLD", "mjd": 1.5, "is_real_event": true, "version": 1""") =>
        $$"""{"nside": {{nside}}{{body}}}""";

    private static string Block(string key, string columns, string data, string metadata) =>
        $$"""  "{{key}}": {"columns": {{columns}}, "data": {{data}}, "metadata": {{metadata}}}""";

    private static string Doc(params string[] blocks) => "{\n" + string.Join(",\n", blocks) + "\n}";

    private static string V1(long nside, string data = $"[{V1Row}]") => Block($"nside-{nside}", V1Cols, data, Meta(nside));

    public static TheoryData<string, string, string> Violations => new()
    {
        // Rule 1: top-level keys are nside-<int>.
        { "rule 1: key without dash", Doc(Block("nside8", V1Cols, $"[{V1Row}]", Meta(8))), "\"nside8\"" },
        { "rule 1: other key", Doc(V1(8), "  \"comment\": {}"), "\"comment\"" },
        { "rule 1: non-numeric nside", Doc(Block("nside-x", V1Cols, $"[{V1Row}]", Meta(8))), "\"nside-x\"" },
        // Rule 2: block keys exactly {columns, data, metadata}.
        { "rule 2: extra key", Doc("""  "nside-8": {"columns": ["index", "llh", "E_in", "E_tot"], "data": [], "metadata": {"nside": 8}, "extra": 1}"""), "\"extra\"" },
        { "rule 2: missing data", Doc("""  "nside-8": {"columns": ["index", "llh", "E_in", "E_tot"], "metadata": {"nside": 8}}"""), "missing \"data\"" },
        // Rule 3: columns equal the field list of metadata.version (missing -> 0).
        { "rule 3: v1 metadata with v0 columns", Doc(Block("nside-8", V0Cols, $"[{V0Row}]", Meta(8))), "\"columns\"" },
        { "rule 3: no version means v0", Doc(Block("nside-8", V1Cols, $"[{V1Row}]", """{"nside": 8, "run_id": 137501, "event_id": 1, "event_type": "GOLD", "mjd": 1.5}""")), "version 0" },
        { "rule 3: unknown version", Doc(Block("nside-8", V1Cols, $"[{V1Row}]", Meta(8, """, "run_id": 137501, "event_id": 1, "event_type": "GOLD", "mjd": 1.5, "version": 2"""))), "\"version\"" },
        { "rule 3: columns in another order", Doc(Block("nside-8", """["llh", "index", "E_in", "E_tot"]""", "[]", "{\"nside\": 8}")), "\"columns\"" },
        // Rule 4: metadata.nside equals the key's nside.
        { "rule 4: nside mismatch", Doc(Block("nside-64", V1Cols, $"[{V1Row}]", Meta(65))), "metadata \"nside\"" },
        { "rule 4: nside missing", Doc(Block("nside-8", V0Cols, $"[{V0Row}]", "{}")), "no \"nside\"" },
        // Rule 5: one version for all blocks.
        { "rule 5: mixed versions", Doc(V1(8), Block("nside-64", V0Cols, $"[{V0Row}]", """{"nside": 64, "run_id": 137501, "event_id": 1, "event_type": "GOLD", "mjd": 1.5}""")), "share one version" },
        // Rule 6: v1 needs run_id, event_id, mjd, event_type, nside in every block.
        { "rule 6: v1 block without run_id", Doc(V1(8), Block("nside-64", V1Cols, $"[{V1Row}]", """{"nside": 64, "event_id": 1, "event_type": "GOLD", "mjd": 1.5, "version": 1}""")), "run_id" },
        { "rule 6: v1 block without mjd", Doc(Block("nside-8", V1Cols, $"[{V1Row}]", """{"nside": 8, "run_id": 137501, "event_id": 1, "event_type": "GOLD", "version": 1}""")), "mjd" },
        // Rule 7: a real event needs 1e5 <= run_id < 1e6.
        { "rule 7: run id too small", Doc(Block("nside-8", V1Cols, $"[{V1Row}]", Meta(8, """, "run_id": 99999, "event_id": 1, "event_type": "GOLD", "mjd": 1.5, "is_real_event": true, "version": 1"""))), "run_id 99999" },
        { "rule 7: run id too large", Doc(Block("nside-8", V1Cols, $"[{V1Row}]", Meta(8, """, "run_id": 1000000, "event_id": 1, "event_type": "GOLD", "mjd": 1.5, "is_real_event": true, "version": 1"""))), "run_id 1000000" },
        // Rule 8 is about what loads; a non-integral index does not.
        { "rule 8: fractional index", Doc(V1(8, "[[1.5, 10.5, 100.0, 200.0, 1.0, 2.0, 3.0, 4.0]]")), "\"index\"" },
        { "rule 8: NaN index", Doc(V1(8, "[[NaN, 10.5, 100.0, 200.0, 1.0, 2.0, 3.0, 4.0]]")), "\"index\"" },
        // Cells and rows.
        { "row too short", Doc(V1(8, "[[1, 10.5, 100.0, 200.0]]")), "data row 0" },
        { "row not an array", Doc(V1(8, "[5]")), "data row 0" },
        { "string cell", Doc(V1(8, """[[1, "10.5", 100.0, 200.0, 1.0, 2.0, 3.0, 4.0]]""")), "column \"llh\"" },
        { "null cell", Doc(V1(8, "[[1, 10.5, null, 200.0, 1.0, 2.0, 3.0, 4.0]]")), "column \"E_in\"" },
        { "bool cell", Doc(V1(8, "[[1, 10.5, 100.0, true, 1.0, 2.0, 3.0, 4.0]]")), "column \"E_tot\"" },
        { "data not an array", Doc(Block("nside-8", V1Cols, "{}", Meta(8))), "\"data\"" },
        // Skymap: stricter where upstream is undefined.
        { "pixel out of range", Doc(V1(8, "[[768, 10.5, 100.0, 200.0, 1.0, 2.0, 3.0, 4.0]]")), "pixel index 768" },
        { "negative pixel", Doc(V1(8, "[[-1, 10.5, 100.0, 200.0, 1.0, 2.0, 3.0, 4.0]]")), "pixel index -1" },
        { "repeated pixel", Doc(V1(8, $"[{V1Row}, {V1Row}]")), "more than once" },
        { "repeated nside", Doc(V1(8), Block("nside-08", V1Cols, $"[{V1Row}]", Meta(8))), "same nside" },
        { "duplicate key", Doc(V1(8), V1(8)), "duplicate key" },
        { "nside zero", Doc(Block("nside-0", V0Cols, "[]", "{\"nside\": 0}")), "nside 0" },
        { "empty result", "{}", "no nside blocks" },
        { "top level array", "[]", "top-level value" },
        { "block not an object", "{\"nside-8\": []}", "must be an object" },
        { "metadata not an object", Doc(Block("nside-8", V0Cols, "[]", "[]")), "\"metadata\" must be an object" },
        { "run_id as string", Doc(Block("nside-8", V1Cols, $"[{V1Row}]", Meta(8, """, "run_id": "137501", "event_id": 1, "event_type": "GOLD", "mjd": 1.5, "version": 1"""))), "\"run_id\"" },
        { "event_type as number", Doc(Block("nside-8", V1Cols, $"[{V1Row}]", Meta(8, """, "run_id": 137501, "event_id": 1, "event_type": 5, "mjd": 1.5, "version": 1"""))), "\"event_type\"" },
        { "complete as number", Doc(Block("nside-8", V1Cols, $"[{V1Row}]", Meta(8, """, "complete": 1, "run_id": 137501, "event_id": 1, "event_type": "GOLD", "mjd": 1.5, "version": 1"""))), "\"complete\"" },
        { "mjd as string", Doc(Block("nside-8", V1Cols, $"[{V1Row}]", Meta(8, """, "run_id": 137501, "event_id": 1, "event_type": "GOLD", "mjd": "x", "version": 1"""))), "\"mjd\"" },
        // Not JSON at all.
        { "truncated", "{\"nside-8\": {", "Invalid JSON" },
        { "trailing comma", Doc(V1(8)) + ",", "Invalid JSON" },
        { "trailing comma in array", Doc(V1(8, $"[{V1Row},]")), "Invalid JSON" },
        { "single quotes", "{'nside-8': {}}", "Invalid JSON" },
        { "bare nan lowercase", Doc(V1(8, "[[1, nan, 100.0, 200.0, 1.0, 2.0, 3.0, 4.0]]")), "Invalid JSON" },
    };

    [Theory]
    [MemberData(nameof(Violations))]
    public void Violation_throws_SkyScanResultFormatException_naming_the_problem(string rule, string json, string fragment)
    {
        var e = Assert.Throws<SkyScanResultFormatException>(() => SkyScanResultJson.Deserialize(json));
        Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"{rule}: message \"{e.Message}\" lacks \"{fragment}\"");
    }

    [Fact]
    public void Control_documents_of_the_violations_are_valid()
    {
        // The helpers build valid documents when no rule is broken, so each violation above tests one thing.
        var r = SkyScanResultJson.Deserialize(Doc(V1(8), V1(64)));
        Assert.Equal([8L, 64L], r.Nsides);
        Assert.Equal(1, r.Version);
        var v0 = SkyScanResultJson.Deserialize(Doc(Block("nside-8", V0Cols, $"[{V0Row}]", "{\"nside\": 8}")));
        Assert.Equal(0, v0.Version);
    }

    [Fact]
    public void Ints_and_floats_are_interchangeable_in_data()
    {
        var r = SkyScanResultJson.Deserialize(Doc(V1(8, "[[3.0, 1500, 1, 2e3, -0, 0.5, 1E-5, 7]]")));
        var row = Assert.Single(r.Blocks[0].Rows);
        Assert.Equal(new ResultRow(3, 1500.0, 1.0, 2000.0, 0.0, 0.5, 1e-5, 7.0), row);
    }

    [Fact]
    public void Nan_spellings_are_accepted()
    {
        var r = SkyScanResultJson.Deserialize(Doc(V1(8, """[[1, "<skyreader.nan>", NaN, Infinity, -Infinity, 1e400, 0.0, 1.0]]""")));
        var row = r.Blocks[0].Rows[0];
        Assert.True(double.IsNaN(row.Llh));
        Assert.True(double.IsNaN(row.EIn));
        Assert.True(double.IsNaN(row.ETot)); // Skymap: bare Infinity reads as NaN
        Assert.True(double.IsNaN(row.X));
        Assert.True(double.IsNaN(row.Y)); // overflow to infinity reads as NaN too
        Assert.Equal(0.0, row.Z);
    }

    [Fact]
    public void Nan_sentinel_in_metadata_reads_as_NaN()
    {
        var r = SkyScanResultJson.Deserialize(Doc(Block("nside-8", V1Cols, "[]", Meta(8, """, "run_id": 1, "event_id": 1, "event_type": "sim", "mjd": "<skyreader.nan>", "version": 1"""))));
        Assert.True(double.IsNaN(r.Metadata.Mjd));
        Assert.False(r.Metadata.IsRealEvent);
        Assert.False(r.Metadata.Complete);
    }

    [Fact]
    public void Rows_are_resorted_by_index()
    {
        var r = SkyScanResultJson.Deserialize(Doc(V1(8, "[[5, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [2, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0], [9, 3.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]]")));
        Assert.Equal([2L, 5L, 9L], r.Blocks[0].Rows.Select(x => x.Index));
        Assert.Equal([2.0, 1.0, 3.0], r.Blocks[0].Rows.Select(x => x.Llh));
    }

    [Fact]
    public void Blocks_in_any_order_come_out_ascending()
    {
        var r = SkyScanResultJson.Deserialize(Doc(V1(512), V1(8), V1(64)));
        Assert.Equal([8L, 64L, 512L], r.Nsides);
    }

    [Fact]
    public void Block_keys_in_any_order_and_unknown_metadata_keys_are_accepted()
    {
        var json = """{"nside-8": {"metadata": {"nside": 8, "whatever": [1, 2]}, "data": [[0, 496.5, 4643.5, 4736.5]], "columns": ["index", "llh", "E_in", "E_tot"]}}""";
        var r = SkyScanResultJson.Deserialize(json);
        Assert.Single(r.Blocks[0].Rows);
    }

    [Fact]
    public void Minimal_v0_example_of_the_spec_loads()
    {
        var json = """{"nside-8": {"columns": ["index","llh","E_in","E_tot"], "metadata": {"nside": 8}, "data": [[0, 496.5, 4643.5, 4736.5]]}}""";
        var r = SkyScanResultJson.Deserialize(json);
        Assert.Equal(0, r.Version);
        Assert.Equal(ResultColumns.V0, r.Columns);
        Assert.False(r.HasEventMetadata);
        Assert.Equal(ResultMetadata.NsideOnly(8), r.Metadata);
        Assert.Equal("run00000000.evt000000000000.", r.EventName);
        var row = Assert.Single(r.Blocks[0].Rows);
        Assert.Equal(ResultRow.V0(0, 496.5, 4643.5, 4736.5), row);
        Assert.True(double.IsNaN(row.X) && double.IsNaN(row.T));
    }

    [Fact]
    public void Upstream_style_v0_file_with_event_metadata_loads()
    {
        // As skymap_scanner's older test fixtures: no version, no complete, bare NaN tokens.
        var json = """
            {
                "nside-1": {
                    "columns": ["index", "llh", "E_in", "E_tot"],
                    "data": [[1, 1079.0788843076734, NaN, NaN], [0, 1046.7078636968658, NaN, NaN]],
                    "metadata": {"nside": 1, "run_id": 136662, "event_id": 35405932, "event_type": "neutrino", "mjd": 59723.32051140454, "is_real_event": true}
                }
            }
            """;
        var r = SkyScanResultJson.Deserialize(json);
        Assert.Equal(0, r.Version);
        Assert.True(r.HasEventMetadata);
        Assert.Equal("run00136662.evt000035405932.neutrino", r.EventName);
        Assert.Equal([0L, 1L], r.Blocks[0].Rows.Select(x => x.Index));
        Assert.False(r.Complete);
    }
}
