using System.Globalization;
using System.Text.Json.Nodes;

namespace Skymap.Driver.Api;

/// <summary>Scan ids, derived scan states and projections (SERVICE.md §2, §5).</summary>
internal static class ScanDocs
{
    public const string FinalState = "SCAN_HAS_FINAL_RESULT";

    /// <summary>hex(ms since epoch) (11 digits) + "x" + the last 20 hex digits of a UUIDv4: sorts chronologically.</summary>
    public static string NewScanId(DateTimeOffset now)
    {
        var ms = now.ToUnixTimeMilliseconds().ToString("x11", CultureInfo.InvariantCulture);
        var uuid = Guid.NewGuid().ToString("N");
        return ms + "x" + uuid[^20..];
    }

    public static bool IsScanIdShaped(string id) => id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    /// <summary>The derived state: final result, else launched/progress/rate, with the deactivation prefix.</summary>
    public static string State(JsonObject manifest, bool? resultIsFinal)
    {
        if (resultIsFinal == true)
        {
            return FinalState;
        }

        string prefix, suffix;
        if (manifest["launched_at"] is null)
        {
            (prefix, suffix) = ("PENDING", "PRESTARTUP");
        }
        else if (manifest["progress"] is not JsonObject progress)
        {
            (prefix, suffix) = ("PENDING", "WAITING_ON_SCANNER_SERVER_STARTUP");
        }
        else if (progress["processing_stats"]?["rate"] is JsonObject { Count: > 0 })
        {
            (prefix, suffix) = ("IN_PROGRESS", "PARTIAL_RESULT_GENERATED");
        }
        else
        {
            (prefix, suffix) = ("IN_PROGRESS", "WAITING_ON_FIRST_PIXEL_RECO");
        }

        return manifest["deactivated"] is JsonValue d && d.TryGetValue(out string? deactivated) ? $"{deactivated}__{suffix}" : $"{prefix}__{suffix}";
    }

    public static JsonObject Project(JsonObject manifest, IReadOnlyList<string>? keys)
    {
        if (keys is null)
        {
            return manifest;
        }

        var o = new JsonObject();
        foreach (var k in keys)
        {
            if (manifest.TryGetPropertyValue(k, out var v))
            {
                o[k] = v?.DeepClone();
            }
        }

        return o;
    }

    public static string NewEventRef() => Guid.NewGuid().ToString("N");
}
