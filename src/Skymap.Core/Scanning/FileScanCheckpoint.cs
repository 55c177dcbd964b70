using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;

namespace Skymap.Core.Scanning;

/// <summary>
/// A resume checkpoint in a cache directory (<c>--cache-dir</c>): an append-only JSON-lines file
/// <c>&lt;scan identity&gt;.checkpoint.jsonl</c> with a header line and one line per finished (or finally failed) pixel
/// variation, each append flushed to disk. A restarted scan with the same identity loads the lines and does not compute
/// them again. A torn last line (crash mid-append) is ignored and cut off before the next append.
/// </summary>
/// <remarks>
/// Line layout: <c>{"nside":N,"pixel":P,"posvar":V,"llh":…,"e_in":…,"e_tot":…,"x":…,"y":…,"z":…,"t":…,"energy":…}</c>, doubles
/// round-trip exact, non-finite ones as strings (<c>"NaN"</c>). Header: <c>{"format":"skymap-checkpoint/1","scan_identity":…}</c>.
/// </remarks>
internal sealed class FileScanCheckpoint : IScanCheckpoint, IDisposable
{
    /// <summary>The format name in the header line.</summary>
    public const string FormatName = "skymap-checkpoint/1";

    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly bool _flushToDisk;
    private FileStream? _stream;

    /// <summary>Creates (or opens) the checkpoint of one scan identity in a cache directory.</summary>
    /// <param name="cacheDirectory">The cache directory (created when missing).</param>
    /// <param name="scanIdentity">The scan identity (<see cref="ComputeScanIdentity(ScanStartup)"/>); used as the file name.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="flushToDisk">fsync every append (default true; tests may turn it off).</param>
    public FileScanCheckpoint(string cacheDirectory, string scanIdentity, ILogger? logger = null, bool flushToDisk = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        ArgumentException.ThrowIfNullOrEmpty(scanIdentity);
        if (scanIdentity.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || scanIdentity.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("the scan identity must be usable as a file name", nameof(scanIdentity));
        }

        Directory.CreateDirectory(cacheDirectory);
        ScanIdentity = scanIdentity;
        FilePath = Path.Combine(cacheDirectory, $"{scanIdentity}.checkpoint.jsonl");
        _logger = logger ?? NullLogger.Instance;
        _flushToDisk = flushToDisk;
    }

    /// <summary>The scan identity.</summary>
    public string ScanIdentity { get; }

    /// <summary>The checkpoint file.</summary>
    public string FilePath { get; }

    /// <summary>
    /// The scan identity: lower-case hex SHA-256 over the event document, the reco name, its settings (sorted), the nside
    /// progression and the scan seed. Two runs with the same identity compute the same variations.
    /// </summary>
    public static string ComputeScanIdentity(SkymapEvent evt, string recoAlgo, IReadOnlyDictionary<string, string> settings, NSideProgression nsides, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(evt);
        ArgumentNullException.ThrowIfNull(recoAlgo);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(nsides);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("identity", "skymap-scan-identity/1");
            w.WritePropertyName("event");
            SkymapEventSerializer.Write(w, evt);
            w.WriteString("reco_algo", recoAlgo);
            w.WriteStartObject("reco_settings");
            foreach (var kv in settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteString(kv.Key, kv.Value);
            }

            w.WriteEndObject();
            w.WriteString("nsides", nsides.ToString());
            w.WriteNumber("seed", seed);
            w.WriteEndObject();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    /// <summary>The scan identity of a scan startup (event, reco, settings, nsides, seed).</summary>
    public static string ComputeScanIdentity(ScanStartup startup)
    {
        ArgumentNullException.ThrowIfNull(startup);
        return ComputeScanIdentity(startup.Event, startup.RecoAlgo, startup.RecoContext.Settings, startup.Progression, startup.RecoContext.ScanSeed);
    }

    /// <summary>Creates the checkpoint of a scan startup in a cache directory.</summary>
    public static FileScanCheckpoint ForScan(string cacheDirectory, ScanStartup startup, ILogger? logger = null) =>
        new(cacheDirectory, ComputeScanIdentity(startup), logger);

    /// <inheritdoc />
    /// <exception cref="InvalidDataException">The file belongs to another scan identity or format.</exception>
    public async Task<IReadOnlyList<RecoPixelVariation>> LoadAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = OpenLocked();
            stream.Position = 0;
            var bytes = new byte[stream.Length];
            await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            var result = new List<RecoPixelVariation>();
            long goodEnd = 0;
            var lineNo = 0;
            var pos = 0;
            while (pos < bytes.Length)
            {
                var nl = Array.IndexOf(bytes, (byte)'\n', pos);
                if (nl < 0)
                {
                    _logger.LogWarning("Checkpoint {Path}: ignoring a torn last line ({Count} bytes)", FilePath, bytes.Length - pos);
                    break;
                }

                lineNo++;
                var line = bytes.AsSpan(pos, nl - pos);
                if (lineNo == 1)
                {
                    CheckHeader(line);
                }
                else if (TryParseLine(line, out var v))
                {
                    result.Add(v);
                }
                else
                {
                    _logger.LogWarning("Checkpoint {Path}: skipping unreadable line {Line}", FilePath, lineNo);
                }

                pos = nl + 1;
                goodEnd = pos;
            }

            if (goodEnd < bytes.Length)
            {
                stream.SetLength(goodEnd);
            }

            if (goodEnd == 0)
            {
                WriteHeader(stream);
            }

            stream.Position = stream.Length;
            if (result.Count > 0)
            {
                _logger.LogInformation("Checkpoint {Path}: resuming with {Count} finished pixel variations", FilePath, result.Count);
            }

            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public async Task AppendAsync(RecoPixelVariation variation, CancellationToken cancellationToken)
    {
        var line = FormatLine(variation);
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = OpenLocked();
            if (stream.Length == 0)
            {
                WriteHeader(stream);
            }

            stream.Position = stream.Length;
            await stream.WriteAsync(line, cancellationToken).ConfigureAwait(false);
            stream.Flush(_flushToDisk);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
        _lock.Dispose();
    }

    internal static byte[] FormatLine(RecoPixelVariation v)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("nside", v.Nside);
            w.WriteNumber("pixel", v.PixelId);
            w.WriteNumber("posvar", v.PosvarId);
            var f = v.Fit;
            WriteDouble(w, "llh", f.Llh);
            WriteDouble(w, "e_in", f.RecoLossesInside);
            WriteDouble(w, "e_tot", f.RecoLossesTotal);
            WriteDouble(w, "x", f.Position.X);
            WriteDouble(w, "y", f.Position.Y);
            WriteDouble(w, "z", f.Position.Z);
            WriteDouble(w, "t", f.Time);
            WriteDouble(w, "energy", f.Energy);
            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    internal static bool TryParseLine(ReadOnlySpan<byte> line, [NotNullWhen(true)] out RecoPixelVariation? variation)
    {
        variation = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            using var doc = JsonDocument.ParseValue(ref reader);
            var r = doc.RootElement;
            var fit = new RecoFitResult(
                ReadDouble(r, "llh"), ReadDouble(r, "e_in"), ReadDouble(r, "e_tot"),
                new Vector3D(ReadDouble(r, "x"), ReadDouble(r, "y"), ReadDouble(r, "z")),
                ReadDouble(r, "t"), ReadDouble(r, "energy"));
            variation = new RecoPixelVariation
            {
                ScanId = "",
                Id = new PixelVariationId(r.GetProperty("nside").GetInt32(), r.GetProperty("pixel").GetInt64(), r.GetProperty("posvar").GetInt32()),
                Status = double.IsNaN(fit.Llh) ? PixelVariationStatus.Failed : PixelVariationStatus.Ok,
                Fit = fit,
                WorkerId = "checkpoint",
            };
            return true;
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return false;
        }
    }

    private FileStream OpenLocked() =>
        _stream ??= new FileStream(FilePath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.None);

    private void WriteHeader(FileStream stream)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteString("scan_identity", ScanIdentity);
            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        stream.Position = 0;
        stream.Write(buffer.ToArray());
        stream.Flush(_flushToDisk);
    }

    private void CheckHeader(ReadOnlySpan<byte> line)
    {
        string? format = null, identity = null;
        try
        {
            var reader = new Utf8JsonReader(line);
            using var doc = JsonDocument.ParseValue(ref reader);
            format = doc.RootElement.GetProperty("format").GetString();
            identity = doc.RootElement.GetProperty("scan_identity").GetString();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Reported below.
        }

        if (format != FormatName || identity != ScanIdentity)
        {
            throw new InvalidDataException(
                $"checkpoint {FilePath}: header is not {FormatName} for scan identity {ScanIdentity} (got '{Encoding.UTF8.GetString(line)}')");
        }
    }

    private static void WriteDouble(Utf8JsonWriter w, string name, double value)
    {
        w.WritePropertyName(name);
        if (double.IsFinite(value))
        {
            w.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture), skipInputValidation: true);
        }
        else
        {
            w.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static double ReadDouble(JsonElement obj, string name)
    {
        var el = obj.GetProperty(name);
        return el.ValueKind == JsonValueKind.String
            ? double.Parse(el.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
            : el.GetDouble();
    }
}
