using SkiaSharp;

namespace Skymap.Plotting;

/// <summary>
/// matplotlib's "plasma" colormap (sampled at 0, 0.1, …, 1, linear in between), used reversed as skyreader's
/// <c>plasma_r</c>: low 2ΔLLH bright yellow, high dark blue; NaN (not scanned, failed) grey.
/// </summary>
internal static class Plasma
{
    private static readonly (byte R, byte G, byte B)[] Samples =
    [
        (0x0d, 0x08, 0x87), (0x41, 0x04, 0x9d), (0x6a, 0x00, 0xa8), (0x8f, 0x0d, 0xa4), (0xb1, 0x2a, 0x90),
        (0xcc, 0x47, 0x78), (0xe1, 0x64, 0x62), (0xf2, 0x84, 0x4b), (0xfc, 0xa6, 0x36), (0xfc, 0xce, 0x25),
        (0xf0, 0xf9, 0x21),
    ];

    /// <summary>Colour of a pixel without a value.</summary>
    public static readonly SKColor Unscanned = new(0xa0, 0xa0, 0xa0);

    /// <summary>plasma(t), t clamped to [0, 1].</summary>
    public static SKColor At(double t)
    {
        t = Math.Clamp(t, 0.0, 1.0) * (Samples.Length - 1);
        var i = Math.Min((int)t, Samples.Length - 2);
        var f = t - i;
        var a = Samples[i];
        var b = Samples[i + 1];
        return new SKColor(Lerp(a.R, b.R, f), Lerp(a.G, b.G, f), Lerp(a.B, b.B, f));
    }

    /// <summary>plasma_r of a value on the scale [0, <paramref name="maximum"/>]; NaN gives <see cref="Unscanned"/>.</summary>
    public static SKColor Reversed(double value, double maximum) =>
        double.IsNaN(value) ? Unscanned : At(1.0 - (value / maximum));

    private static byte Lerp(byte a, byte b, double f) => (byte)Math.Round(a + ((b - a) * f));
}
