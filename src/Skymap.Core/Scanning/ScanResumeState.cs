using System.Text.Json;
using System.Text.Json.Nodes;
using Skymap.Core.Events;

namespace Skymap.Core.Scanning;

/// <summary>
/// The resume policy of <see cref="ScanOptions.CacheDirectory"/>: the seed and scan id of a resumable scan, kept in
/// <c>scan-state.json</c> so that a restarted server without an explicit seed or scan id continues the same scan (same
/// checkpoint identity, same broker queues). The state belongs to one (event, reco, nside progression); another scan in
/// the same directory starts afresh and replaces it.
/// </summary>
internal static class ScanResumeState
{
    public const string FileName = "scan-state.json";

    /// <summary>Fills in <see cref="ScanOptions.Seed"/> and <see cref="ScanOptions.ScanId"/> from the stored state (or new ones) and stores them.</summary>
    /// <exception cref="InvalidDataException">The state file is not valid JSON.</exception>
    public static ScanOptions Apply(string cacheDirectory, ScanOptions options, SkymapEvent evt, string recoName)
    {
        Directory.CreateDirectory(cacheDirectory);
        var path = Path.Combine(cacheDirectory, FileName);
        var key = $"{evt.Header.RunId}/{evt.Header.EventId}/{evt.Header.EventType}/{recoName}/{options.Progression}";
        JsonObject? stored = null;
        if (File.Exists(path))
        {
            try
            {
                stored = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"'{path}' is not valid JSON ({e.Message}); remove it to start afresh", e);
            }

            if (stored is not null && (string?)stored["key"] != key)
            {
                stored = null;
            }
        }

        var seed = options.Seed ?? (stored?["seed"] is { } s ? (ulong)s : ScanEngine.NewSeed());
        var scanId = options.ScanId ?? (stored?["scan_id"] is { } id ? (string)id! : ScanEngine.NewScanId());
        var state = new JsonObject { ["key"] = key, ["seed"] = seed, ["scan_id"] = scanId };
        var tmp = path + ".tmp";
        File.WriteAllText(tmp, state.ToJsonString());
        File.Move(tmp, path, overwrite: true);
        return options with { Seed = seed, ScanId = scanId };
    }
}
