using System.Text.Json;
using System.Text.Json.Nodes;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;

namespace Skymap.Cli;

/// <summary>
/// The seed and scan id of a resumable scan, kept in <c>--cache-dir</c> so that a restarted server without
/// <c>--seed</c>/<c>--scan-id</c> continues the same scan (same checkpoint identity, same broker queues).
/// </summary>
internal static class ResumeState
{
    public const string FileName = "scan-state.json";

    public static ScanOptions Apply(string cacheDir, ScanOptions options, SkymapEvent evt, string reco, NSideProgression progression)
    {
        var path = Path.Combine(cacheDir, FileName);
        var key = $"{evt.Header.RunId}/{evt.Header.EventId}/{evt.Header.EventType}/{reco}/{progression}";
        JsonObject? stored = null;
        if (File.Exists(path))
        {
            try
            {
                stored = JsonNode.Parse(File.ReadAllText(path)) as JsonObject;
            }
            catch (JsonException e)
            {
                throw new CliException($"--cache-dir: '{path}' is not valid JSON ({e.Message}); remove it to start afresh");
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
