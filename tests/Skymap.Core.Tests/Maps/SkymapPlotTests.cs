using System.Buffers.Binary;
using System.IO.Compression;
using System.Xml.Linq;
using Skymap.Core.Geometry;
using Skymap.Core.Maps;
using Skymap.Core.Plotting;
using Xunit.Abstractions;

namespace Skymap.Core.Tests.Maps;

public sealed class SkymapPlotTests(ITestOutputHelper output) : IDisposable
{
    // Set SKYMAP_PLOT_OUT to keep the plots for a look.
    private readonly string _dir = Environment.GetEnvironmentVariable("SKYMAP_PLOT_OUT") is { Length: > 0 } keep
        ? Directory.CreateDirectory(keep).FullName
        : Directory.CreateTempSubdirectory("skymap-plot-").FullName;

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("SKYMAP_PLOT_OUT") is not { Length: > 0 })
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    public static TheoryData<string> Events => new() { "GOLD", "GOLD-SYST", "BRONZE", "GAUSS", "GAUSS-RA0", "GAUSS-POLE" };

    private static SkymapAnalysis Analysis(string which) => which switch
    {
        "GOLD" => new SkymapAnalysis(MapTestData.Gold),
        "GOLD-SYST" => new SkymapAnalysis(MapTestData.Gold, systematics: true),
        "BRONZE" => new SkymapAnalysis(MapTestData.Bronze),
        "GAUSS" => new SkymapAnalysis(MapTestData.Gaussian(1.0, Vector3D.FromSpherical(1.2, 1.3))),
        "GAUSS-RA0" => new SkymapAnalysis(MapTestData.Gaussian(1.0, Vector3D.FromSpherical(1.9, 0.01))),
        _ => new SkymapAnalysis(MapTestData.Gaussian(1.0, Vector3D.FromSpherical(0.02, 2.0))),
    };

    [Theory]
    [MemberData(nameof(Events))]
    public void Products_are_valid_svg_png_and_fits(string which)
    {
        var analysis = Analysis(which);
        var dir = Path.Combine(_dir, which);
        var paths = SkymapProducts.WriteAll(analysis, dir);
        output.WriteLine($"{paths.Svg}: {new FileInfo(paths.Svg).Length} B; {paths.Png}: {new FileInfo(paths.Png).Length} B; {paths.Fits}: {new FileInfo(paths.Fits).Length} B");

        var svg = XDocument.Load(paths.Svg);
        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.True(new FileInfo(paths.Svg).Length < 2_000_000);
        var text = File.ReadAllText(paths.Svg);
        Assert.Contains(analysis.Result.EventName, text, StringComparison.Ordinal);
        Assert.Contains("Right ascension", text, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);

        var (width, height, rgb) = DecodePng(File.ReadAllBytes(paths.Png));
        Assert.Equal(900 + 70, width);
        Assert.Equal(900, height);
        Assert.Equal(width * height * 3, rgb.Length);
        Assert.True(File.Exists(paths.Fits));
    }

    [Fact]
    public void Png_encoder_crc_matches_the_standard_check_value()
    {
        Assert.Equal(0xCBF43926u, PngEncoder.Crc32("123456789"u8));
    }

    [Fact]
    public void Degree_labels_use_a_true_minus_and_the_step_decimals()
    {
        Assert.Equal("\u221241.5°", ZoomView.FormatDegrees(-41.5, 0.5));
        Assert.Equal("0.0°", ZoomView.FormatDegrees(-0.01, 0.5));
        Assert.Equal("224°", ZoomView.FormatDegrees(224, 1));
        Assert.Equal("47.5°", ZoomView.FormatDegrees(47.5, 2.5));
        Assert.Equal("0.25°", ZoomView.FormatDegrees(0.25, 0.25));
    }

    /// <summary>Decodes our own PNGs (RGB, 8 bit, filter per row), checking every chunk CRC.</summary>
    private static (int Width, int Height, byte[] Rgb) DecodePng(byte[] png)
    {
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        var offset = 8;
        int width = 0, height = 0;
        using var idat = new MemoryStream();
        while (offset < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            var data = png.AsSpan(offset + 8, length);
            var crc = BinaryPrimitives.ReadUInt32BigEndian(png.AsSpan(offset + 8 + length));
            Assert.Equal(crc, PngEncoder.Crc32(png.AsSpan(offset + 4, length + 4)));
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(data);
                height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                Assert.Equal(8, data[8]);
                Assert.Equal(2, data[9]);
            }
            else if (type == "IDAT")
            {
                idat.Write(data);
            }

            offset += 12 + length;
            if (type == "IEND")
            {
                break;
            }
        }

        Assert.Equal(png.Length, offset);
        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        var stride = width * 3;
        Assert.Equal((stride + 1) * height, bytes.Length);
        var rgb = new byte[stride * height];
        for (var y = 0; y < height; y++)
        {
            Assert.Equal(1, bytes[y * (stride + 1)]);
            for (var i = 0; i < stride; i++)
            {
                var left = i >= 3 ? rgb[(y * stride) + i - 3] : 0;
                rgb[(y * stride) + i] = (byte)(bytes[(y * (stride + 1)) + 1 + i] + left);
            }
        }

        return (width, height, rgb);
    }
}
