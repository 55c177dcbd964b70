using System.Text;
using System.Text.Json;
using Skymap.Core.Results;

namespace Skymap.Core.Scanning;

/// <summary>
/// Writes a scan's files into an output directory (FORMATS.md §4, §8): <c>scan-manifest.json</c> on every progress report
/// and the result JSON + NPZ on every non-empty result; every write is atomic (temporary file, then rename).
/// </summary>
public sealed class FileScanObserver : IScanObserver
{
    /// <summary>The manifest file name.</summary>
    public const string ManifestFileName = "scan-manifest.json";

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };

    /// <summary>Creates the observer for a directory (created when missing).</summary>
    public FileScanObserver(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
    }

    /// <summary>The output directory.</summary>
    public string Directory { get; }

    /// <summary>Paths of the latest result files, or null before the first result.</summary>
    public ResultFilePaths? LatestResult { get; private set; }

    /// <summary>Path of the manifest.</summary>
    public string ManifestPath => Path.Combine(Directory, ManifestFileName);

    /// <inheritdoc />
    public Task OnProgressAsync(ScanProgressReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = report.Manifest.ToJsonString(ManifestJson);
        ResultFiles.WriteAtomically(ManifestPath, s =>
        {
            var bytes = Encoding.UTF8.GetBytes(text + "\n");
            s.Write(bytes);
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task OnResultAsync(ScanResultSnapshot result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (!result.IsEmpty)
        {
            var previous = LatestResult;
            LatestResult = ResultFiles.Write(result.ToSkyScanResult(), Directory);

            // A partial result with fewer nsides has another file name; remove it once a newer one is written.
            if (previous is { } p && p != LatestResult)
            {
                File.Delete(p.Json);
                File.Delete(p.Npz);
            }
        }

        return Task.CompletedTask;
    }
}
