using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Results;
using Skymap.Transport.Driver;
using Spectre.Console;

namespace Skymap.Cli.Commands;

/// <summary>
/// <c>skymap driver submit|status|wait|result|find|delete</c>: a thin client of the Skymap Driver REST service
/// (docs/spec/SERVICE.md) over the library's <see cref="DriverClient"/>. Service errors (4xx) exit 2 with the
/// service's reason; an unreachable service exits 4; <c>wait</c> exits 3 when the scan ends without a final result.
/// </summary>
internal static class DriverCommand
{
    private const string AddressVariable = "SKYMAP_DRIVER_ADDRESS";
    private const string TokenVariable = "SKYMAP_DRIVER_TOKEN";

    public static Command Create()
    {
        var address = new Option<string?>("--driver-address") { Description = $"Driver base address, e.g. http://localhost:8080 (default: ${AddressVariable})", Recursive = true };
        var token = new Option<string?>("--token") { Description = $"Bearer token (default: ${TokenVariable}); never logged", Recursive = true };
        var cmd = new Command("driver", "Talk to a Skymap Driver service: submit a scan, follow it, fetch its result, find scans, delete them.")
        {
            address, token,
        };
        cmd.Subcommands.Add(Submit(address, token));
        cmd.Subcommands.Add(Status(address, token));
        cmd.Subcommands.Add(Wait(address, token));
        cmd.Subcommands.Add(Result(address, token));
        cmd.Subcommands.Add(Find(address, token));
        cmd.Subcommands.Add(Delete(address, token));
        return cmd;
    }

    private static Command Submit(Option<string?> address, Option<string?> token)
    {
        var evt = new Option<string>("--event") { Description = "skymap-event/1 JSON file, or builtin:NAME (sent as event_ref)", Required = true };
        var reco = new Option<string>("--reco") { Description = "Reconstruction name (reco_algo)", Required = true };
        var nsides = new Option<string>("--nsides") { Description = "nside progression", DefaultValueFactory = _ => NSideProgression.DefaultText };
        var real = new Option<bool>("--real") { Description = "The event is real (default: simulated)" };
        var maxTime = new Option<int>("--max-pixel-reco-time") { Description = "Worker task timeout in seconds", DefaultValueFactory = _ => 1800 };
        var priority = new Option<int>("--priority") { Description = "Backlog priority (≥ 100 starts at once)", DefaultValueFactory = _ => 0 };
        var pst = new Option<double>("--predictive-scanning-threshold") { Description = "0.1–1.0", DefaultValueFactory = _ => 1.0 };
        var settings = new Option<string[]>("--reco-setting") { Description = "Reco setting KEY=VALUE (repeatable), as for the scan", AllowMultipleArgumentsPerToken = false };
        var cmd = new Command("submit", "POST /scan: request a scan; prints the new scan id.") { evt, reco, nsides, real, maxTime, priority, pst, settings };
        cmd.SetAction((pr, ct) => CliRunner.RunAsync(async () =>
        {
            var body = new JsonObject
            {
                ["reco_algo"] = pr.GetValue(reco),
                ["nsides"] = NsidesObject(pr.GetValue(nsides)!),
                ["real_or_simulated_event"] = pr.GetValue(real) ? "real" : "simulated",
                ["max_pixel_reco_time"] = pr.GetValue(maxTime),
                ["priority"] = pr.GetValue(priority),
                ["predictive_scanning_threshold"] = pr.GetValue(pst),
            };
            AddEvent(body, pr.GetValue(evt)!);
            var recoSettings = RecoSettingsObject(pr.GetValue(settings) ?? []);
            if (recoSettings.Count > 0)
            {
                body["reco_settings"] = recoSettings;
            }

            using var client = Client(pr.GetValue(address), pr.GetValue(token));
            var manifest = await Call(() => client.SubmitScanAsync(body, ct)).ConfigureAwait(false);
            Console.Out.WriteLine(manifest["scan_id"]?.GetValue<string>());
            return 0;
        }));
        return cmd;
    }

    private static Command Status(Option<string?> address, Option<string?> token)
    {
        var id = new Argument<string>("scan-id");
        var json = new Option<bool>("--json") { Description = "Print the status document as JSON" };
        var cmd = new Command("status", "GET /scan/{id}/status and the progress of the manifest.") { id, json };
        cmd.SetAction((pr, ct) => CliRunner.RunAsync(async () =>
        {
            using var client = Client(pr.GetValue(address), pr.GetValue(token));
            var scanId = pr.GetValue(id)!;
            var status = await Call(() => client.GetStatusAsync(scanId, ct)).ConfigureAwait(false);
            if (pr.GetValue(json))
            {
                Console.Out.WriteLine(status.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
                return 0;
            }

            var manifest = await Call(() => client.GetManifestAsync(scanId, "progress", ct)).ConfigureAwait(false);
            Console.Out.WriteLine($"scan {scanId}: {StateLine(status)}");
            foreach (var (nside, done, total) in NsideTallies(manifest))
            {
                Console.Out.WriteLine($"  nside {nside}: {done}/{total} pixels");
            }

            return 0;
        }));
        return cmd;
    }

    private static Command Wait(Option<string?> address, Option<string?> token)
    {
        var id = new Argument<string>("scan-id");
        var interval = new Option<double>("--interval") { Description = "Seconds between polls", DefaultValueFactory = _ => 5.0 };
        var timeout = new Option<double>("--timeout") { Description = "Give up after this many seconds (0: never)", DefaultValueFactory = _ => 0.0 };
        var cmd = new Command("wait", "Follow a scan with a progress bar until it has its final result (exit 0) or ends without one (exit 3).") { id, interval, timeout };
        cmd.SetAction((pr, ct) => CliRunner.RunAsync(async () =>
        {
            var every = pr.GetValue(interval);
            if (!(every > 0))
            {
                throw new CliException("--interval: must be > 0 seconds");
            }

            var limit = pr.GetValue(timeout);
            using var client = Client(pr.GetValue(address), pr.GetValue(token));
            return await WaitAsync(client, pr.GetValue(id)!, TimeSpan.FromSeconds(every), limit > 0 ? TimeSpan.FromSeconds(limit) : null, ct).ConfigureAwait(false);
        }));
        return cmd;
    }

    private static Command Result(Option<string?> address, Option<string?> token)
    {
        var id = new Argument<string>("scan-id");
        var output = new Option<string?>("--out") { Description = "Write the skyscan_result JSON here (default: <scan-id>.json)" };
        var cmd = new Command("result", "GET /scan/{id}/result: writes the skyscan_result document (the result JSON file) and prints the best fit.") { id, output };
        cmd.SetAction((pr, ct) => CliRunner.RunAsync(async () =>
        {
            using var client = Client(pr.GetValue(address), pr.GetValue(token));
            var scanId = pr.GetValue(id)!;
            var answer = await Call(() => client.GetResultAsync(scanId, ct)).ConfigureAwait(false);
            if (answer["skyscan_result"] is not JsonObject doc)
            {
                throw new CliException($"scan {scanId} has no result yet", 3);
            }

            var text = doc.ToJsonString();
            var result = SkyScanResultJson.Deserialize(text);
            var path = Path.GetFullPath(pr.GetValue(output) ?? scanId + ".json");
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, text, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliException($"--out: cannot write '{path}': {e.Message}");
            }
            var isFinal = answer["is_final"]?.GetValue<bool>() == true;
            Console.Out.WriteLine($"{(isFinal ? "final" : "partial")} result written to {path}");
            if (result.BestFit() is { } best)
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"best fit: nside {best.Nside} pixel {best.Index} -ln L {best.Llh:G10}"));
            }

            return 0;
        }));
        return cmd;
    }

    private static Command Find(Option<string?> address, Option<string?> token)
    {
        var run = new Option<long?>("--run-id") { Description = "event_metadata.run_id" };
        var evt = new Option<long?>("--event-id") { Description = "event_metadata.event_id" };
        var real = new Option<bool?>("--is-real-event") { Description = "event_metadata.is_real_event" };
        var filter = new Option<string?>("--filter") { Description = "A raw filter object (SERVICE.md §6), JSON; combined with the options above" };
        var deleted = new Option<bool>("--include-deleted") { Description = "Also list deleted scans" };
        var cmd = new Command("find", "POST /scans/find: prints the scan ids (newest first) matching run/event ids or a filter.") { run, evt, real, filter, deleted };
        cmd.SetAction((pr, ct) => CliRunner.RunAsync(async () =>
        {
            var f = ParseFilter(pr.GetValue(filter));
            if (pr.GetValue(run) is { } r)
            {
                f["event_metadata.run_id"] = r;
            }

            if (pr.GetValue(evt) is { } e)
            {
                f["event_metadata.event_id"] = e;
            }

            if (pr.GetValue(real) is { } isReal)
            {
                f["event_metadata.is_real_event"] = isReal;
            }

            using var client = Client(pr.GetValue(address), pr.GetValue(token));
            var answer = await Call(() => client.FindAsync(f, pr.GetValue(deleted), ct)).ConfigureAwait(false);
            var manifests = answer["manifests"] as JsonArray ?? [];
            foreach (var m in manifests)
            {
                Console.Out.WriteLine(m?["scan_id"]?.GetValue<string>());
            }

            if (answer["truncated"]?.GetValue<bool>() == true)
            {
                Console.Error.WriteLine("skymap: note: more scans match than were listed");
            }

            return 0;
        }));
        return cmd;
    }

    private static Command Delete(Option<string?> address, Option<string?> token)
    {
        var id = new Argument<string>("scan-id");
        var completed = new Option<bool>("--delete-completed-scan") { Description = "Allow deleting a scan that has its final result" };
        var cmd = new Command("delete", "DELETE /scan/{id}: stops and deletes a scan.") { id, completed };
        cmd.SetAction((pr, ct) => CliRunner.RunAsync(async () =>
        {
            using var client = Client(pr.GetValue(address), pr.GetValue(token));
            var scanId = pr.GetValue(id)!;
            await Call(() => client.DeleteScanAsync(scanId, pr.GetValue(completed), ct)).ConfigureAwait(false);
            Console.Out.WriteLine($"scan {scanId} deleted");
            return 0;
        }));
        return cmd;
    }

    internal static async Task<int> WaitAsync(DriverClient client, string scanId, TimeSpan interval, TimeSpan? timeout, CancellationToken ct)
    {
        var deadline = timeout is { } t ? DateTime.UtcNow + t : DateTime.MaxValue;
        var interactive = !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (interactive)
        {
            var outcome = 0;
            await AnsiConsole.Progress().AutoClear(false).StartAsync(async progress =>
            {
                var bar = progress.AddTask($"scan {scanId}", maxValue: 1);
                outcome = await PollAsync(client, scanId, interval, deadline, (state, done, total) =>
                {
                    bar.Description = $"{scanId} {state}";
                    bar.MaxValue = Math.Max(1, total);
                    bar.Value = done;
                }, ct).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return outcome;
        }

        var last = "";
        return await PollAsync(client, scanId, interval, deadline, (state, done, total) =>
        {
            var line = $"{scanId} {state}: {done}/{total} pixels";
            if (line != last)
            {
                Console.Out.WriteLine(line);
                last = line;
            }
        }, ct).ConfigureAwait(false);
    }

    private static async Task<int> PollAsync(
        DriverClient client, string scanId, TimeSpan interval, DateTime deadline, Action<string, long, long> report, CancellationToken ct)
    {
        while (true)
        {
            var status = await Call(() => client.GetStatusAsync(scanId, ct)).ConfigureAwait(false);
            var manifest = await Call(() => client.GetManifestAsync(scanId, "progress", ct)).ConfigureAwait(false);
            var (done, total) = Overall(manifest);
            var state = status["scan_state"]?.GetValue<string>() ?? "?";
            report(state, done, total);
            if (status["scan_complete"]?.GetValue<bool>() == true)
            {
                Console.Out.WriteLine($"scan {scanId} has its final result");
                return 0;
            }

            if (status["is_deleted"]?.GetValue<bool>() == true || status["deactivated"] is JsonValue)
            {
                throw new CliException($"scan {scanId} ended without a final result: {StateLine(status)}", 3);
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new CliException($"scan {scanId} has no final result after the --timeout ({state})", 3);
            }

            await Task.Delay(interval, ct).ConfigureAwait(false);
        }
    }

    private static (long Done, long Total) Overall(JsonObject manifest)
    {
        var pixels = manifest["progress"]?["tallies"]?["overall"]?["pixels"];
        return pixels is null ? (0, 0) : (Number(pixels["done"]), Number(pixels["initial approximation total"]));
    }

    private static IEnumerable<(string Nside, long Done, long Total)> NsideTallies(JsonObject manifest)
    {
        if (manifest["progress"]?["tallies"]?["nsides"] is not JsonObject nsides)
        {
            yield break;
        }

        foreach (var (nside, tally) in nsides)
        {
            var pixels = tally?["pixels"];
            yield return (nside, Number(pixels?["done"]), Number(pixels?["initial approximation total"]));
        }
    }

    private static long Number(JsonNode? node) => node is JsonValue v && v.TryGetValue<double>(out var d) ? (long)Math.Round(d) : 0;

    private static string StateLine(JsonObject status)
    {
        var state = status["scan_state"]?.GetValue<string>() ?? "?";
        var deactivated = status["deactivated"] is JsonValue d ? $", deactivated {d}" : "";
        var deleted = status["is_deleted"]?.GetValue<bool>() == true ? ", deleted" : "";
        return state + deactivated + deleted;
    }

    private static DriverClient Client(string? address, string? token)
    {
        var a = address ?? Environment.GetEnvironmentVariable(AddressVariable);
        if (string.IsNullOrWhiteSpace(a))
        {
            throw new CliException($"--driver-address: required (or set {AddressVariable})");
        }

        if (!Uri.TryCreate(a, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new CliException($"--driver-address: '{a}' is not an http(s) address");
        }

        var tk = token ?? Environment.GetEnvironmentVariable(TokenVariable);
        if (string.IsNullOrWhiteSpace(tk))
        {
            throw new CliException($"--token: required (or set {TokenVariable})");
        }

        return new DriverClient(uri, tk) { RetryDelay = TimeSpan.FromSeconds(0.2) };
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (DriverApiException e) when (e.StatusCode == 0)
        {
            throw new CliException($"driver unreachable: {CliRunner.CleanMessage(e.InnerException ?? e)}", 4);
        }
        catch (DriverApiException e) when (e.StatusCode is >= 400 and < 500)
        {
            throw new CliException($"driver: {e.StatusCode} {e.Reason}");
        }
        catch (DriverApiException e)
        {
            throw new CliException($"driver: {e.StatusCode} {e.Reason}", 4);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"driver unreachable: {e.Message}", 4);
        }
        catch (TaskCanceledException e) when (e.InnerException is TimeoutException)
        {
            throw new CliException("driver: request timed out", 4);
        }
    }

    private static JsonObject NsidesObject(string text)
    {
        NSideProgression progression;
        try
        {
            progression = NSideProgression.Parse(text);
        }
        catch (Exception e) when (e is FormatException or ArgumentException)
        {
            throw new CliException($"--nsides: {CliRunner.CleanMessage(e)}");
        }

        var o = new JsonObject();
        foreach (var (nside, ext) in progression.Steps)
        {
            o[nside.ToString(CultureInfo.InvariantCulture)] = ext;
        }

        return o;
    }

    private static void AddEvent(JsonObject body, string evt)
    {
        if (evt.StartsWith(BuiltinEvents.Prefix, StringComparison.Ordinal))
        {
            body["event_ref"] = evt;
            return;
        }

        string text;
        try
        {
            text = File.ReadAllText(evt);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliException($"--event: cannot read '{evt}': {e.Message}");
        }

        try
        {
            body["event_json"] = JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CliException($"--event: '{evt}' is not a JSON event document: {e.Message}");
        }
    }

    private static JsonObject RecoSettingsObject(IReadOnlyList<string> settings)
    {
        var o = new JsonObject();
        foreach (var (key, value) in ScanCommand.ParseSettings(settings))
        {
            o[key] = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? JsonValue.Create(d) : JsonValue.Create(value);
        }

        return o;
    }

    private static JsonObject ParseFilter(string? text)
    {
        if (text is null)
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new JsonException("not a JSON object");
        }
        catch (JsonException e)
        {
            throw new CliException($"--filter: not a JSON object: {e.Message}");
        }
    }
}
