using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Skymap.Core.Results;
using Skymap.Driver.Tests.Support;
using Skymap.Transport.Startup;

namespace Skymap.Driver.Tests;

/// <summary>Every route of SERVICE.md §3, its errors and both roles; run once on SQLite and once on PostgreSQL.</summary>
public abstract partial class RouteTests
{
    protected abstract DriverHost NewHost(IDictionary<string, string?>? settings = null);

    private static HttpMethod Patch => HttpMethod.Patch;

    [DriverFact]
    public async Task Tokens_and_roles_are_checked_on_every_route()
    {
        using var host = NewHost();
        var m = await host.SubmitAsync(r => r["external_scanner"] = true);
        var id = (string)m["scan_id"]!;
        (HttpMethod Method, string Path, string Roles)[] routes =
        [
            (HttpMethod.Get, "/", "U"), (HttpMethod.Post, "/scan", "U"), (HttpMethod.Get, $"/scan-request/{id}", "U"),
            (HttpMethod.Get, $"/scan/{id}", "US"), (HttpMethod.Delete, $"/scan/{id}", "U"), (HttpMethod.Get, $"/scan/{id}/manifest", "US"),
            (Patch, $"/scan/{id}/manifest", "S"), (HttpMethod.Get, $"/scan/{id}/event", "US"), (HttpMethod.Get, $"/scan/{id}/startup", "S"),
            (HttpMethod.Get, $"/scan/{id}/result", "U"), (HttpMethod.Put, $"/scan/{id}/result", "S"), (HttpMethod.Get, $"/scan/{id}/status", "US"),
            (HttpMethod.Get, $"/scan/{id}/logs", "U"), (HttpMethod.Post, $"/scan/{id}/actions/rescan", "US"), (HttpMethod.Post, "/scans/find", "U"),
            (HttpMethod.Get, "/scans/backlog", "U"), (HttpMethod.Get, "/scans/running", "S"),
        ];
        foreach (var (method, path, roles) in routes)
        {
            var none = await host.SendAsync(null, method, path);
            Assert.Equal(HttpStatusCode.Unauthorized, none.Status);
            Assert.Equal(401, (int)none.Object["code"]!);
            Assert.Equal("missing Authorization header (Bearer token)", none.Error);
            Assert.Equal(none.Error, none.Reason);

            var wrong = await host.SendAsync("not-a-token", method, path);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.Status);
            Assert.Equal("invalid token", wrong.Reason);

            foreach (var (token, role) in new[] { (Tokens.User, 'U'), (Tokens.System, 'S') })
            {
                if (!roles.Contains(role))
                {
                    var forbidden = await host.SendAsync(token, method, path);
                    Assert.True(forbidden.Status == HttpStatusCode.Forbidden, $"{method} {path} with {role}: {forbidden.Status}");
                    Assert.StartsWith("Forbidden: this route requires the ", forbidden.Reason);
                    Assert.Equal(forbidden.Reason, forbidden.Error);
                }
            }
        }

        var root = await host.GetAsync(Tokens.User, "/");
        Assert.Equal(HttpStatusCode.OK, root.Status);
        Assert.Empty(root.Object);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(Tokens.Both, "/scans/running")).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(Tokens.Both, "/")).Status);
    }

    [DriverFact]
    public async Task Post_scan_validates_every_argument_with_a_reason()
    {
        using var host = NewHost();
        (Action<JsonObject> Change, string Reason)[] cases =
        [
            (r => r.Remove("reco_algo"), "argument reco_algo: missing required argument"),
            (r => r["reco_algo"] = "nope", "argument reco_algo: "),
            (r => r["reco_algo"] = 5, "argument reco_algo: must be a string"),
            (r => r.Remove("nsides"), "argument nsides: missing required argument"),
            (r => r["nsides"] = new JsonObject { ["8"] = 0, ["64"] = 0 }, "argument nsides: "),
            (r => r["nsides"] = new JsonObject { ["x"] = 0 }, "argument nsides: key 'x' is not an nside"),
            (r => r["nsides"] = new JsonObject { ["8"] = "a" }, "argument nsides: value of '8' must be an integer"),
            (r => r.Remove("real_or_simulated_event"), "argument real_or_simulated_event: missing required argument"),
            (r => r["real_or_simulated_event"] = "maybe", "argument real_or_simulated_event: must be one of"),
            (r => r["real_or_simulated_event"] = "real", "a real event needs 1e5 <= run_id < 1e6"),
            (r => r.Remove("max_pixel_reco_time"), "argument max_pixel_reco_time: missing required argument"),
            (r => r["max_pixel_reco_time"] = 0, "argument max_pixel_reco_time: must be an integer >= 1"),
            (r => r["max_pixel_reco_time"] = 1.5, "argument max_pixel_reco_time: must be an integer"),
            (r => r["predictive_scanning_threshold"] = 0.05, "argument predictive_scanning_threshold: must be in [0.1, 1.0]"),
            (r => r["predictive_scanning_threshold"] = "high", "argument predictive_scanning_threshold: must be a number"),
            (r => r["priority"] = "top", "argument priority: must be an integer"),
            (r => r["classifiers"] = new JsonObject { ["rescan"] = true }, "argument classifiers: key 'rescan' is reserved"),
            (r => r["classifiers"] = new JsonObject { ["k"] = new JsonArray() }, "argument classifiers: value of 'k' must be a string, number, bool or null"),
            (r => r["classifiers"] = new JsonObject { [new string('k', 26)] = 1 }, "argument classifiers: key "),
            (r => r["classifiers"] = new JsonObject { ["k"] = new string('v', 26) }, "argument classifiers: value of 'k' must be at most 25 characters"),
            (r => r["classifiers"] = new JsonObject(Enumerable.Range(0, 26).Select(i => KeyValuePair.Create($"k{i}", (JsonNode?)i))), "argument classifiers: at most 25 entries"),
            (r => r["debug_mode"] = "everything", "argument debug_mode: must be \"client-logs\" or a list of it"),
            (r => r["external_scanner"] = "perhaps", "argument external_scanner: must be a bool"),
            (r => r["seed"] = -1, "argument seed: must be >= 0"),
            (r => r["event_json"] = new JsonObject(), "Must provide either 'event_json' or 'event_ref' (xor)"),
            (r => r.Remove("event_ref"), "Must provide either 'event_json' or 'event_ref' (xor)"),
            (r => r["event_ref"] = "builtin:no-such-event", "argument event_ref: "),
            (r => r["event_ref"] = "0123456789abcdef0123456789abcdef", "argument event_ref: unknown event_ref"),
            (r => { r.Remove("event_ref"); r["event_json"] = new JsonObject { ["format"] = "nope" }; }, "argument event_json: not a valid skymap-event/1 document"),
            (r => r["memory"] = "8G", "argument memory: "),
            (r => r["scanner_server_env"] = new JsonObject(), "argument scanner_server_env: free-form scanner environment is not accepted"),
            (r => r["event_i3live_json"] = new JsonObject(), "i3live events need IceTray; send a skymap-event/1 document as event_json"),
            (r => r["i3_event_id"] = "x", "i3live events need IceTray; send a skymap-event/1 document as event_json"),
            (r => r["colour"] = "blue", "unknown argument: colour"),
            (r => r["reco_settings"] = new JsonObject { ["speed"] = "1" }, "argument reco_settings: "),
            (r => r["manifest_projection"] = 3, "argument manifest_projection: must be a list of strings or \"*\""),
        ];
        foreach (var (change, reason) in cases)
        {
            var req = DriverHost.TinyScan();
            change(req);
            var a = await host.PostAsync(Tokens.User, "/scan", req);
            Assert.True(a.Status == HttpStatusCode.BadRequest, $"{req.ToJsonString()}: {a.Status} {a.Body?.ToJsonString()}");
            Assert.StartsWith(reason, a.Error);
            Assert.Equal(400, (int)a.Object["code"]!);
            Assert.Equal(ApiPhrase(a.Error!), a.Reason);
        }

        var notJson = await host.SendAsync(Tokens.User, HttpMethod.Post, "/scan", rawBody: "{not json");
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.StartsWith("request body is not valid JSON", notJson.Error);
        var array = await host.SendAsync(Tokens.User, HttpMethod.Post, "/scan", rawBody: "[1]");
        Assert.Equal("request body must be a JSON object", array.Error);

        // Nothing was stored by the rejected requests.
        var all = await host.PostAsync(Tokens.User, "/scans/find", new JsonObject { ["filter"] = new JsonObject() });
        Assert.Empty(all.Object["manifests"]!.AsArray());
    }

    [DriverFact]
    public async Task Post_scan_accepts_upstream_spellings_and_tolerated_args()
    {
        using var host = NewHost();
        var m = await host.SubmitAsync(r =>
        {
            r["nsides"] = new JsonObject { ["1"] = 0, ["2"] = 1 };
            r["predictive_scanning_threshold"] = 1;
            r["external_scanner"] = "True";
            r["docker_tag"] = "latest";
            r["worker_memory"] = "8G";
            r["cluster"] = new JsonObject { ["sub-2"] = 100 };
            r["debug_mode"] = "client-logs";
            r["classifiers"] = new JsonObject { ["origin"] = "tests", ["n"] = 3, ["flag"] = false, ["none"] = null };
            r["priority"] = 7;
            r["seed"] = 42;
        });
        Assert.Matches(ScanIdPattern(), (string)m["scan_id"]!);
        Assert.Equal(new[] { "cluster", "docker_tag", "worker_memory" }, m["ignored_args"]!.AsArray().Select(x => (string)x!));
        foreach (var key in new[] { "scan_id", "timestamp", "is_deleted", "scanner_server_args", "launch_mode", "launched_at", "deactivated", "priority", "classifiers", "event_ref", "event_metadata", "scan_metadata", "progress", "replaced_by_scan_id", "last_updated" })
        {
            Assert.True(m.ContainsKey(key), key);
        }

        Assert.Equal("External", (string)m["launch_mode"]!);
        Assert.Equal(7, (int)m["priority"]!);
        Assert.Equal("--reco-algo dummy --nsides 1:0 2:1 --simulated-event --predictive-scanning-threshold 1 --seed 42", (string)m["scanner_server_args"]!);
        var age = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0 - (double)m["timestamp"]!;
        Assert.InRange(age, 0, 60);

        // The request as stored, and a remix of it (minus scan_id/rescan_ids) is accepted again.
        var id = (string)m["scan_id"]!;
        var req = (await host.GetAsync(Tokens.User, $"/scan-request/{id}")).Object;
        Assert.Equal(id, (string)req["scan_id"]!);
        Assert.Equal(new[] { "client-logs" }, req["debug_mode"]!.AsArray().Select(x => (string)x!));
        Assert.True((bool)req["external_scanner"]!);
        req.Remove("scan_id");
        req.Remove("rescan_ids");
        var remix = await host.PostAsync(Tokens.User, "/scan", req);
        Assert.Equal(HttpStatusCode.OK, remix.Status);
        Assert.Equal((string)m["event_ref"]!, (string)remix.Object["event_ref"]!);
        Assert.NotEqual(id, (string)remix.Object["scan_id"]!);

        // Projection of the response.
        var projected = await host.SubmitAsync(r => r["manifest_projection"] = new JsonArray("scan_id", "priority"));
        Assert.Equal(new[] { "scan_id", "priority" }, projected.Select(kv => kv.Key));

        var missing = await host.GetAsync(Tokens.User, "/scan-request/0000000000x00000000000000000000");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("Scan request not found", missing.Reason);
    }

    [DriverFact]
    public async Task Idempotency_key_returns_the_first_scan()
    {
        using var host = NewHost();
        var first = await host.SubmitAsync(r => r["request_key"] = "abc-1");
        var again = await host.SubmitAsync(r => r["request_key"] = "abc-1");
        Assert.Equal((string)first["scan_id"]!, (string)again["scan_id"]!);

        using var c = host.Client(Tokens.User);
        using var req = new HttpRequestMessage(HttpMethod.Post, "/scan") { Content = new StringContent(DriverHost.TinyScan().ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        req.Headers.Add("Idempotency-Key", "hdr-7");
        using var r1 = await c.SendAsync(req);
        using var req2 = new HttpRequestMessage(HttpMethod.Post, "/scan") { Content = new StringContent(DriverHost.TinyScan().ToJsonString(), System.Text.Encoding.UTF8, "application/json") };
        req2.Headers.Add("Idempotency-Key", "hdr-7");
        using var r2 = await c.SendAsync(req2);
        Assert.Equal((string)JsonNode.Parse(await r1.Content.ReadAsStringAsync())!["scan_id"]!, (string)JsonNode.Parse(await r2.Content.ReadAsStringAsync())!["scan_id"]!);
        var all = await host.PostAsync(Tokens.User, "/scans/find", new JsonObject { ["filter"] = new JsonObject() });
        Assert.Equal(2, all.Object["manifests"]!.AsArray().Count);
    }

    [DriverFact]
    public async Task In_process_scan_runs_to_its_final_result_through_the_routes()
    {
        using var host = NewHost();
        var m = await host.SubmitAsync(r => r["classifiers"] = new JsonObject { ["purpose"] = "route-test" });
        var id = (string)m["scan_id"]!;
        var status = await host.WaitForStatusAsync(id, s => (bool)s["scan_complete"]! && (int)s["ewms_workforce"]!["n_running"]! == 0);
        Assert.Equal("SCAN_HAS_FINAL_RESULT", (string)status["scan_state"]!);
        Assert.False((bool)status["is_deleted"]!);
        Assert.False((bool)status["ewms_deactivated"]!);
        Assert.Null(status["deactivated"]);
        Assert.Equal($"/scan/{id}/logs", (string)status["scanner_server_logs"]!["url"]!);
        Assert.Equal(0, (int)status["ewms_workforce"]!["n_running"]!);

        var manifest = (await host.GetAsync(Tokens.User, $"/scan/{id}/manifest")).Object;
        Assert.NotNull(manifest["launched_at"]);
        Assert.Equal("InProcess", (string)manifest["launch_mode"]!);
        Assert.Matches(@" --seed \d+$", (string)manifest["scanner_server_args"]!);
        var eventMeta = manifest["event_metadata"]!.AsObject();
        Assert.False(eventMeta.ContainsKey("version"));
        Assert.False((bool)eventMeta["is_real_event"]!);
        var scanMeta = manifest["scan_metadata"]!.AsObject();
        Assert.Equal(id, (string)scanMeta["scan_id"]!);
        Assert.Equal(1, (int)scanMeta["position_variations"]!);
        Assert.Equal("The Skymap Scanner has finished.", (string)manifest["progress"]!["summary"]!);
        Assert.True((double)manifest["last_updated"]! >= (double)manifest["timestamp"]!);

        var projected = (await host.GetAsync(Tokens.User, $"/scan/{id}/manifest?projection=progress%7Cevent_metadata")).Object;
        Assert.Equal(new[] { "progress", "event_metadata" }, projected.Select(kv => kv.Key));

        var result = (await host.GetAsync(Tokens.User, $"/scan/{id}/result?include_deleted=True")).Object;
        Assert.Equal(id, (string)result["scan_id"]!);
        Assert.True((bool)result["is_final"]!);
        var sky = SkyScanResultJson.Deserialize(result["skyscan_result"]!.ToJsonString());
        Assert.Equal(new long[] { 1, 2 }, sky.Nsides);
        Assert.Equal(12, sky.GetBlock(1).Rows.Count);
        Assert.True(sky.Complete);
        Assert.Equal((long)eventMeta["run_id"]!, sky.Metadata.RunId);

        var both = (await host.GetAsync(Tokens.System, $"/scan/{id}")).Object;
        Assert.Equal(id, (string)both["manifest"]!["scan_id"]!);
        Assert.True((bool)both["result"]!["is_final"]!);

        var evt = (await host.GetAsync(Tokens.User, $"/scan/{id}/event")).Object;
        Assert.Equal("skymap-event/1", (string)evt["event"]!["format"]!);

        var startup = await host.SendAsync(Tokens.System, HttpMethod.Get, $"/scan/{id}/startup");
        var bytes = await startup.Raw.Content.ReadAsByteArrayAsync();
        var doc = StartupDocument.Parse(bytes);
        Assert.Equal(id, doc.ScanId);
        Assert.Equal("dummy", doc.RecoAlgo);

        var logs = (await host.GetAsync(Tokens.User, $"/scan/{id}/logs")).Object["scanner_server"]!;
        Assert.Equal($"/scan/{id}/logs", (string)logs["url"]!);
        var lines = logs["lines"]!.AsArray().Select(l => (string)l!).ToArray();
        Assert.Contains(lines, l => l.Contains("Driver: starting scan", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Driver: scan completed", StringComparison.Ordinal));
        var two = (await host.GetAsync(Tokens.User, $"/scan/{id}/logs?tail=2")).Object["scanner_server"]!["lines"]!.AsArray();
        Assert.Equal(2, two.Count);
        Assert.Equal(lines[^1], (string)two[1]!);
        Assert.Equal("argument tail: must be in [1, 5000], got 0", (await host.GetAsync(Tokens.User, $"/scan/{id}/logs?tail=0")).Reason);
        Assert.Equal("argument tail: must be in [1, 5000], got 5001", (await host.GetAsync(Tokens.User, $"/scan/{id}/logs?tail=5001")).Reason);

        // Done scans leave the running list and the backlog.
        Assert.Empty((await host.GetAsync(Tokens.System, "/scans/running")).Object["scans"]!.AsArray());
        Assert.Empty((await host.GetAsync(Tokens.User, "/scans/backlog")).Object["entries"]!.AsArray());

        // A completed scan can be deleted only on purpose.
        var refused = await host.SendAsync(Tokens.User, HttpMethod.Delete, $"/scan/{id}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("Attempted to delete a completed scan (must use `delete_completed_scan=True`)", refused.Reason);
        var deleted = await host.SendAsync(Tokens.User, HttpMethod.Delete, $"/scan/{id}", new JsonObject { ["delete_completed_scan"] = true });
        Assert.Equal(HttpStatusCode.OK, deleted.Status);
        Assert.True((bool)deleted.Object["manifest"]!["is_deleted"]!);
        Assert.True((bool)deleted.Object["result"]!["is_final"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync(Tokens.User, $"/scan/{id}/manifest")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync(Tokens.User, $"/scan/{id}/result")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await host.GetAsync(Tokens.User, $"/scan/{id}")).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(Tokens.User, $"/scan/{id}/result?include_deleted=true")).Status);
        var afterDelete = (await host.GetAsync(Tokens.User, $"/scan/{id}/status")).Object;
        Assert.True((bool)afterDelete["is_deleted"]!);
        Assert.Equal("SCAN_HAS_FINAL_RESULT", (string)afterDelete["scan_state"]!);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(Tokens.User, $"/scan/{id}/logs")).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(Tokens.User, $"/scan/{id}/event")).Status);
        var again = await host.SendAsync(Tokens.User, HttpMethod.Delete, $"/scan/{id}", new JsonObject { ["delete_completed_scan"] = true });
        Assert.Equal(HttpStatusCode.OK, again.Status);
    }

    [DriverFact]
    public async Task External_scanner_reports_move_the_derived_state()
    {
        using var host = NewHost();
        var id = (string)(await host.SubmitAsync(r => r["external_scanner"] = true))["scan_id"]!;
        async Task<string> State() => (string)(await host.GetAsync(Tokens.System, $"/scan/{id}/status")).Object["scan_state"]!;
        Assert.Equal("PENDING__PRESTARTUP", await State());
        Assert.Empty((await host.GetAsync(Tokens.User, "/scans/backlog")).Object["entries"]!.AsArray());
        var noStartup = await host.GetAsync(Tokens.System, $"/scan/{id}/startup");
        Assert.Equal(HttpStatusCode.NotFound, noStartup.Status);

        // No args: the current manifest, nothing changes.
        var same = await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject());
        Assert.Equal(HttpStatusCode.OK, same.Status);
        Assert.Null(same.Object["launched_at"]);

        var eventMeta = new JsonObject { ["run_id"] = 123456, ["event_id"] = 789, ["event_type"] = "GOLD", ["mjd"] = 59000.5, ["is_real_event"] = false, ["version"] = 1 };
        var scanMeta = new JsonObject { ["scan_id"] = id, ["nside_progression"] = new JsonObject { ["1"] = 0, ["2"] = 1 }, ["position_variations"] = 1, ["seed"] = 5 };
        var first = await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject { ["event_metadata"] = eventMeta, ["scan_metadata"] = scanMeta });
        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.NotNull(first.Object["launched_at"]);
        Assert.False(first.Object["event_metadata"]!.AsObject().ContainsKey("version"));
        Assert.Equal("PENDING__WAITING_ON_SCANNER_SERVER_STARTUP", await State());

        // Write-once metadata: the same value again is fine, another is refused.
        Assert.Equal(HttpStatusCode.OK, (await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject { ["event_metadata"] = eventMeta.DeepClone() })).Status);
        var changedEvent = (JsonObject)eventMeta.DeepClone();
        changedEvent["event_id"] = 790;
        var refused = await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject { ["event_metadata"] = changedEvent });
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal("Cannot change an existing event_metadata", refused.Reason);
        var changedScan = (JsonObject)scanMeta.DeepClone();
        changedScan["seed"] = 6;
        Assert.Equal("Cannot change an existing scan_metadata", (await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject { ["scan_metadata"] = changedScan })).Reason);
        Assert.Equal("argument progress: must be a JSON object, got 3", (await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject { ["progress"] = 3 })).Reason);
        Assert.Equal("unknown argument: colour", (await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject { ["colour"] = 3 })).Reason);
        Assert.Equal("argument event_metadata: run_id must be an integer", (await host.SendAsync(Tokens.System, Patch, "/scan/" + (string)(await host.SubmitAsync(r => r["external_scanner"] = true))["scan_id"]! + "/manifest", new JsonObject { ["event_metadata"] = new JsonObject { ["run_id"] = "x" } })).Reason);

        await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject { ["progress"] = new JsonObject { ["summary"] = "starting", ["processing_stats"] = new JsonObject { ["start"] = new JsonObject() } } });
        Assert.Equal("IN_PROGRESS__WAITING_ON_FIRST_PIXEL_RECO", await State());
        var progress = new JsonObject { ["summary"] = "busy", ["processing_stats"] = new JsonObject { ["rate"] = new JsonObject { ["all recos"] = new JsonObject() } } };
        var patched = await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject { ["progress"] = progress });
        Assert.Equal("busy", (string)patched.Object["progress"]!["summary"]!);
        Assert.Equal("IN_PROGRESS__PARTIAL_RESULT_GENERATED", await State());

        // Results: validation, falsy results, partial then final.
        var put = (JsonNode body) => host.SendAsync(Tokens.System, HttpMethod.Put, $"/scan/{id}/result", body);
        Assert.Equal("argument skyscan_result: missing required argument", (await put(new JsonObject { ["is_final"] = false })).Reason);
        Assert.Equal("argument is_final: missing required argument", (await put(new JsonObject { ["skyscan_result"] = new JsonObject() })).Reason);
        Assert.Equal("argument is_final: must be a bool (true/false), got 2", (await put(new JsonObject { ["skyscan_result"] = new JsonObject(), ["is_final"] = 2 })).Reason);
        var bad = await put(new JsonObject { ["skyscan_result"] = new JsonObject { ["nside-8"] = new JsonObject { ["columns"] = new JsonArray("index") } }, ["is_final"] = false });
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.StartsWith("argument skyscan_result: ", bad.Reason);
        var falsy = await put(new JsonObject { ["skyscan_result"] = new JsonObject(), ["is_final"] = false });
        Assert.Equal(HttpStatusCode.OK, falsy.Status);
        Assert.Empty(falsy.Object);
        Assert.Empty((await host.GetAsync(Tokens.User, $"/scan/{id}/result")).Object);

        var partial = SampleResult(complete: false, withNan: true);
        var p = await put(new JsonObject { ["skyscan_result"] = JsonNode.Parse(partial), ["is_final"] = "False" });
        Assert.Equal(HttpStatusCode.OK, p.Status);
        Assert.False((bool)p.Object["is_final"]!);
        Assert.Equal("IN_PROGRESS__PARTIAL_RESULT_GENERATED", await State());
        Assert.Contains(SkyScanResultJson.NanSentinel, partial);
        var stored = (await host.GetAsync(Tokens.User, $"/scan/{id}/result")).Raw.Content.ReadAsStringAsync();
        Assert.Contains(SkyScanResultJson.NanSentinel, await stored);

        var final = SampleResult(complete: true, withNan: false);
        Assert.Equal(HttpStatusCode.OK, (await put(new JsonObject { ["skyscan_result"] = JsonNode.Parse(final), ["is_final"] = true })).Status);
        Assert.Equal("SCAN_HAS_FINAL_RESULT", await State());
        var late = await put(new JsonObject { ["skyscan_result"] = JsonNode.Parse(partial), ["is_final"] = false });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, late.Status);
        var kept = (await host.GetAsync(Tokens.User, $"/scan/{id}/result")).Object;
        Assert.True((bool)kept["is_final"]!);
        Assert.True(SkyScanResultJson.Deserialize(final).ResultEquals(SkyScanResultJson.Deserialize(kept["skyscan_result"]!.ToJsonString())));

        Assert.Equal(HttpStatusCode.NotFound, (await host.SendAsync(Tokens.System, Patch, "/scan/0000000000x00000000000000000000/manifest", new JsonObject())).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await put(new JsonObject())).Status == HttpStatusCode.BadRequest ? HttpStatusCode.NotFound : HttpStatusCode.OK);
    }

    [DriverFact]
    public async Task Delete_aborts_a_scan_and_the_state_shows_it()
    {
        using var host = NewHost();
        var id = (string)(await host.SubmitAsync(r => r["external_scanner"] = true))["scan_id"]!;
        await host.SendAsync(Tokens.System, Patch, $"/scan/{id}/manifest", new JsonObject { ["progress"] = new JsonObject { ["summary"] = "x" } });
        var d = await host.SendAsync(Tokens.User, HttpMethod.Delete, $"/scan/{id}", new JsonObject { ["manifest_projection"] = new JsonArray("scan_id", "is_deleted", "deactivated") });
        Assert.Equal(HttpStatusCode.OK, d.Status);
        Assert.Equal(new[] { "scan_id", "is_deleted", "deactivated" }, d.Object["manifest"]!.AsObject().Select(kv => kv.Key));
        Assert.Equal("ABORTED", (string)d.Object["manifest"]!["deactivated"]!);
        Assert.Empty(d.Object["result"]!.AsObject());
        var status = (await host.GetAsync(Tokens.System, $"/scan/{id}/status")).Object;
        Assert.Equal("ABORTED__WAITING_ON_FIRST_PIXEL_RECO", (string)status["scan_state"]!);
        Assert.True((bool)status["ewms_deactivated"]!);
        Assert.Equal("ABORTED", (string)status["deactivated"]!);
        Assert.True((bool)status["is_deleted"]!);
        var notFound = await host.GetAsync(Tokens.User, $"/scan/{id}/manifest");
        Assert.Equal("Scan not found (deleted; use include_deleted=True)", notFound.Reason);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(Tokens.User, $"/scan/{id}/manifest?include_deleted=True")).Status);

        var unknown = await host.SendAsync(Tokens.User, HttpMethod.Delete, "/scan/0000000000x00000000000000000000");
        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("Scan not found", unknown.Reason);
        Assert.Equal("argument delete_completed_scan: must be a bool (true/false), got \"yes\"",
            (await host.SendAsync(Tokens.User, HttpMethod.Delete, $"/scan/{id}", new JsonObject { ["delete_completed_scan"] = "yes" })).Reason);
    }

    [DriverFact]
    public async Task Rescan_replaces_and_redirects_users()
    {
        using var host = NewHost();
        var old = await host.SubmitAsync(r =>
        {
            r["external_scanner"] = true;
            r["classifiers"] = new JsonObject { ["tag"] = "a" };
        });
        var oldId = (string)old["scan_id"]!;
        var rescan = await host.PostAsync(Tokens.User, $"/scan/{oldId}/actions/rescan", new JsonObject { ["abort_first"] = true, ["replace_scan"] = true });
        Assert.Equal(HttpStatusCode.OK, rescan.Status);
        var newId = (string)rescan.Object["scan_id"]!;
        Assert.NotEqual(oldId, newId);
        Assert.True((bool)rescan.Object["classifiers"]!["rescan"]!);
        Assert.Equal(oldId, (string)rescan.Object["classifiers"]!["origin_scan_id"]!);
        Assert.Equal("a", (string)rescan.Object["classifiers"]!["tag"]!);
        Assert.Equal((string)old["event_ref"]!, (string)rescan.Object["event_ref"]!);

        var oldManifest = (await host.GetAsync(Tokens.System, $"/scan/{oldId}/manifest?include_deleted=true")).Object;
        Assert.True((bool)oldManifest["is_deleted"]!);
        Assert.Equal("ABORTED", (string)oldManifest["deactivated"]!);
        Assert.Equal(newId, (string)oldManifest["replaced_by_scan_id"]!);
        var req = (await host.GetAsync(Tokens.User, $"/scan-request/{oldId}")).Object;
        Assert.Equal(new[] { newId }, req["rescan_ids"]!.AsArray().Select(x => (string)x!));

        // Users are redirected on GET; the system role and no_redirect are not.
        var redirected = await host.GetAsync(Tokens.User, $"/scan/{oldId}/result?include_deleted=True");
        Assert.Equal(HttpStatusCode.Found, redirected.Status);
        Assert.Equal($"/scan/{newId}/result?include_deleted=True", redirected.Raw.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Found, (await host.GetAsync(Tokens.User, $"/scan/{oldId}?include_deleted=true")).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(Tokens.User, $"/scan/{oldId}/result?include_deleted=True&no_redirect=True")).Status);
        Assert.Equal(HttpStatusCode.OK, (await host.GetAsync(Tokens.System, $"/scan/{oldId}?include_deleted=true")).Status);

        // A rescan of the rescan finds the original request; the system role may rescan.
        var second = await host.PostAsync(Tokens.System, $"/scan/{newId}/actions/rescan", new JsonObject { ["manifest_projection"] = new JsonArray("scan_id") });
        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Equal(new[] { "scan_id" }, second.Object.Select(kv => kv.Key));
        req = (await host.GetAsync(Tokens.User, $"/scan-request/{oldId}")).Object;
        Assert.Equal(2, req["rescan_ids"]!.AsArray().Count);
        var newManifest = (await host.GetAsync(Tokens.User, $"/scan/{newId}/manifest")).Object;
        Assert.False((bool)newManifest["is_deleted"]!);

        var missing = await host.PostAsync(Tokens.User, "/scan/0000000000x00000000000000000000/actions/rescan", new JsonObject());
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);
        Assert.Equal("Could not find original scan-request information to start a rescan", missing.Reason);
        Assert.Equal("unknown argument: now", (await host.PostAsync(Tokens.User, $"/scan/{newId}/actions/rescan", new JsonObject { ["now"] = true })).Reason);
    }

    [DriverFact]
    public async Task Find_supports_the_safe_filter_language_only()
    {
        using var host = NewHost();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var n = i;
            ids.Add((string)(await host.SubmitAsync(r =>
            {
                r["external_scanner"] = true;
                r["classifiers"] = new JsonObject { ["group"] = n < 2 ? "x" : "y", ["n"] = n, ["on"] = n == 1 };
            }))["scan_id"]!);
            await Task.Delay(5);
        }

        for (var i = 0; i < 3; i++)
        {
            await host.SendAsync(Tokens.System, Patch, $"/scan/{ids[i]}/manifest", new JsonObject
            {
                ["event_metadata"] = new JsonObject { ["run_id"] = 100 + i % 2, ["event_id"] = 7, ["event_type"] = i == 2 ? "BRONZE" : "GOLD", ["mjd"] = 1.0, ["is_real_event"] = i == 0 },
            });
        }

        await host.SendAsync(Tokens.System, HttpMethod.Put, $"/scan/{ids[1]}/result", new JsonObject { ["skyscan_result"] = JsonNode.Parse(SampleResult(true, false)), ["is_final"] = true });

        async Task<string[]> Find(JsonObject filter, bool includeDeleted = false)
        {
            var a = await host.PostAsync(Tokens.User, "/scans/find", new JsonObject { ["filter"] = filter, ["include_deleted"] = includeDeleted, ["manifest_projection"] = new JsonArray("scan_id") });
            Assert.True(a.Status == HttpStatusCode.OK, a.Body?.ToJsonString());
            return a.Object["manifests"]!.AsArray().Select(m => (string)m!["scan_id"]!).ToArray();
        }

        Assert.Equal(new[] { ids[2], ids[1], ids[0] }, await Find([]));
        Assert.Equal(new[] { ids[2], ids[0] }, await Find(new JsonObject { ["event_metadata.run_id"] = 100, ["event_metadata.event_id"] = 7 }));
        Assert.Equal(new[] { ids[0] }, await Find(new JsonObject { ["run_id"] = 100, ["event_metadata.is_real_event"] = true }));
        Assert.Equal(new[] { ids[2] }, await Find(new JsonObject { ["event_type"] = "BRONZE" }));
        Assert.Equal(new[] { ids[1] }, await Find(new JsonObject { ["is_final"] = true }));
        Assert.Equal(new[] { ids[2], ids[0] }, await Find(new JsonObject { ["is_final"] = false }));
        Assert.Equal(new[] { ids[1], ids[0] }, await Find(new JsonObject { ["classifiers.group"] = "x" }));
        Assert.Equal(new[] { ids[2] }, await Find(new JsonObject { ["classifiers.n"] = 2 }));
        Assert.Equal(new[] { ids[1] }, await Find(new JsonObject { ["classifiers.on"] = true }));
        Assert.Empty(await Find(new JsonObject { ["classifiers.n"] = "2" }));
        Assert.Equal(new[] { ids[2], ids[0] }, await Find(new JsonObject { ["scan_id"] = new JsonObject { ["$in"] = new JsonArray(ids[0], ids[2], "nope") } }));
        Assert.Equal(new[] { ids[1] }, await Find(new JsonObject { ["scan_id"] = ids[1] }));
        var t1 = (double)(await host.GetAsync(Tokens.User, $"/scan/{ids[1]}/manifest")).Object["timestamp"]!;
        Assert.Equal(new[] { ids[2], ids[1] }, await Find(new JsonObject { ["timestamp"] = new JsonObject { ["$gte"] = t1 } }));
        Assert.Equal(new[] { ids[1] }, await Find(new JsonObject { ["timestamp"] = new JsonObject { ["$gte"] = t1, ["$lte"] = t1 } }));
        Assert.Equal(3, (await Find(new JsonObject { ["last_updated"] = new JsonObject { ["$gt"] = 0 } })).Length);

        await host.SendAsync(Tokens.User, HttpMethod.Delete, $"/scan/{ids[0]}");
        Assert.Equal(new[] { ids[2], ids[1] }, await Find([]));
        Assert.Equal(3, (await Find([], includeDeleted: true)).Length);
        Assert.Equal(new[] { ids[0] }, await Find(new JsonObject { ["is_deleted"] = true }));

        var limited = await host.PostAsync(Tokens.User, "/scans/find", new JsonObject { ["filter"] = new JsonObject(), ["limit"] = 1 });
        Assert.Single(limited.Object["manifests"]!.AsArray());
        Assert.True((bool)limited.Object["truncated"]!);
        Assert.False(limited.Object["manifests"]![0]!.AsObject().ContainsKey("event"));
        Assert.False((bool)(await host.PostAsync(Tokens.User, "/scans/find", new JsonObject { ["filter"] = new JsonObject(), ["limit"] = 2 })).Object["truncated"]!);

        (JsonNode Filter, string Reason)[] bad =
        [
            (new JsonObject { ["$where"] = "1" }, "unsupported filter key: $where"),
            (new JsonObject { ["$or"] = new JsonArray() }, "unsupported filter key: $or"),
            (new JsonObject { ["progress"] = 1 }, "unsupported filter key: progress"),
            (new JsonObject { ["run_id"] = new JsonObject { ["$ne"] = 1 } }, "unsupported operator: $ne"),
            (new JsonObject { ["timestamp"] = new JsonObject { ["$regex"] = 1 } }, "unsupported operator: $regex"),
            (new JsonObject { ["scan_id"] = new JsonObject { ["$nin"] = new JsonArray() } }, "unsupported operator: $nin"),
            (new JsonObject { ["run_id"] = new JsonArray(1, 2) }, "run_id: must be an integer"),
            (new JsonObject { ["run_id"] = "1" }, "run_id: must be an integer"),
            (new JsonObject { ["is_final"] = "yes" }, "is_final: must be a bool"),
            (new JsonObject { ["classifiers.a.b"] = 1 }, "unsupported filter key: classifiers.a.b"),
            (new JsonObject { ["classifiers.x'--"] = 1 }, "unsupported filter key: classifiers.x'--"),
            (new JsonObject { ["classifiers.group"] = new JsonObject { ["$gt"] = 1 } }, "classifiers.group: must be a scalar (string, number, bool or null)"),
            (new JsonObject { ["timestamp"] = new JsonObject { ["$gt"] = 1, ["$lt"] = 2, ["$gte"] = 3 } }, "timestamp: must be a range object with 1 or 2 of $gte, $gt, $lte, $lt"),
            (new JsonObject(Enumerable.Range(0, 17).Select(i => KeyValuePair.Create($"classifiers.k{i}", (JsonNode?)i))), "filter has 17 terms; at most 16 are allowed"),
            (new JsonArray(), "argument filter: must be a JSON object, got []"),
        ];
        foreach (var (filter, reason) in bad)
        {
            var a = await host.PostAsync(Tokens.User, "/scans/find", new JsonObject { ["filter"] = filter.DeepClone() });
            Assert.True(a.Status == HttpStatusCode.BadRequest, $"{filter.ToJsonString()}: {a.Status}");
            Assert.Equal(reason, a.Reason);
        }

        Assert.Equal("argument filter: missing required argument", (await host.PostAsync(Tokens.User, "/scans/find", new JsonObject())).Reason);
        Assert.Equal("argument limit: must be in [1, 10000], got 0", (await host.PostAsync(Tokens.User, "/scans/find", new JsonObject { ["filter"] = new JsonObject(), ["limit"] = 0 })).Reason);
    }

    [DriverFact]
    public async Task Backlog_throttles_low_priority_and_starts_priority_scans_at_once()
    {
        using var host = NewHost(new Dictionary<string, string?> { ["Launch:BacklogDelaySeconds"] = "3600", ["Launch:MaxRunningScans"] = "1" });
        JsonObject Slow(JsonObject r)
        {
            r["reco_settings"] = new JsonObject { ["sleep"] = 0.05 };
            r["nsides"] = new JsonObject { ["8"] = 0 };
            return r;
        }

        var a = (string)(await host.SubmitAsync(r => Slow(r)))["scan_id"]!;
        await host.WaitForStatusAsync(a, s => ((string)s["scan_state"]!).StartsWith("IN_PROGRESS", StringComparison.Ordinal));
        JsonArray running;
        do
        {
            running = (await host.GetAsync(Tokens.System, "/scans/running")).Object["scans"]!.AsArray();
        }
        while (running.Count == 1 && running[0]!["startup_sha256"] is null);
        Assert.Equal(a, (string)running.Single()!["scan_id"]!);
        Assert.Matches("^[0-9a-f]{64}$", (string)running[0]!["startup_sha256"]!);
        Assert.Equal(2, (int)(await host.GetAsync(Tokens.User, $"/scan/{a}/status")).Object["ewms_workforce"]!["n_running"]!);

        var b = (string)(await host.SubmitAsync(r => Slow(r)))["scan_id"]!;
        var c = (string)(await host.SubmitAsync(r => r["priority"] = 100))["scan_id"]!;
        await host.WaitForFinalAsync(c);
        var backlog = (await host.GetAsync(Tokens.User, "/scans/backlog")).Object["entries"]!.AsArray();
        var entry = backlog.Single()!;
        Assert.Equal(b, (string)entry["scan_id"]!);
        Assert.Equal(0, (int)entry["priority"]!);
        Assert.Equal("PENDING__PRESTARTUP", (string)(await host.GetAsync(Tokens.User, $"/scan/{b}/status")).Object["scan_state"]!);

        // Deleting the waiting scan removes its entry.
        await host.SendAsync(Tokens.User, HttpMethod.Delete, $"/scan/{b}");
        Assert.Empty((await host.GetAsync(Tokens.User, "/scans/backlog")).Object["entries"]!.AsArray());
        await host.SendAsync(Tokens.User, HttpMethod.Delete, $"/scan/{a}");
        var aborted = await host.WaitForStatusAsync(a, s => (string?)s["deactivated"] == "ABORTED");
        Assert.StartsWith("ABORTED__", (string)aborted["scan_state"]!);
    }

    [DriverFact]
    public async Task Unknown_routes_methods_and_dropped_upstream_routes_answer_json()
    {
        using var host = NewHost();
        var ewms = await host.PostAsync(Tokens.User, "/scan/abc/actions/add-workers", new JsonObject());
        Assert.Equal(HttpStatusCode.NotFound, ewms.Status);
        Assert.Equal("EWMS is not part of this service", ewms.Reason);
        Assert.Equal("EWMS is not part of this service", (await host.GetAsync(Tokens.User, "/scan/abc/ewms/workflows")).Error);
        var nothing = await host.GetAsync(Tokens.User, "/nothing/here");
        Assert.Equal(HttpStatusCode.NotFound, nothing.Status);
        Assert.Equal("Not found: GET /nothing/here", nothing.Error);
        var method = await host.SendAsync(Tokens.User, HttpMethod.Put, "/scans/backlog");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, method.Status);
        Assert.Equal(405, (int)method.Object["code"]!);
        var odd = await host.GetAsync(Tokens.User, "/scan/a-b/status");
        Assert.Equal(HttpStatusCode.NotFound, odd.Status);
        Assert.Equal("Scan not found", odd.Reason);
        Assert.Equal("unknown argument: x", (await host.GetAsync(Tokens.User, "/scans/backlog?x=1")).Reason);
        Assert.Equal("argument include_deleted: must be a bool (true/false), got \"maybe\"", (await host.GetAsync(Tokens.User, "/scan/abc?include_deleted=maybe")).Reason);
    }

    [DriverFact]
    public async Task A_restart_resumes_interrupted_scans_or_marks_them_failed_with_a_reason()
    {
        var first = NewHost();
        var slow = (JsonObject r) =>
        {
            r["nsides"] = new JsonObject { ["8"] = 0 };
            r["reco_settings"] = new JsonObject { ["sleep"] = 0.05 };
        };
        var id = (string)(await first.SubmitAsync(slow))["scan_id"]!;
        var done = (string)(await first.SubmitAsync(r => r["priority"] = 100))["scan_id"]!;
        await first.WaitForFinalAsync(done);
        var doneResult = await (await first.GetAsync(Tokens.User, $"/scan/{done}/result")).Raw.Content.ReadAsStringAsync();
        await first.WaitForStatusAsync(id, s => ((string)s["scan_state"]!).StartsWith("IN_PROGRESS", StringComparison.Ordinal));

        // A stop while the scan runs leaves it launched and unfinished; a restart with no resumes left fails it, with the reason.
        using var second = new DriverHost(first, new Dictionary<string, string?> { ["Launch:MaxResumes"] = "0" });
        first.Dispose();
        var status = await second.WaitForStatusAsync(id, s => s["deactivated"] is not null);
        Assert.StartsWith("FAILED__", (string)status["scan_state"]!);
        Assert.Equal("interrupted by 1 service restarts; not resumed again", (string)status["failure_reason"]!);
        Assert.Empty((await second.GetAsync(Tokens.System, "/scans/running")).Object["scans"]!.AsArray());
        Assert.Equal(doneResult, await (await second.GetAsync(Tokens.User, $"/scan/{done}/result")).Raw.Content.ReadAsStringAsync());
    }

    internal static string SampleResult(bool complete, bool withNan)
    {
        var rows = Enumerable.Range(0, 12).Select(i => new ResultRow(i, withNan && i == 3 ? double.NaN : 10.0 + i * 0.5 - (i == 5 ? 8 : 0), 1, 2, 0, 0, 0, 0)).ToArray();
        var r = SkyScanResult.Create(123456, 789, "GOLD", 59000.5, false, [(1L, rows)], complete);
        return SkyScanResultJson.Serialize(r);
    }

    private static string ApiPhrase(string error) => new(error.Select(ch => ch is >= ' ' and <= '~' ? ch : '?').Take(200).ToArray());

    [GeneratedRegex("^[0-9a-f]{11}x[0-9a-f]{20}$")]
    private static partial Regex ScanIdPattern();
}

public sealed class SqliteRouteTests : RouteTests
{
    protected override DriverHost NewHost(IDictionary<string, string?>? settings = null) => new(postgres: false, settings);
}

[NeedsPostgres]
public sealed class PostgresRouteTests : RouteTests
{
    protected override DriverHost NewHost(IDictionary<string, string?>? settings = null) => new(postgres: true, settings);
}
