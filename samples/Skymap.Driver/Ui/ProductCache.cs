using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Skymap.Core.Maps;
using Skymap.Core.Results;
using Skymap.Driver.Launch;
using Skymap.Plotting;

namespace Skymap.Driver.Ui;

/// <summary>What the page shows of a result: best fit and contour areas.</summary>
internal sealed record ResultSummary(JsonObject Json, string Digest);

/// <summary>
/// Products of a stored result (zoomed and full-sky plots as PNG/SVG/PDF, FITS map, result JSON/NPZ), rendered on first request into the data
/// directory, keyed by the result's digest so that a newer partial or final result renders afresh.
/// </summary>
internal sealed class ProductCache(LaunchOptions options, ILogger<ProductCache> logger)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResultSummary> _summaries = new(StringComparer.Ordinal);

    public static readonly IReadOnlyDictionary<string, string> Kinds = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["plot.png"] = "image/png",
        ["plot.svg"] = "image/svg+xml",
        ["plot.pdf"] = "application/pdf",
        ["fullsky.png"] = "image/png",
        ["fullsky.svg"] = "image/svg+xml",
        ["fullsky.pdf"] = "application/pdf",
        ["map.fits.gz"] = "application/gzip",
        ["result.json"] = "application/json",
        ["result.npz"] = "application/zip",
    };

    public static string Digest(string doc) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(doc)))[..16];

    /// <summary>Best fit (RA/Dec in degrees, llh, nside) and 50%/90% areas of a result; null when it has no finite pixel.</summary>
    public JsonObject? Summary(string scanId, string doc)
    {
        var digest = Digest(doc);
        if (_summaries.TryGetValue(scanId, out var s) && s.Digest == digest)
        {
            return s.Json;
        }

        JsonObject? json = null;
        try
        {
            var result = SkyScanResultJson.Deserialize(doc);
            if (result.BestFit() is not null)
            {
                var a = new SkymapAnalysis(result);
                var areas = new JsonObject();
                foreach (var c in a.Summaries)
                {
                    areas[c.Level.Label] = new JsonObject { ["pixel_sum_deg2"] = c.PixelSumArea, ["contour_deg2"] = c.PolygonArea };
                }

                json = new JsonObject
                {
                    ["ra_deg"] = a.BestRaDegrees,
                    ["dec_deg"] = a.BestDecDegrees,
                    ["llh"] = a.BestLlh,
                    ["nside"] = a.BestFit.Nside,
                    ["pixel"] = a.BestFit.Index,
                    ["areas"] = areas,
                };
            }
        }
#pragma warning disable CA1031 // a summary is decoration; the result itself is served regardless
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogWarning("Scan {ScanId}: no summary of the result ({Error})", scanId, e.Message);
        }

        if (json is not null)
        {
            _summaries[scanId] = new ResultSummary(json, digest);
        }

        return json;
    }

    /// <summary>The path of a product of the result <paramref name="doc"/>, rendering it when needed; null when it cannot be made.</summary>
    public async Task<string?> GetAsync(string scanId, string doc, string kind, CancellationToken ct)
    {
        var dir = Path.Combine(options.DataDirectory, "scans", scanId, "products", Digest(doc));
        var path = Path.Combine(dir, kind);
        if (File.Exists(path))
        {
            return path;
        }

        var gate = _locks.GetOrAdd(scanId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            if (!File.Exists(path))
            {
                await Task.Run(() => Render(doc, dir), ct);
            }
        }
        finally
        {
            gate.Release();
        }

        return File.Exists(path) ? path : null;
    }

    private void Render(string doc, string dir)
    {
        Directory.CreateDirectory(dir);
        var result = SkyScanResultJson.Deserialize(doc);
        var tmp = Path.Combine(dir, ".render-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            var files = ResultFiles.Write(result, tmp);
            Move(files.Json, Path.Combine(dir, "result.json"));
            Move(files.Npz, Path.Combine(dir, "result.npz"));
            if (result.BestFit() is not null)
            {
                // plot.* is skyreader's zoomed plot, fullsky.* its full-sky Mollweide plot (Skymap.Plotting).
                var analysis = new SkymapAnalysis(result);
                var products = SkymapProducts.WriteAll(analysis, tmp, new SkymapProductOptions { ProbabilityMaps = false, Figures = new SkymapFigureWriter() });
                foreach (var format in new[] { FigureFormat.Png, FigureFormat.Svg, FigureFormat.Pdf })
                {
                    var extension = format.ToString().ToLowerInvariant();
                    Move(Path.Combine(tmp, SkymapFigures.FileName(analysis, SkymapFigureKind.Zoomed, format)), Path.Combine(dir, "plot." + extension));
                    Move(Path.Combine(tmp, SkymapFigures.FileName(analysis, SkymapFigureKind.FullSky, format)), Path.Combine(dir, "fullsky." + extension));
                }

                Move(products.Fits, Path.Combine(dir, "map.fits.gz"));
            }
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }

    private static void Move(string from, string to) => File.Move(from, to, overwrite: true);
}
