using Skymap.Core.Results;

namespace Skymap.Core.Tests.Results;

/// <summary>skyreader's is_close semantics (FORMATS.md §5).</summary>
public class IsCloseTests
{
    private static SkyScanResult One(long nside, params ResultRow[] rows) =>
        SkyScanResult.Create(137501, 1, "GOLD", 1.0, true, [(nside, rows)], true);

    private static SkyScanResult Two(ResultRow[] a, ResultRow[] b) =>
        SkyScanResult.Create(137501, 1, "GOLD", 1.0, true, [(8, a), (64, b)], true);

    private static ResultRow Row(long i, double llh, double eIn = 100, double eTot = 200) =>
        new(i, llh, eIn, eTot, 1.0, 2.0, 3.0, 4.0);

    [Fact]
    public void Tolerance_is_relative_to_the_other_result()
    {
        // |s - o| = 1; skyreader llh rtol 1e-4: close iff 1 <= 1e-8 + 1e-4 * |o|.
        var big = One(8, Row(0, 10000.0));
        var small = One(8, Row(0, 9999.0));
        Assert.True(small.IsClose(big)); // 1 <= 1e-8 + 1.0
        Assert.False(big.IsClose(small)); // 1 > 1e-8 + 0.9999
    }

    [Fact]
    public void Atol_is_added_to_the_relative_tolerance()
    {
        var a = One(8, Row(0, 0.0, 100, 200));
        var b = One(8, Row(0, 1e-8, 100, 200));
        var c = One(8, Row(0, 2e-8, 100, 200));
        Assert.True(b.IsClose(a));
        Assert.False(c.IsClose(a));
    }

    [Fact]
    public void Zero_energy_makes_the_pair_close()
    {
        var a = One(8, Row(0, 10.0, eIn: 0.0, eTot: 5.0));
        var b = One(8, Row(0, 10.0, eIn: 12345.0, eTot: 0.0));
        Assert.True(a.IsClose(b));
        Assert.True(b.IsClose(a));
        var row = a.Compare(b).Nsides[0].Rows[0];
        Assert.True(double.IsNaN(row.Diff[2]));
        Assert.True(double.IsNaN(row.Diff[3]));
        // The zero rule is per field: llh still counts.
        Assert.False(One(8, Row(0, 11.0, eIn: 0.0)).IsClose(One(8, Row(0, 10.0))));
    }

    [Fact]
    public void Zero_rule_does_not_apply_to_llh()
    {
        Assert.False(One(8, Row(0, 0.0)).IsClose(One(8, Row(0, 1.0))));
        var d = One(8, Row(0, 1.0)).Compare(One(8, Row(0, 0.0))).Nsides[0].Rows[0];
        Assert.Equal(double.PositiveInfinity, d.Diff[1]); // ZeroDivisionError -> inf
        Assert.False(d.Ok[1]);
    }

    [Fact]
    public void NaN_matches_NaN_only_with_equal_nan()
    {
        var a = One(8, ResultRow.Failed(3));
        var b = One(8, ResultRow.Failed(3));
        Assert.True(a.IsClose(b));
        Assert.False(a.IsClose(b, equalNan: false));
        Assert.False(a.IsClose(One(8, Row(3, 1.0))));
    }

    [Fact]
    public void Shorter_side_is_padded_with_NaN_so_a_length_mismatch_fails_on_index()
    {
        var a = One(8, Row(0, 1.0), Row(1, 2.0));
        var b = One(8, Row(0, 1.0));
        var cmp = a.Compare(b);
        Assert.False(cmp.IsClose);
        var n = cmp.Nsides[0];
        Assert.Equal(2, n.Rows.Count);
        var padded = n.Rows[1];
        Assert.Null(padded.Other);
        Assert.False(padded.Ok[0]); // index NaN != 1
        Assert.True(double.IsNaN(padded.Diff[0]));
        Assert.Equal(1, n.MismatchesPerField["index"]);
        Assert.Contains("index", padded.MismatchedFields);
        Assert.False(b.IsClose(a));
    }

    [Fact]
    public void Indices_need_exact_equality()
    {
        Assert.False(One(8, Row(0, 1.0)).IsClose(One(8, Row(1, 1.0))));
    }

    [Fact]
    public void Nsides_missing_on_either_side_are_ignored()
    {
        var both = Two([Row(0, 1.0)], [Row(5, 2.0)]);
        var only8 = One(8, Row(0, 1.0));
        var cmp = both.Compare(only8);
        Assert.True(cmp.IsClose);
        Assert.Equal([8L], cmp.Nsides.Select(n => n.Nside));
        Assert.Equal([64L], cmp.OnlyInSelf);
        Assert.Empty(cmp.OnlyInOther);
        Assert.True(only8.IsClose(both));
        Assert.True(One(512, Row(0, 1.0)).IsClose(only8)); // nothing shared: vacuously close
    }

    [Fact]
    public void V0_and_v1_compare_on_the_four_shared_fields()
    {
        var v1 = One(8, new ResultRow(0, 1.0, 2.0, 3.0, 99.0, 99.0, 99.0, 99.0));
        var v0 = SkyScanResultJson.Deserialize("""{"nside-8": {"columns": ["index","llh","E_in","E_tot"], "metadata": {"nside": 8}, "data": [[0, 1.0, 2.0, 3.0]]}}""");
        var cmp = v1.Compare(v0);
        Assert.True(cmp.IsClose);
        Assert.Equal(ResultColumns.V0, cmp.Fields);
        Assert.Equal(4, cmp.Nsides[0].Rows[0].Diff.Count);
    }

    [Fact]
    public void Custom_tolerances_replace_the_defaults_and_fields_without_one_need_equality()
    {
        var a = One(8, new ResultRow(0, 100.0, 100, 200, 1.0, 2.0, 3.0, 4.0));
        var b = One(8, new ResultRow(0, 105.0, 100, 200, 1.0, 2.0, 3.0, 4.0));
        Assert.False(a.IsClose(b));
        Assert.True(a.IsClose(b, rtolPerField: ResultTolerances.Scanner));
        // With llh left out of the dictionary it must be equal exactly.
        var onlyE = new Dictionary<string, double> { ["E_in"] = 0.1 };
        Assert.False(a.IsClose(b, rtolPerField: onlyE));
        Assert.True(a.IsClose(a, rtolPerField: onlyE));
        // Exact fields never take NaN as equal, whatever equal_nan says.
        var nan = One(8, ResultRow.Failed(0));
        Assert.False(nan.IsClose(nan, equalNan: true, rtolPerField: onlyE));
    }

    [Fact]
    public void Tolerance_tables_are_the_documented_ones()
    {
        Assert.Equal(1e-4, ResultTolerances.Skyreader["llh"]);
        Assert.Equal(1e-2, ResultTolerances.Skyreader["E_in"]);
        Assert.Equal(1e-2, ResultTolerances.Skyreader["E_tot"]);
        Assert.Equal(1e-3, ResultTolerances.Skyreader["X"]);
        Assert.Equal(1e-3, ResultTolerances.Skyreader["T"]);
        Assert.False(ResultTolerances.Skyreader.ContainsKey("index"));
        Assert.Equal(0.1, ResultTolerances.Scanner["llh"]);
        Assert.Equal(0.1, ResultTolerances.Scanner["Z"]);
        Assert.Equal(0.01, ResultTolerances.Scanner["T"]);
    }

    [Fact]
    public void Infinities_are_close_only_to_the_same_infinity()
    {
        Assert.True(One(8, Row(0, double.PositiveInfinity)).IsClose(One(8, Row(0, double.PositiveInfinity))));
        Assert.False(One(8, Row(0, double.PositiveInfinity)).IsClose(One(8, Row(0, double.NegativeInfinity))));
        Assert.False(One(8, Row(0, 1e308)).IsClose(One(8, Row(0, double.PositiveInfinity))));
    }

    [Fact]
    public void Diff_values_follow_skyreader()
    {
        var a = One(8, new ResultRow(3, 101.0, 100, 200, 1.0, 2.0, 3.0, 4.0));
        var b = One(8, new ResultRow(1, 100.0, 100, 200, 1.0, 2.0, 3.0, 4.0));
        var row = a.Compare(b).Nsides[0].Rows[0];
        Assert.Equal(2.0, row.Diff[0]); // s - o for exact fields
        Assert.Equal((1.0 - 1e-8) / 100.0, row.Diff[1]); // (|s - o| - atol) / |o|
        Assert.Equal([false, false, true, true, true, true, true, true], row.Ok);
        Assert.Equal(["index", "llh"], row.MismatchedFields);
    }

    [Fact]
    public void Diff_json_has_skyreaders_shape()
    {
        var a = One(8, Row(0, 1.0), ResultRow.Failed(1));
        var b = One(8, Row(0, 1.0));
        var json = a.Compare(b).ToDiffJson();
        var expected = """
            {
               "nside-8": [
                  [
                     [
                        0,
                        1.0,
                        100.0,
                        200.0,
                        1.0,
                        2.0,
                        3.0,
                        4.0
                     ],
                     [
                        0,
                        1.0,
                        100.0,
                        200.0,
                        1.0,
                        2.0,
                        3.0,
                        4.0
                     ],
                     [
                        0.0,
                        -1e-08,
                        -1e-10,
                        -5e-11,
                        -1e-08,
                        -5e-09,
                        -3.3333333333333334e-09,
                        -2.5e-09
                     ],
                     [
                        true,
                        true,
                        true,
                        true,
                        true,
                        true,
                        true,
                        true
                     ]
                  ],
                  [
                     [
                        1,
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN
                     ],
                     [
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN
                     ],
                     [
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN,
                        NaN
                     ],
                     [
                        false,
                        true,
                        true,
                        true,
                        true,
                        true,
                        true,
                        true
                     ]
                  ]
               ]
            }
            """;
        Assert.Equal(expected.ReplaceLineEndings("\n"), json);
    }

    [Fact]
    public void Summary_names_mismatching_fields()
    {
        var a = Two([Row(0, 1.0), Row(1, 5.0)], [Row(7, 1.0)]);
        var b = One(8, Row(0, 1.0), Row(1, 6.0));
        var text = a.Compare(b).Summary();
        Assert.Contains("close: no", text, StringComparison.Ordinal);
        Assert.Contains("nside-8: 2 vs 2 rows, 1 mismatching (llh 1)", text, StringComparison.Ordinal);
        Assert.Contains("only in first: nside-64", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_json_file_is_written()
    {
        var dir = Directory.CreateTempSubdirectory("skymap-diff-");
        try
        {
            var path = Path.Combine(dir.FullName, "a.json-b.json.diff.json");
            var cmp = One(8, Row(0, 1.0)).Compare(One(8, Row(0, 2.0)));
            cmp.WriteDiffJson(path);
            Assert.Equal(cmp.ToDiffJson(), File.ReadAllText(path));
        }
        finally
        {
            dir.Delete(true);
        }
    }
}
