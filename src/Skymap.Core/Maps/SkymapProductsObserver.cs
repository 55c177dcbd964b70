using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Scanning;

namespace Skymap.Core.Maps;

/// <summary>
/// A scan observer that writes a scan's products (<see cref="SkymapProducts"/>: FITS maps, contour files and, given a
/// figure writer, the plots) into a directory when the scan's final result arrives, and optionally on every partial
/// result. A failure to write is logged and kept in <see cref="LastError"/>; it never stops the scan (the result files
/// themselves are written by <see cref="FileScanObserver"/>).
/// </summary>
public sealed class SkymapProductsObserver : IScanObserver
{
    private readonly SkymapProductOptions _options;
    private readonly bool _systematics;
    private readonly bool _partialResults;
    private readonly ILogger _logger;

    /// <summary>Creates the observer.</summary>
    /// <param name="directory">The output directory; created when missing.</param>
    /// <param name="options">What to write (figures included); <see cref="SkymapProductOptions.Default"/> when null.</param>
    /// <param name="systematics">Use the IC160427A systematics levels instead of Wilks'.</param>
    /// <param name="partialResults">Also write the products of partial results (costly for large nsides).</param>
    /// <param name="logger">Where write failures are logged.</param>
    public SkymapProductsObserver(
        string directory, SkymapProductOptions? options = null, bool systematics = false, bool partialResults = false, ILogger<SkymapProductsObserver>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
        _options = options ?? SkymapProductOptions.Default;
        _systematics = systematics;
        _partialResults = partialResults;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The output directory.</summary>
    public string Directory { get; }

    /// <summary>The analysis of the latest result written, or null.</summary>
    public SkymapAnalysis? LatestAnalysis { get; private set; }

    /// <summary>The paths of the latest products written, or null.</summary>
    public SkymapProductPaths? LatestProducts { get; private set; }

    /// <summary>The latest write failure, or null.</summary>
    public Exception? LastError { get; private set; }

    /// <inheritdoc />
    public Task OnProgressAsync(ScanProgressReport report, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task OnResultAsync(ScanResultSnapshot result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Complete || _partialResults)
        {
            Write(result, cancellationToken);
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Writes the products of a snapshot now (e.g. the last partial result of a failed scan); nothing for an empty
    /// result or one without a finite llh.
    /// </summary>
    /// <param name="result">The snapshot.</param>
    /// <param name="cancellationToken">Stops between files.</param>
    /// <returns>The paths written, or null when nothing was written.</returns>
    public SkymapProductPaths? Write(ScanResultSnapshot result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsEmpty)
        {
            return null;
        }

        var sky = result.ToSkyScanResult();
        if (sky.BestFit() is null)
        {
            return null;
        }

        try
        {
            var analysis = new SkymapAnalysis(sky, _systematics);
            var paths = SkymapProducts.WriteAll(analysis, Directory, _options, cancellationToken);
            LatestAnalysis = analysis;
            LatestProducts = paths;
            LastError = null;
            return paths;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            LastError = e;
            _logger.LogError(e, "Writing the skymap products into {Directory} failed", Directory);
            return null;
        }
    }
}
