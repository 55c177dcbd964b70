using Skymap.Core.Results;

namespace Skymap.Core.Tests.Results;

public class ResultModelTests
{
    [Fact]
    public void Create_sorts_nsides_and_rows_and_sets_v1_metadata()
    {
        var r = SkyScanResult.Create(137501, 9, "GOLD", 2.5, true,
            [(64, [ResultRow.Failed(7), ResultRow.Failed(3)]), (8, [ResultRow.Failed(1)])], complete: false);
        Assert.Equal([8L, 64L], r.Nsides);
        Assert.Equal([3L, 7L], r.GetBlock(64).Rows.Select(x => x.Index));
        Assert.Equal(new ResultMetadata(64, false, 137501, 9, "GOLD", 2.5, true, 1), r.GetBlock(64).Metadata);
        Assert.True(r.HasEventMetadata);
        Assert.Equal(3, r.PixelCount);
        Assert.True(r.GetBlock(64).TryGetRow(7, out var row));
        Assert.Equal(7, row.Index);
        Assert.False(r.GetBlock(64).TryGetRow(5, out _));
        Assert.False(r.TryGetBlock(512, out _));
        Assert.Throws<KeyNotFoundException>(() => r.GetBlock(512));
    }

    [Fact]
    public void Empty_result_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => SkyScanResult.Create(137501, 1, "GOLD", 1, true, [], true));
        Assert.Throws<ArgumentException>(() => new SkyScanResult([]));
    }

    [Theory]
    [InlineData(0L, 0L)] // nside 0
    [InlineData(8L, 768L)] // pixel beyond 12 nside^2
    [InlineData(8L, -1L)]
    public void Invalid_nside_or_pixel_is_rejected(long nside, long pixel) =>
        Assert.Throws<ArgumentException>(() => SkyScanResult.Create(137501, 1, "GOLD", 1, true, [(nside, [ResultRow.Failed(pixel)])], true));

    [Fact]
    public void Repeated_pixel_or_nside_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => SkyScanResult.Create(137501, 1, "GOLD", 1, true, [(8, [ResultRow.Failed(1), ResultRow.Failed(1)])], true));
        Assert.Throws<ArgumentException>(() => SkyScanResult.Create(137501, 1, "GOLD", 1, true, [(8, []), (8, [])], true));
    }

    [Theory]
    [InlineData(99_999L, false)]
    [InlineData(100_000L, true)]
    [InlineData(999_999L, true)]
    [InlineData(1_000_000L, false)]
    public void Real_events_need_a_real_run_id(long runId, bool ok)
    {
        var make = () => SkyScanResult.Create(runId, 1, "GOLD", 1, true, [(8, [])], true);
        if (ok)
        {
            Assert.Equal(runId, make().Metadata.RunId);
        }
        else
        {
            Assert.Throws<ArgumentException>(make);
        }

        // Simulated events may use any run id.
        Assert.Equal(runId, SkyScanResult.Create(runId, 1, "sim", 1, false, [(8, [])], true).Metadata.RunId);
    }

    [Fact]
    public void Mixed_versions_are_rejected()
    {
        var v0 = new SkyScanResultBlock(ResultMetadata.NsideOnly(8), []);
        var v1 = new SkyScanResultBlock(new ResultMetadata(64, true, 1, 1, "x", 1, false, 1), []);
        Assert.Throws<ArgumentException>(() => new SkyScanResult([v0, v1]));
    }

    [Fact]
    public void Result_equality_is_strict_and_false_with_NaN()
    {
        var a = ResultTestData.WithLlh(8, 1.0, 2.0);
        Assert.True(a.ResultEquals(ResultTestData.WithLlh(8, 1.0, 2.0)));
        Assert.False(a.ResultEquals(ResultTestData.WithLlh(8, 1.0, 2.0000001)));
        Assert.False(a.ResultEquals(ResultTestData.WithLlh(8, 1.0)));
        Assert.False(a.ResultEquals(ResultTestData.WithLlh(64, 1.0, 2.0)));
        Assert.False(a.ResultEquals(null));
        var nan = ResultTestData.WithLlh(8, 1.0, double.NaN);
        Assert.False(nan.ResultEquals(nan));
        // v0 results compare on their four columns only (their NaN vertex does not count).
        const string v0 = """{"nside-8": {"columns": ["index","llh","E_in","E_tot"], "metadata": {"nside": 8}, "data": [[0, 496.5, 4643.5, 4736.5]]}}""";
        Assert.True(SkyScanResultJson.Deserialize(v0).ResultEquals(SkyScanResultJson.Deserialize(v0)));
        // Metadata does not take part, as upstream.
        var other = SkyScanResult.Create(123456, 2, "BRONZE", 3, false, [(8, a.Blocks[0].Rows)], false);
        Assert.True(a.ResultEquals(other));
    }

    [Fact]
    public void Best_fit_ignores_NaN_pixels_not_their_nside()
    {
        var r = SkyScanResult.Create(137501, 1, "GOLD", 1, true,
            [(8, [new ResultRow(0, 10.0, 1, 1, 1, 1, 1, 1)]), (64, [ResultRow.Failed(0), new ResultRow(1, 9.0, 1, 1, 1, 1, 1, 1)])], true);
        var best = r.BestFit();
        Assert.Equal((64L, 1L, 9.0), (best!.Value.Nside, best.Value.Index, best.Value.Llh));
    }

    [Fact]
    public void Best_fit_ties_go_to_the_first_nside_then_lowest_index()
    {
        var r = SkyScanResult.Create(137501, 1, "GOLD", 1, true,
            [(64, [new ResultRow(9, 5.0, 1, 1, 1, 1, 1, 1), new ResultRow(4, 5.0, 1, 1, 1, 1, 1, 1)]), (8, [new ResultRow(7, 5.0, 1, 1, 1, 1, 1, 1), new ResultRow(2, 5.0, 1, 1, 1, 1, 1, 1)])], true);
        var best = r.BestFit()!.Value;
        Assert.Equal((8L, 2L), (best.Nside, best.Index));
        var only64 = SkyScanResult.Create(137501, 1, "GOLD", 1, true,
            [(64, [new ResultRow(9, 5.0, 1, 1, 1, 1, 1, 1), new ResultRow(4, 5.0, 1, 1, 1, 1, 1, 1)])], true);
        Assert.Equal(4, only64.BestFit()!.Value.Index);
    }

    [Fact]
    public void Best_fit_of_an_all_NaN_result_is_none()
    {
        var r = ResultTestData.WithLlh(8, double.NaN, double.NaN);
        Assert.Null(r.BestFit());
        Assert.Null(r.BestDirection((_, _) => throw new InvalidOperationException("not called")));
        Assert.Null(SkyScanResult.Create(137501, 1, "GOLD", 1, true, [(8, [])], true).BestFit());
    }

    [Fact]
    public void Row_indexer_follows_v1_column_order()
    {
        var row = new ResultRow(5, 1, 2, 3, 4, 5, 6, 7);
        Assert.Equal([5.0, 1, 2, 3, 4, 5, 6, 7], Enumerable.Range(0, 8).Select(i => row[i]));
        Assert.Throws<ArgumentOutOfRangeException>(() => row[8]);
        Assert.Equal(ResultColumns.V1, ResultColumns.ForVersion(1));
        Assert.Equal(ResultColumns.V0, ResultColumns.ForVersion(0));
    }
}
