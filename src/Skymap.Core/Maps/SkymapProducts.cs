using System.Globalization;
using System.Text;
using Skymap.Core.Results;

namespace Skymap.Core.Maps;

/// <summary>
/// Draws the figures of a result (the seam between the managed map products of Core and a plotting package such as
/// Skymap.Plotting, which supplies the implementation).
/// </summary>
public interface ISkymapFigureWriter
{
    /// <summary>Writes the figures of an analysed result into a directory.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="directory">The output directory (exists).</param>
    /// <param name="cancellationToken">Stops between figures.</param>
    /// <returns>The paths written.</returns>
    IReadOnlyList<string> WriteFigures(SkymapAnalysis analysis, string directory, CancellationToken cancellationToken);
}

/// <summary>What <see cref="SkymapProducts"/> writes besides the 2ΔLLH maps and the contour files.</summary>
public sealed record SkymapProductOptions
{
    /// <summary>The default: probability maps without smoothing, no figures.</summary>
    public static SkymapProductOptions Default { get; } = new();

    /// <summary>Write the probability maps (flattened <c>PROB</c> and multi-order <c>PROBDENSITY</c>). Default true.</summary>
    public bool ProbabilityMaps { get; init; } = true;

    /// <summary>σ (deg) of the Gaussian smoothing of the probability map (skyreader's angular error floor); null: none.</summary>
    public double? AngularErrorFloorDegrees { get; init; }

    /// <summary>Draws the figures; null writes none.</summary>
    public ISkymapFigureWriter? Figures { get; init; }
}

/// <summary>Paths of the products written for a result.</summary>
/// <param name="Fits">The gzipped FITS 2ΔLLH map (<c>{stem}.skymap_nside_{max}_llh.fits.gz</c>).</param>
/// <param name="MultiOrderFits">The multi-order 2ΔLLH map (<c>{stem}.skymap_nside_{max}_llh.multiorder.fits.gz</c>).</param>
/// <param name="ProbabilityFits">The probability map, or null when not written.</param>
/// <param name="ProbabilityMultiOrderFits">The multi-order probability map, or null when not written.</param>
/// <param name="Contours">The contour files <c>{stem}.contour_50.txt</c> and <c>{stem}.contour_90.txt</c> that were written.</param>
/// <param name="Figures">The figure files (empty without a figure writer).</param>
public sealed record SkymapProductPaths(
    string Fits, string MultiOrderFits, string? ProbabilityFits, string? ProbabilityMultiOrderFits,
    IReadOnlyList<string> Contours, IReadOnlyList<string> Figures)
{
    /// <summary>Every path, in writing order.</summary>
    public IEnumerable<string> All =>
        new[] { Fits, MultiOrderFits, ProbabilityFits, ProbabilityMultiOrderFits }.OfType<string>().Concat(Contours).Concat(Figures);
}

/// <summary>
/// Writes the products of a result (skyreader's files): the FITS maps (flattened and multi-order, 2ΔLLH and
/// probability), the 50 %/90 % contour polygons, and the figures of an <see cref="ISkymapFigureWriter"/>.
/// </summary>
public static class SkymapProducts
{
    /// <summary>Analyses a result and writes its products into a directory.</summary>
    /// <param name="result">The result; needs at least one pixel with a finite llh.</param>
    /// <param name="directory">The output directory; created when missing.</param>
    /// <param name="systematics">Use the IC160427A systematics levels (22.2/64.2) instead of Wilks' levels.</param>
    /// <param name="options">What to write; <see cref="SkymapProductOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops between files.</param>
    /// <returns>The paths written.</returns>
    /// <exception cref="ArgumentException">No pixel has a finite llh.</exception>
    public static SkymapProductPaths WriteAll(
        SkyScanResult result, string directory, bool systematics = false, SkymapProductOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        return WriteAll(new SkymapAnalysis(result, systematics), directory, options, cancellationToken);
    }

    /// <summary>Writes the products of an analysis into a directory.</summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="directory">The output directory; created when missing.</param>
    /// <param name="options">What to write; <see cref="SkymapProductOptions.Default"/> when null.</param>
    /// <param name="cancellationToken">Stops between files.</param>
    /// <returns>The paths written.</returns>
    public static SkymapProductPaths WriteAll(
        SkymapAnalysis analysis, string directory, SkymapProductOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= SkymapProductOptions.Default;
        Directory.CreateDirectory(directory);
        var result = analysis.Result;
        var fits = Path.Combine(directory, SkymapFits.FileName(result));
        SkymapFits.Write(analysis, fits);
        cancellationToken.ThrowIfCancellationRequested();
        var multi = Path.Combine(directory, SkymapFits.MultiOrderFileName(result));
        SkymapFits.WriteMultiOrder(analysis, multi);

        string? probFits = null, probMulti = null;
        if (options.ProbabilityMaps)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var probability = analysis.ProbabilityMap(options.AngularErrorFloorDegrees);
            probFits = Path.Combine(directory, SkymapFits.ProbabilityFileName(result));
            SkymapFits.WriteProbability(analysis, probability, probFits);
            probMulti = Path.Combine(directory, SkymapFits.MultiOrderFileName(result, probability: true));
            SkymapFits.WriteMultiOrderProbability(analysis, probability, probMulti);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var contours = WriteContourFiles(analysis, directory);
        var figures = options.Figures is { } writer ? writer.WriteFigures(analysis, directory, cancellationToken) : [];
        return new SkymapProductPaths(fits, multi, probFits, probMulti, contours, figures);
    }

    /// <summary>The contour file name <c>{stem}.contour_{percent}.txt</c>.</summary>
    /// <param name="result">The result.</param>
    /// <param name="percent">"50" or "90".</param>
    /// <returns>The name.</returns>
    public static string ContourFileName(SkyScanResult result, string percent) => $"{ResultFiles.FileStem(result)}.contour_{percent}.txt";

    /// <summary>
    /// Writes <c>{stem}.contour_50.txt</c> and <c>{stem}.contour_90.txt</c> as skyreader (astropy <c>ascii.write</c>,
    /// basic format): a header <c>"ra (rad)" "dec (rad)"</c>, then one vertex per line (RA in [0, 2π), Dec, radians,
    /// round-trip digits) of the level's main (largest) contour line. A level without a contour writes no file.
    /// </summary>
    /// <param name="analysis">The analysed result.</param>
    /// <param name="directory">The output directory (exists).</param>
    /// <returns>The files written.</returns>
    public static IReadOnlyList<string> WriteContourFiles(SkymapAnalysis analysis, string directory)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var written = new List<string>(2);
        string[] percents = ["50", "90"];
        for (var l = 0; l < 2; l++)
        {
            var lines = analysis.Contours(analysis.Levels[l].Value);
            if (lines.Count == 0)
            {
                continue;
            }

            var main = lines[0];
            var ras = main.RightAscensions();
            var decs = main.Declinations();
            var sb = new StringBuilder("\"ra (rad)\" \"dec (rad)\"\n");
            for (var i = 0; i < ras.Length; i++)
            {
                sb.Append(ras[i].ToString("R", CultureInfo.InvariantCulture)).Append(' ')
                    .Append(decs[i].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
            }

            var path = Path.Combine(directory, ContourFileName(analysis.Result, percents[l]));
            var bytes = Encoding.ASCII.GetBytes(sb.ToString());
            ResultFiles.WriteAtomically(path, s => s.Write(bytes));
            written.Add(path);
        }

        return written;
    }
}
