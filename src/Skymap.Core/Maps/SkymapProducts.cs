using Skymap.Core.Plotting;
using Skymap.Core.Results;

namespace Skymap.Core.Maps;

/// <summary>Paths of the map products written for a result.</summary>
/// <param name="Fits">The gzipped FITS HEALPix map (<c>{stem}.skymap_nside_{max}_llh.fits.gz</c>).</param>
/// <param name="Svg">The SVG plot (<c>{stem}.skymap.svg</c>).</param>
/// <param name="Png">The PNG plot (<c>{stem}.skymap.png</c>).</param>
public readonly record struct SkymapProductPaths(string Fits, string Svg, string Png);

/// <summary>Writes all map products of a result: the FITS map, the SVG plot and the PNG plot.</summary>
public static class SkymapProducts
{
    /// <summary>Analyses a result and writes its FITS map, SVG and PNG into a directory.</summary>
    /// <param name="result">The result; needs at least one pixel with a finite llh.</param>
    /// <param name="directory">The output directory; created when missing.</param>
    /// <param name="systematics">Use the IC160427A systematics levels (22.2/64.2) instead of Wilks' levels.</param>
    /// <returns>The paths written.</returns>
    /// <exception cref="ArgumentException">No pixel has a finite llh.</exception>
    public static SkymapProductPaths WriteAll(SkyScanResult result, string directory, bool systematics = false)
    {
        ArgumentNullException.ThrowIfNull(result);
        return WriteAll(new SkymapAnalysis(result, systematics), directory);
    }

    /// <summary>Writes the FITS map, SVG and PNG of an analysis into a directory.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="directory">The output directory; created when missing.</param>
    /// <param name="options">Plot options; <see cref="SkymapPlotOptions.Default"/> when null.</param>
    /// <returns>The paths written.</returns>
    public static SkymapProductPaths WriteAll(SkymapAnalysis analysis, string directory, SkymapPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        var result = analysis.Result;
        var paths = new SkymapProductPaths(
            Path.Combine(directory, SkymapFits.FileName(result)),
            Path.Combine(directory, SkymapPlot.SvgFileName(result)),
            Path.Combine(directory, SkymapPlot.PngFileName(result)));
        SkymapFits.Write(analysis, paths.Fits);
        SkymapPlot.WriteSvg(analysis, paths.Svg, options);
        SkymapPlot.WritePng(analysis, paths.Png, options);
        return paths;
    }
}
