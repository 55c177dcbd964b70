using Skymap.Core.Pixels;

namespace Skymap.Core.Tests.Scanning;

public class NSideProgressionTests
{
    [Theory]
    [InlineData("8:0 64:12 512:24", new[] { 8, 64, 512 })]
    [InlineData("1:0", new[] { 1 })]
    [InlineData("1:0 2:12", new[] { 1, 2 })]
    [InlineData("  1:0   2:12 4:12 ", new[] { 1, 2, 4 })]
    public void Parse_accepts_valid_progressions(string text, int[] nsides)
    {
        var p = NSideProgression.Parse(text);
        Assert.Equal(nsides, p.Nsides);
        Assert.Equal(nsides[0], p.MinNside);
        Assert.Equal(nsides[^1], p.MaxNside);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("8:1 64:12", "EXT 0")]
    [InlineData("8:0 64:0", "EXT > 0")]
    [InlineData("8:0 8:12", "twice")]
    [InlineData("64:0 8:12", "ascending")]
    [InlineData("12:0", "power of two")]
    [InlineData("8:0 64", "NSIDE:EXT")]
    [InlineData("8:0 64:x", "NSIDE:EXT")]
    [InlineData("8:0 64:-3", "NSIDE:EXT")]
    [InlineData("0:0", "power of two")]
    public void Parse_rejects_invalid_progressions_naming_the_rule(string text, string fragment)
    {
        var e = Assert.Throws<FormatException>(() => NSideProgression.Parse(text));
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Estimated_totals_match_upstream_for_the_default()
    {
        var p = NSideProgression.Default;
        Assert.Equal(768, p.EstimatedRecos(0, 1));
        Assert.Equal(768, p.EstimatedRecos(1, 1));
        Assert.Equal(1536, p.EstimatedRecos(2, 1));
        Assert.Equal(21504, Enumerable.Range(0, 3).Sum(i => p.EstimatedRecos(i, 7)));
        Assert.Equal("8:0 64:12 512:24", p.ToString());
    }
}
