using System.Globalization;

namespace Skymap.Core.Plotting;

/// <summary>
/// matplotlib's perceptually uniform "plasma" colormap (11 samples, linear interpolation between them), used
/// reversed as skyreader's <c>plasma_r</c>: low 2ΔLLH bright yellow, high dark blue.
/// </summary>
internal static class Colormap
{
    // plasma at 0, 0.1, …, 1.
    private static readonly (byte R, byte G, byte B)[] PlasmaSamples =
    [
        (0x0d, 0x08, 0x87), (0x41, 0x04, 0x9d), (0x6a, 0x00, 0xa8), (0x8f, 0x0d, 0xa4), (0xb1, 0x2a, 0x90),
        (0xcc, 0x47, 0x78), (0xe1, 0x64, 0x62), (0xf2, 0x84, 0x4b), (0xfc, 0xa6, 0x36), (0xfc, 0xce, 0x25),
        (0xf0, 0xf9, 0x21),
    ];

    /// <summary>Colour of an unscanned or failed pixel.</summary>
    public static readonly (byte R, byte G, byte B) Bad = (0xb8, 0xb8, 0xb8);

    /// <summary>plasma(t) for t in [0, 1] (clamped).</summary>
    public static (byte R, byte G, byte B) Plasma(double t)
    {
        if (double.IsNaN(t))
        {
            return Bad;
        }

        t = Math.Clamp(t, 0.0, 1.0) * (PlasmaSamples.Length - 1);
        var i = Math.Min((int)t, PlasmaSamples.Length - 2);
        var f = t - i;
        var a = PlasmaSamples[i];
        var b = PlasmaSamples[i + 1];
        return (Lerp(a.R, b.R, f), Lerp(a.G, b.G, f), Lerp(a.B, b.B, f));
    }

    /// <summary>Colour of a 2ΔLLH value on a scale 0..<paramref name="maximum"/> (plasma reversed; NaN grey).</summary>
    public static (byte R, byte G, byte B) ForValue(double value, double maximum) =>
        double.IsNaN(value) ? Bad : Plasma(1.0 - (value / maximum));

    /// <summary>CSS hex form, e.g. <c>#f0f921</c>.</summary>
    public static string Hex((byte R, byte G, byte B) c) =>
        string.Create(CultureInfo.InvariantCulture, $"#{c.R:x2}{c.G:x2}{c.B:x2}");

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + ((b - a) * f));
}
