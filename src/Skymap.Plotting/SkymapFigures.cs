using Skymap.Core.Maps;
using Skymap.Core.Results;

namespace Skymap.Plotting;

/// <summary>The two figures of a result.</summary>
public enum SkymapFigureKind
{
    /// <summary>The full-sky Mollweide plot (skyreader's <c>create_plot</c>), file <c>{stem}.{ext}</c>.</summary>
    FullSky,

    /// <summary>
    /// The zoomed plot around the best fit (skyreader's <c>create_plot_zoomed</c>), file
    /// <c>{stem}.plot_zoomed_wilks.{ext}</c>, or <c>{stem}.plot_zoomed.{ext}</c> with the systematics levels.
    /// </summary>
    Zoomed,
}

/// <summary>
/// Skyreader's figures of a scan result, each drawn once with SkiaSharp and written as PNG, SVG or PDF from the
/// same drawing code, with text in the embedded DejaVu Sans font (as outlines, so it looks the same everywhere).
/// </summary>
public static class SkymapFigures
{
    /// <summary>The file name of a figure, e.g. <c>run00136766.evt000007637140.GOLD_8_64_512.plot_zoomed_wilks.png</c>.</summary>
    /// <param name="analysis">The analysed result (its levels decide the zoomed plot's name).</param>
    /// <param name="kind">Which figure.</param>
    /// <param name="format">The format.</param>
    /// <returns>The name, without a directory.</returns>
    public static string FileName(SkymapAnalysis analysis, SkymapFigureKind kind, FigureFormat format)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var stem = ResultFiles.FileStem(analysis.Result);
        var extension = format switch
        {
            FigureFormat.Png => "png",
            FigureFormat.Svg => "svg",
            FigureFormat.Pdf => "pdf",
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown figure format."),
        };
        return kind switch
        {
            SkymapFigureKind.FullSky => $"{stem}.{extension}",
            SkymapFigureKind.Zoomed => $"{stem}.{(analysis.Systematics ? "plot_zoomed" : "plot_zoomed_wilks")}.{extension}",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown figure."),
        };
    }

    /// <summary>Renders one figure in one format to a stream.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="kind">Which figure.</param>
    /// <param name="format">The format.</param>
    /// <param name="destination">The stream (left open).</param>
    /// <param name="options">Options; <see cref="SkymapFigureOptions.Default"/> when null.</param>
    public static void Render(SkymapAnalysis analysis, SkymapFigureKind kind, FigureFormat format, Stream destination, SkymapFigureOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(destination);
        Create(analysis, kind, options ?? SkymapFigureOptions.Default).Write(format, destination);
    }

    /// <summary>Writes both figures in every format of <see cref="SkymapFigureOptions.Formats"/> into a directory, each atomically.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="directory">The output directory; created when missing.</param>
    /// <param name="options">Options; <see cref="SkymapFigureOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops between files.</param>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> WriteAll(SkymapAnalysis analysis, string directory, SkymapFigureOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= SkymapFigureOptions.Default;
        Directory.CreateDirectory(directory);
        var written = new List<string>();
        foreach (var kind in new[] { SkymapFigureKind.FullSky, SkymapFigureKind.Zoomed })
        {
            var figure = Create(analysis, kind, options);
            foreach (var format in options.Formats.Distinct())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var path = Path.Combine(directory, FileName(analysis, kind, format));
                ResultFiles.WriteAtomically(path, s => figure.Write(format, s));
                written.Add(path);
            }
        }

        return written;
    }

    internal static Figure Create(SkymapAnalysis analysis, SkymapFigureKind kind, SkymapFigureOptions options) => kind switch
    {
        SkymapFigureKind.FullSky => new MollweideFigure(analysis, options),
        SkymapFigureKind.Zoomed => new ZoomedFigure(analysis, options),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown figure."),
    };
}

/// <summary>The <see cref="ISkymapFigureWriter"/> of Skymap.Plotting: writes <see cref="SkymapFigures.WriteAll"/>'s files.</summary>
/// <param name="options">Figure options; <see cref="SkymapFigureOptions.Default"/> when null.</param>
public sealed class SkymapFigureWriter(SkymapFigureOptions? options = null) : ISkymapFigureWriter
{
    /// <summary>The figure options.</summary>
    public SkymapFigureOptions Options { get; } = options ?? SkymapFigureOptions.Default;

    /// <inheritdoc />
    public IReadOnlyList<string> WriteFigures(SkymapAnalysis analysis, string directory, CancellationToken cancellationToken) =>
        SkymapFigures.WriteAll(analysis, directory, Options, cancellationToken);
}
