namespace Skymap.Core.Plotting;

/// <summary>Options of <see cref="SkymapPlot"/>.</summary>
public sealed record SkymapPlotOptions
{
    /// <summary>The default options.</summary>
    public static SkymapPlotOptions Default { get; } = new();

    /// <summary>
    /// Upper end of the colour scale in 2ΔLLH; larger values get the last colour. Default (null): 40 as skyreader's
    /// zoomed plot with Wilks levels, 100 with the systematics levels (so that 64.2 stays inside the scale).
    /// </summary>
    public double? ColorScaleMaximum { get; init; }

    /// <summary>
    /// Half width of the zoomed panel in degrees. Default (null): 1.4 × the largest distance of the outermost
    /// contour from the best fit, between 1° and 20°.
    /// </summary>
    public double? HalfWidthDegrees { get; init; }

    /// <summary>Side of the PNG's map in pixels (a colour bar is added to the right). Default 900.</summary>
    public int PngSize { get; init; } = 900;
}
