using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Results;
using Skymap.Driver.Launch;
using Skymap.Driver.Storage;

namespace Skymap.Driver.Api;

/// <summary>The routes of SERVICE.md §3.</summary>
internal static class ScanRoutes
{
    private const string ScanNotFound = "Scan not found";

    private static readonly string[] ToleratedUpstreamArgs =
    [
        "docker_tag", "request_clusters", "cluster", "scanner_server_memory", "scanner_server_memory_bytes",
        "worker_memory", "worker_memory_bytes", "worker_disk", "worker_disk_bytes",
    ];

    private static readonly HashSet<string> RealOrSim = ["real", "real_event", "sim", "simulated", "simulated_event"];

    public static void Map(WebApplication app)
    {
        app.MapGet("/", async ctx =>
        {
            Auth(ctx).Require(ctx.Request, Roles.User);
            (await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted)).RejectUnknown();
            await WriteJsonAsync(ctx, new JsonObject());
        });
        app.MapPost("/scan", PostScanAsync);
        app.MapGet("/scan-request/{id}", GetScanRequestAsync);
        app.MapGet("/scan/{id}", GetScanAsync);
        app.MapDelete("/scan/{id}", DeleteScanAsync);
        app.MapGet("/scan/{id}/manifest", GetManifestAsync);
        app.MapPatch("/scan/{id}/manifest", PatchManifestAsync);
        app.MapGet("/scan/{id}/event", GetEventAsync);
        app.MapGet("/scan/{id}/startup", GetStartupAsync);
        app.MapGet("/scan/{id}/result", GetResultAsync);
        app.MapPut("/scan/{id}/result", PutResultAsync);
        app.MapGet("/scan/{id}/status", GetStatusAsync);
        app.MapGet("/scan/{id}/logs", GetLogsAsync);
        app.MapPost("/scan/{id}/actions/rescan", RescanAsync);
        app.MapPost("/scans/find", FindAsync);
        app.MapGet("/scans/backlog", GetBacklogAsync);
        app.MapGet("/scans/running", GetRunningAsync);
        app.Map("/scan/{id}/actions/add-workers", _ => throw ApiException.NotFound("EWMS is not part of this service"));
        app.Map("/scan/{id}/ewms/{**rest}", _ => throw ApiException.NotFound("EWMS is not part of this service"));
    }

    // ---------- POST /scan ----------

    private static async Task PostScanAsync(HttpContext ctx)
    {
        Auth(ctx).Require(ctx.Request, Roles.User);
        var ct = ctx.RequestAborted;
        var args = await ApiArgs.ReadAsync(ctx.Request, ct);
        var store = Store(ctx);

        foreach (var (name, reason) in new[]
        {
            ("memory", "argument memory: use scanner_server_memory / worker_memory (accepted and ignored here)"),
            ("scanner_server_env_from_user", "argument scanner_server_env_from_user: free-form scanner environment is not accepted"),
            ("scanner_server_env", "argument scanner_server_env: free-form scanner environment is not accepted"),
            ("event_i3live_json", "i3live events need IceTray; send a skymap-event/1 document as event_json"),
            ("i3_event_id", "i3live events need IceTray; send a skymap-event/1 document as event_json"),
        })
        {
            if (args.Has(name))
            {
                throw ApiException.BadRequest(reason);
            }
        }

        var recoAlgo = args.RequireString("reco_algo");
        var registry = ctx.RequestServices.GetRequiredService<RecoRegistry>();
        IRecoAlgorithm reco;
        try
        {
            reco = registry.Get(recoAlgo);
        }
        catch (UnknownRecoException e)
        {
            throw ApiException.BadRequest($"argument reco_algo: {e.Message}");
        }

        var nsidesObj = args.GetObject("nsides") ?? throw ApiException.BadRequest("argument nsides: missing required argument");
        var (nsides, progression) = ParseNsides(nsidesObj);

        var ros = args.RequireString("real_or_simulated_event");
        if (!RealOrSim.Contains(ros))
        {
            throw ApiException.BadRequest($"argument real_or_simulated_event: must be one of real, real_event, sim, simulated, simulated_event; got '{ros}'");
        }

        var isReal = ros.StartsWith("real", StringComparison.Ordinal);
        var maxPixelRecoTime = args.GetInt("max_pixel_reco_time") ?? throw ApiException.BadRequest("argument max_pixel_reco_time: missing required argument");
        if (maxPixelRecoTime < 1)
        {
            throw ApiException.BadRequest($"argument max_pixel_reco_time: must be an integer >= 1, got {maxPixelRecoTime}");
        }

        var pst = args.GetDouble("predictive_scanning_threshold") ?? 1.0;
        if (!(pst >= 0.1 && pst <= 1.0))
        {
            throw ApiException.BadRequest($"argument predictive_scanning_threshold: must be in [0.1, 1.0], got {pst.ToString(CultureInfo.InvariantCulture)}");
        }

        var priority = args.GetInt("priority") ?? 0;
        if (priority is < int.MinValue or > int.MaxValue)
        {
            throw ApiException.BadRequest("argument priority: out of range");
        }

        var classifiers = ValidateClassifiers(args.GetObject("classifiers") ?? [], allowReserved: false);
        var debugMode = ParseDebugMode(args.Raw("debug_mode"));
        var seed = args.GetInt("seed");
        if (seed is < 0)
        {
            throw ApiException.BadRequest($"argument seed: must be >= 0, got {seed}");
        }

        var recoSettings = ParseRecoSettings(args.GetObject("reco_settings") ?? [], reco);
        var external = args.GetBool("external_scanner", false);
        var projection = args.GetProjection("manifest_projection");
        var requestKey = args.GetString("request_key") ?? (ctx.Request.Headers.TryGetValue("Idempotency-Key", out var hk) ? hk.ToString() : null);
        if (requestKey is { Length: 0 or > 200 })
        {
            throw ApiException.BadRequest("argument request_key: must be 1 to 200 characters");
        }

        var eventJson = args.GetObject("event_json", allowJsonString: true);
        var eventRefArg = args.GetString("event_ref");
        if ((eventJson is null) == (eventRefArg is null))
        {
            throw ApiException.BadRequest("Must provide either 'event_json' or 'event_ref' (xor)");
        }

        var ignored = args.RejectUnknown(ToleratedUpstreamArgs);

        if (requestKey is not null && await store.ScanForRequestKeyAsync(requestKey, DriverStore.Now() - 86_400, ct) is { } earlier
            && await store.GetManifestAsync(earlier, ct) is { } earlierManifest)
        {
            await WriteJsonAsync(ctx, WithIgnored(ScanDocs.Project(earlierManifest, projection), ignored));
            return;
        }

        // The event: an uploaded document, a built-in one, or a stored one.
        string eventRef;
        string? newEventJson = null;
        SkymapEvent evt;
        if (eventJson is not null)
        {
            evt = ParseEvent(eventJson.ToJsonString(), "event_json");
            eventRef = ScanDocs.NewEventRef();
            newEventJson = SkymapEventSerializer.Serialize(evt);
        }
        else if (eventRefArg!.StartsWith(BuiltinEvents.Prefix, StringComparison.Ordinal))
        {
            try
            {
                evt = BuiltinEvents.Load(eventRefArg);
            }
            catch (EventFormatException e)
            {
                throw ApiException.BadRequest($"argument event_ref: {e.Message}");
            }

            eventRef = ScanDocs.NewEventRef();
            newEventJson = SkymapEventSerializer.Serialize(evt);
        }
        else
        {
            var stored = await store.GetEventAsync(eventRefArg, ct) ?? throw ApiException.BadRequest($"argument event_ref: unknown event_ref '{eventRefArg}'");
            evt = ParseEvent(stored, "event_ref");
            eventRef = eventRefArg;
        }

        if (isReal && (evt.Header.RunId < 100_000 || evt.Header.RunId >= 1_000_000))
        {
            throw ApiException.BadRequest($"a real event needs 1e5 <= run_id < 1e6, got run_id {evt.Header.RunId}");
        }

        var now = DateTimeOffset.UtcNow;
        var scanId = ScanDocs.NewScanId(now);
        var request = new JsonObject
        {
            ["scan_id"] = scanId,
            ["rescan_ids"] = new JsonArray(),
            ["reco_algo"] = reco.Name,
            ["nsides"] = nsides,
            ["real_or_simulated_event"] = ros,
            ["predictive_scanning_threshold"] = pst,
            ["classifiers"] = classifiers.DeepClone(),
            ["max_pixel_reco_time"] = maxPixelRecoTime,
            ["priority"] = priority,
            ["debug_mode"] = new JsonArray(debugMode.Select(d => (JsonNode?)d).ToArray()),
            ["event_ref"] = eventRef,
            ["seed"] = seed,
            ["external_scanner"] = external,
            ["reco_settings"] = recoSettings,
        };
        var manifest = NewManifest(scanId, now, (int)priority, classifiers, eventRef, external ? "External" : Launcher.ModeName(ctx.RequestServices));
        manifest["scanner_server_args"] = Launcher.RenderArgs(request, progression, seed);
        await store.InsertScanAsync(new ScanInsert(request, manifest, eventRef, newEventJson, Backlog: !external, requestKey), ct);

        // Committed: from here on the answer is 200 whatever happens (the client retries 5xx, which would duplicate the scan).
        try
        {
            ctx.RequestServices.GetRequiredService<Launcher>().Wake();
        }
#pragma warning disable CA1031 // a failure after the commit is logged, never answered as 5xx
        catch (Exception e)
#pragma warning restore CA1031
        {
            ctx.RequestServices.GetRequiredService<ILogger<Launcher>>().LogError(e, "Scan {ScanId}: could not wake the launcher", scanId);
        }

        await WriteJsonAsync(ctx, WithIgnored(ScanDocs.Project(manifest, projection), ignored));
    }

    internal static JsonObject NewManifest(string scanId, DateTimeOffset now, int priority, JsonObject classifiers, string eventRef, string launchMode)
    {
        var ts = now.ToUnixTimeMilliseconds() / 1000.0;
        return new JsonObject
        {
            ["scan_id"] = scanId,
            ["timestamp"] = ts,
            ["is_deleted"] = false,
            ["scanner_server_args"] = "",
            ["launch_mode"] = launchMode,
            ["launched_at"] = null,
            ["deactivated"] = null,
            ["priority"] = priority,
            ["classifiers"] = classifiers.DeepClone(),
            ["event_ref"] = eventRef,
            ["event_metadata"] = null,
            ["scan_metadata"] = null,
            ["progress"] = null,
            ["replaced_by_scan_id"] = null,
            ["last_updated"] = ts,
            ["failure_reason"] = null,
            ["seed"] = null,
            ["launch_count"] = 0,
        };
    }

    private static (JsonObject Nsides, NSideProgression Progression) ParseNsides(JsonObject o)
    {
        if (o.Count == 0)
        {
            throw ApiException.BadRequest("argument nsides: must not be empty, e.g. {\"8\": 0, \"64\": 12, \"512\": 24}");
        }

        var parts = new List<string>();
        var normalised = new JsonObject();
        foreach (var (k, v) in o)
        {
            if (!int.TryParse(k, NumberStyles.None, CultureInfo.InvariantCulture, out var nside))
            {
                throw ApiException.BadRequest($"argument nsides: key '{k}' is not an nside (a power of 2 as a string)");
            }

            if (v is not JsonValue jv || jv.GetValueKind() != JsonValueKind.Number || !jv.TryGetValue(out int ext))
            {
                throw ApiException.BadRequest($"argument nsides: value of '{k}' must be an integer (pixel extension)");
            }

            parts.Add($"{nside}:{ext}");
            normalised[nside.ToString(CultureInfo.InvariantCulture)] = ext;
        }

        try
        {
            return (normalised, NSideProgression.Parse(string.Join(' ', parts)));
        }
        catch (FormatException e)
        {
            throw ApiException.BadRequest($"argument nsides: {e.Message}");
        }
    }

    internal static JsonObject ValidateClassifiers(JsonObject c, bool allowReserved)
    {
        if (c.Count > 25)
        {
            throw ApiException.BadRequest($"argument classifiers: at most 25 entries, got {c.Count}");
        }

        foreach (var (k, v) in c)
        {
            if (k.Length is 0 or > 25)
            {
                throw ApiException.BadRequest($"argument classifiers: key '{Trim(k)}' must be 1 to 25 characters");
            }

            if (!allowReserved && k is "rescan" or "origin_scan_id")
            {
                throw ApiException.BadRequest($"argument classifiers: key '{k}' is reserved");
            }

            switch (v)
            {
                case null:
                    break;
                case JsonValue jv when jv.GetValueKind() is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Number:
                    break;
                case JsonValue jv when jv.TryGetValue(out string? s):
                    if (s.Length > 25)
                    {
                        throw ApiException.BadRequest($"argument classifiers: value of '{k}' must be at most 25 characters");
                    }

                    break;
                default:
                    throw ApiException.BadRequest($"argument classifiers: value of '{k}' must be a string, number, bool or null");
            }
        }

        return c;
    }

    /// <summary>Skymap: reco settings (<c>--reco-setting K=V</c>), an object of strings or numbers, checked by the reco.</summary>
    private static JsonObject ParseRecoSettings(JsonObject o, IRecoAlgorithm reco)
    {
        var dict = new Dictionary<string, string>(StringComparer.Ordinal);
        var normalised = new JsonObject();
        foreach (var (k, v) in o)
        {
            string text = v switch
            {
                JsonValue jv when jv.TryGetValue(out string? s) => s,
                JsonValue jv when jv.GetValueKind() == JsonValueKind.Number => jv.ToJsonString(),
                _ => throw ApiException.BadRequest($"argument reco_settings: value of '{k}' must be a string or a number"),
            };
            dict[k] = text;
            normalised[k] = text;
        }

        try
        {
            reco.ValidateSettings(new RecoContext { ScanSeed = 0, Settings = dict });
        }
        catch (ArgumentException e)
        {
            throw ApiException.BadRequest($"argument reco_settings: {e.Message}");
        }

        return normalised;
    }

    internal static Dictionary<string, string> RecoSettings(JsonObject request) =>
        (request["reco_settings"] as JsonObject ?? []).ToDictionary(kv => kv.Key, kv => (string)kv.Value!, StringComparer.Ordinal);

    private static List<string> ParseDebugMode(JsonNode? v)
    {
        var list = new List<string>();
        IEnumerable<JsonNode?> items = v switch
        {
            null => [],
            JsonArray a => a,
            _ => [v],
        };
        foreach (var item in items)
        {
            if (item is not JsonValue iv || !iv.TryGetValue(out string? s) || s != "client-logs")
            {
                throw ApiException.BadRequest("argument debug_mode: must be \"client-logs\" or a list of it");
            }

            if (!list.Contains(s))
            {
                list.Add(s);
            }
        }

        return list;
    }

    private static SkymapEvent ParseEvent(string json, string arg)
    {
        try
        {
            return SkymapEventSerializer.Parse(json);
        }
        catch (EventFormatException e)
        {
            throw ApiException.BadRequest($"argument {arg}: not a valid skymap-event/1 document: {e.Message}");
        }
    }

    // ---------- reads ----------

    private static async Task GetScanRequestAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.User);
        (await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted)).RejectUnknown();
        var req = (ScanDocs.IsScanIdShaped(id) ? await Store(ctx).FindRequestForRescanAsync(id, ctx.RequestAborted) : null)
            ?? throw ApiException.NotFound("Scan request not found");
        await WriteJsonAsync(ctx, req);
    }

    private static async Task GetScanAsync(HttpContext ctx, string id)
    {
        var roles = Auth(ctx).Require(ctx.Request, Roles.User | Roles.System);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        var includeDeleted = args.GetBool("include_deleted", false);
        var noRedirect = args.GetBool("no_redirect", false);
        args.RejectUnknown();
        var m = await LiveManifestAsync(ctx, id, includeDeleted);
        if (await RedirectAsync(ctx, roles, m, noRedirect))
        {
            return;
        }

        var result = await Store(ctx).GetResultAsync(id, ctx.RequestAborted);
        await WriteRawAsync(ctx, "{\"manifest\": " + m.ToJsonString(Relaxed) + ", \"result\": " + (result is { } r ? ResultText(id, r.Doc, r.IsFinal) : "{}") + "}");
    }

    private static async Task GetManifestAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.User | Roles.System);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        var includeDeleted = args.GetBool("include_deleted", false);
        var projection = args.GetProjection("projection");
        args.RejectUnknown();
        var m = await LiveManifestAsync(ctx, id, includeDeleted);
        await WriteJsonAsync(ctx, ScanDocs.Project(m, projection));
    }

    private static async Task GetResultAsync(HttpContext ctx, string id)
    {
        var roles = Auth(ctx).Require(ctx.Request, Roles.User);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        var includeDeleted = args.GetBool("include_deleted", false);
        var noRedirect = args.GetBool("no_redirect", false);
        args.RejectUnknown();
        var m = await LiveManifestAsync(ctx, id, includeDeleted);
        if (await RedirectAsync(ctx, roles, m, noRedirect))
        {
            return;
        }

        var result = await Store(ctx).GetResultAsync(id, ctx.RequestAborted);
        await WriteRawAsync(ctx, result is { } r ? ResultText(id, r.Doc, r.IsFinal) : "{}");
    }

    private static async Task GetEventAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.User | Roles.System);
        (await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted)).RejectUnknown();
        var m = await LiveManifestAsync(ctx, id, includeDeleted: true);
        var json = await Store(ctx).GetEventAsync((string)m["event_ref"]!, ctx.RequestAborted) ?? throw ApiException.NotFound("Event not found");
        await WriteRawAsync(ctx, "{\"event\": " + json + "}");
    }

    private static async Task GetStartupAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.System);
        (await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted)).RejectUnknown();
        await LiveManifestAsync(ctx, id, includeDeleted: true);
        var bytes = await Store(ctx).GetStartupAsync(id, ctx.RequestAborted) ?? throw ApiException.NotFound("Startup document not found (the scan is not launched by this service yet)");
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted);
    }

    private static async Task GetStatusAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.User | Roles.System);
        (await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted)).RejectUnknown();
        var m = await LiveManifestAsync(ctx, id, includeDeleted: true);
        var isFinal = await Store(ctx).GetResultIsFinalAsync(id, ctx.RequestAborted);
        var state = ScanDocs.State(m, isFinal);
        var workforce = ctx.RequestServices.GetRequiredService<ScanRuntime>().Workforce(id);
        var deactivated = (string?)m["deactivated"];
        await WriteJsonAsync(ctx, new JsonObject
        {
            ["scan_state"] = state,
            ["is_deleted"] = (bool)m["is_deleted"]!,
            ["ewms_deactivated"] = deactivated is not null,
            ["deactivated"] = deactivated,
            ["scan_complete"] = state == ScanDocs.FinalState,
            ["scanner_server_logs"] = new JsonObject { ["url"] = $"/scan/{id}/logs" },
            ["ewms_workforce"] = new JsonObject
            {
                ["n_running"] = workforce.Running,
                ["n_in_flight"] = workforce.InFlight,
                ["top_errors"] = new JsonObject(workforce.TopErrors.Select(kv => KeyValuePair.Create(kv.Key, (JsonNode?)kv.Value))),
            },
            ["failure_reason"] = (string?)m["failure_reason"],
        });
    }

    private static async Task GetLogsAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.User);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        var tail = (int)args.GetInt("tail", 200, 1, 5000);
        args.RejectUnknown();
        await LiveManifestAsync(ctx, id, includeDeleted: true);
        var lines = await Store(ctx).TailLogsAsync(id, tail, ctx.RequestAborted);
        await WriteJsonAsync(ctx, new JsonObject
        {
            ["scanner_server"] = new JsonObject
            {
                ["url"] = $"/scan/{id}/logs",
                ["lines"] = new JsonArray(lines.Select(l => (JsonNode?)l).ToArray()),
            },
        });
    }

    // ---------- writes by the scanner (system role) ----------

    private static async Task PatchManifestAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.System);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        var progress = args.GetObject("progress");
        var eventMetadata = args.GetObject("event_metadata");
        var scanMetadata = args.GetObject("scan_metadata") ?? [];
        args.RejectUnknown();
        await LiveManifestAsync(ctx, id, includeDeleted: true);
        if (eventMetadata is not null)
        {
            eventMetadata = (JsonObject)eventMetadata.DeepClone();
            eventMetadata.Remove("version");
            foreach (var key in new[] { "run_id", "event_id" })
            {
                if (eventMetadata[key] is not JsonValue v || v.GetValueKind() != JsonValueKind.Number || !v.TryGetValue(out long _))
                {
                    throw ApiException.BadRequest($"argument event_metadata: {key} must be an integer");
                }
            }

            if (eventMetadata["event_type"] is not JsonValue t || !t.TryGetValue(out string? _))
            {
                throw ApiException.BadRequest("argument event_metadata: event_type must be a string");
            }

            if (eventMetadata["is_real_event"] is not JsonValue r || r.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw ApiException.BadRequest("argument event_metadata: is_real_event must be a bool");
            }
        }

        var updated = await Store(ctx).UpdateManifestAsync(id, m =>
        {
            var changed = false;
            if (progress is not null)
            {
                m["progress"] = progress.DeepClone();
                changed = true;
            }

            if (eventMetadata is not null)
            {
                changed |= WriteOnce(m, "event_metadata", eventMetadata);
            }

            if (scanMetadata.Count > 0)
            {
                changed |= WriteOnce(m, "scan_metadata", scanMetadata);
            }

            if (changed && m["launched_at"] is null)
            {
                m["launched_at"] = DriverStore.Now();
            }

            return changed;
        }, ctx.RequestAborted) ?? throw ApiException.NotFound(ScanNotFound);
        await WriteJsonAsync(ctx, updated);
    }

    private static bool WriteOnce(JsonObject m, string key, JsonObject value)
    {
        if (m[key] is JsonObject existing)
        {
            return JsonNode.DeepEquals(Normalise(existing), Normalise(value)) ? false : throw ApiException.BadRequest($"Cannot change an existing {key}");
        }

        m[key] = value.DeepClone();
        return true;
    }

    private static JsonNode? Normalise(JsonNode? n) => n is null ? null : JsonNode.Parse(n.ToJsonString());

    private static async Task PutResultAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.System);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        if (!args.Has("skyscan_result"))
        {
            throw ApiException.BadRequest("argument skyscan_result: missing required argument");
        }

        var raw = args.Raw("skyscan_result");
        if (!args.Has("is_final"))
        {
            throw ApiException.BadRequest("argument is_final: missing required argument");
        }

        var isFinal = args.GetBool("is_final", false);
        args.RejectUnknown();
        var m = await LiveManifestAsync(ctx, id, includeDeleted: true);
        if (raw is null || raw is JsonObject { Count: 0 })
        {
            await WriteJsonAsync(ctx, new JsonObject());
            return;
        }

        if (raw is not JsonObject resultObj)
        {
            throw ApiException.BadRequest("argument skyscan_result: must be a JSON object (a skyreader SkyScanResult document)");
        }

        var text = resultObj.ToJsonString(Relaxed);
        try
        {
            SkyScanResultJson.Deserialize(text);
        }
        catch (SkyScanResultFormatException e)
        {
            throw ApiException.BadRequest($"argument skyscan_result: {e.Message}");
        }

        var store = Store(ctx);
        if (!isFinal && await store.GetResultIsFinalAsync(id, ctx.RequestAborted) == true)
        {
            throw new ApiException(422, "Scan already has a final result; a partial result cannot replace it");
        }

        var options = ctx.RequestServices.GetRequiredService<LaunchOptions>();
        await store.PutResultAsync(id, text, isFinal, isFinal ? DriverStore.Now() + options.TeardownDelay.TotalSeconds : null, ctx.RequestAborted);
        await WriteRawAsync(ctx, ResultText((string)m["scan_id"]!, text, isFinal));
    }

    // ---------- delete, rescan ----------

    private static async Task DeleteScanAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.User);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        var deleteCompleted = args.GetBool("delete_completed_scan", false);
        var projection = args.GetProjection("manifest_projection");
        args.RejectUnknown();
        await LiveManifestAsync(ctx, id, includeDeleted: true);
        var store = Store(ctx);
        var result = await store.GetResultAsync(id, ctx.RequestAborted);
        if (result is { IsFinal: true } && !deleteCompleted)
        {
            throw ApiException.BadRequest("Attempted to delete a completed scan (must use `delete_completed_scan=True`)");
        }

        var m = await ctx.RequestServices.GetRequiredService<Launcher>().AbortAsync(id, "deleted by a user", markDeleted: true, ctx.RequestAborted)
            ?? throw ApiException.NotFound(ScanNotFound);
        await WriteRawAsync(ctx, "{\"manifest\": " + ScanDocs.Project(m, projection).ToJsonString(Relaxed) + ", \"result\": " + (result is { } r ? ResultText(id, r.Doc, r.IsFinal) : "{}") + "}");
    }

    private static async Task RescanAsync(HttpContext ctx, string id)
    {
        Auth(ctx).Require(ctx.Request, Roles.User | Roles.System);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        var abortFirst = args.GetBool("abort_first", false);
        var replace = args.GetBool("replace_scan", false);
        var projection = args.GetProjection("manifest_projection");
        args.RejectUnknown();
        var launcher = ctx.RequestServices.GetRequiredService<Launcher>();
        var manifest = await launcher.RescanAsync(id, abortFirst, replace, ctx.RequestAborted)
            ?? throw ApiException.NotFound("Could not find original scan-request information to start a rescan");
        await WriteJsonAsync(ctx, ScanDocs.Project(manifest, projection));
    }

    // ---------- lists ----------

    private static async Task FindAsync(HttpContext ctx)
    {
        Auth(ctx).Require(ctx.Request, Roles.User);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        if (!args.Has("filter"))
        {
            throw ApiException.BadRequest("argument filter: missing required argument");
        }

        var filter = args.GetObject("filter") ?? throw ApiException.BadRequest("argument filter: must be a JSON object");
        var includeDeleted = args.GetBool("include_deleted", false);
        var projection = args.GetProjection("manifest_projection");
        var limit = (int)args.GetInt("limit", 1000, 1, 10_000);
        args.RejectUnknown();
        var store = Store(ctx);
        var (where, ps) = FindFilter.Build(filter, includeDeleted, store.IsPostgres);
        var (manifests, truncated) = await store.FindAsync(where, ps, limit, ctx.RequestAborted);
        await WriteJsonAsync(ctx, new JsonObject
        {
            ["manifests"] = new JsonArray(manifests.Select(m => (JsonNode?)ScanDocs.Project(m, projection)).ToArray()),
            ["truncated"] = truncated,
        });
    }

    private static async Task GetBacklogAsync(HttpContext ctx)
    {
        Auth(ctx).Require(ctx.Request, Roles.User);
        (await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted)).RejectUnknown();
        var entries = await Store(ctx).ListBacklogAsync(ctx.RequestAborted);
        await WriteJsonAsync(ctx, new JsonObject
        {
            ["entries"] = new JsonArray(entries.Select(e => (JsonNode?)new JsonObject
            {
                ["scan_id"] = e.ScanId,
                ["timestamp"] = e.Timestamp,
                ["priority"] = e.Priority,
                ["pending_timestamp"] = e.PendingTimestamp,
                ["next_attempt"] = e.NextAttempt,
            }).ToArray()),
        });
    }

    private static async Task GetRunningAsync(HttpContext ctx)
    {
        Auth(ctx).Require(ctx.Request, Roles.System);
        (await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted)).RejectUnknown();
        var scans = await Store(ctx).ListRunningAsync(ctx.RequestAborted);
        await WriteJsonAsync(ctx, new JsonObject
        {
            ["scans"] = new JsonArray(scans.Select(s => (JsonNode?)new JsonObject
            {
                ["scan_id"] = s.ScanId,
                ["priority"] = s.Priority,
                ["to_queue"] = s.ToQueue,
                ["from_queue"] = s.FromQueue,
                ["startup_sha256"] = s.StartupSha256,
            }).ToArray()),
        });
    }

    // ---------- helpers ----------

    internal static TokenAuth Auth(HttpContext ctx) => ctx.RequestServices.GetRequiredService<TokenAuth>();

    internal static DriverStore Store(HttpContext ctx) => ctx.RequestServices.GetRequiredService<DriverStore>();

    internal static async Task<JsonObject> LiveManifestAsync(HttpContext ctx, string id, bool includeDeleted)
    {
        if (!ScanDocs.IsScanIdShaped(id))
        {
            throw ApiException.NotFound(ScanNotFound);
        }

        var m = await Store(ctx).GetManifestAsync(id, ctx.RequestAborted) ?? throw ApiException.NotFound(ScanNotFound);
        if ((bool)m["is_deleted"]! && !includeDeleted)
        {
            throw ApiException.NotFound("Scan not found (deleted; use include_deleted=True)");
        }

        return m;
    }

    private static async Task<bool> RedirectAsync(HttpContext ctx, Roles roles, JsonObject m, bool noRedirect)
    {
        if (noRedirect || (roles & Roles.User) == 0 || m["replaced_by_scan_id"] is not JsonValue v || !v.TryGetValue(out string? next))
        {
            return false;
        }

        var path = ctx.Request.Path.Value!.Replace("/scan/" + (string)m["scan_id"]!, "/scan/" + next, StringComparison.Ordinal);
        ctx.Response.StatusCode = 302;
        ctx.Response.Headers.Location = path + ctx.Request.QueryString;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync("{}"u8.ToArray(), ctx.RequestAborted);
        return true;
    }

    private static string ResultText(string scanId, string doc, bool isFinal) =>
        "{\"scan_id\": " + JsonSerializer.Serialize(scanId) + ", \"skyscan_result\": " + doc + ", \"is_final\": " + (isFinal ? "true" : "false") + "}";

    private static JsonObject WithIgnored(JsonObject m, IReadOnlyList<string> ignored)
    {
        if (ignored.Count == 0)
        {
            return m;
        }

        var o = (JsonObject)m.DeepClone();
        o["ignored_args"] = new JsonArray(ignored.Select(i => (JsonNode?)i).ToArray());
        return o;
    }

    private static string Trim(string s) => s.Length > 30 ? s[..30] + "..." : s;

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static Task WriteJsonAsync(HttpContext ctx, JsonNode node, int status = 200) => WriteRawAsync(ctx, node.ToJsonString(Relaxed), status);

    internal static async Task WriteRawAsync(HttpContext ctx, string json, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json; charset=utf-8";
        await ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(json), ctx.RequestAborted);
    }
}
