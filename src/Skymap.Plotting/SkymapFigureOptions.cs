namespace Skymap.Plotting;

/// <summary>An output format of a figure.</summary>
public enum FigureFormat
{
    /// <summary>PNG raster (at <see cref="SkymapFigureOptions.PngScale"/> pixels per point).</summary>
    Png,

    /// <summary>SVG (vector; text as outlines, the map as an embedded image).</summary>
    Svg,

    /// <summary>PDF (vector; text as outlines, the map as an embedded image).</summary>
    Pdf,
}

/// <summary>A direction on the sky in degrees.</summary>
/// <param name="RaDegrees">Right ascension (deg).</param>
/// <param name="DecDegrees">Declination (deg).</param>
public readonly record struct SkyPoint(double RaDegrees, double DecDegrees);

/// <summary>A reported error circle (e.g. an online reconstruction's): drawn at its radius and at its 90 % radius.</summary>
/// <param name="RaDegrees">Centre right ascension (deg).</param>
/// <param name="DecDegrees">Centre declination (deg).</param>
/// <param name="RadiusDegrees">The reported (50 %) radius (deg); the 90 % circle is drawn at 2.1459/1.177 times it, as skyreader.</param>
public readonly record struct SkyCircle(double RaDegrees, double DecDegrees, double RadiusDegrees);

/// <summary>Options of the figures of <see cref="SkymapFigures"/>.</summary>
public sealed record SkymapFigureOptions
{
    /// <summary>The default options: PNG, SVG and PDF, no extras.</summary>
    public static SkymapFigureOptions Default { get; } = new();

    /// <summary>The formats written by <see cref="SkymapFigures.WriteAll"/>. Default PNG, SVG and PDF.</summary>
    public IReadOnlyList<FigureFormat> Formats { get; init; } = [FigureFormat.Png, FigureFormat.Svg, FigureFormat.Pdf];

    /// <summary>PNG pixels per point (also the resolution of the map image embedded in SVG and PDF). Default 2.</summary>
    public float PngScale { get; init; } = 2f;

    /// <summary>Draw the 90 % bounding rectangle on the zoomed plot (skyreader's <c>plot_bounding_box</c>).</summary>
    public bool BoundingBox { get; init; }

    /// <summary>Reported error circles drawn on the zoomed plot.</summary>
    public IReadOnlyList<SkyCircle> Circles { get; init; } = [];

    /// <summary>The true direction (simulated events), marked on the zoomed plot; null: none.</summary>
    public SkyPoint? Truth { get; init; }
}
