using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Skymap.Core.Events;
using Skymap.Core.Results;
using Skymap.Driver.Tests.Support;

namespace Skymap.Driver.Tests;

/// <summary>The service as a real process: Python requests as SERVICE.md §2a, and kill -9 then restart.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "skymap-driver-proc", Guid.NewGuid().ToString("N"));

    public ProcessTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [PythonRequestsFact]
    public async Task Python_requests_runs_the_seed_workflows_unchanged()
    {
        using var service = await ServiceProcess.StartAsync(_dir, ServiceProcess.FreePort());
        var evt = BuiltinEvents.Get("track-100tev");
        evt = evt with { Header = evt.Header with { RunId = 137501, EventId = 20453318, EventType = "GOLD", IsRealEvent = true } };
        var eventFile = Path.Combine(_dir, "event.json");
        await File.WriteAllTextAsync(eventFile, SkymapEventSerializer.Serialize(evt));

        var (code, stdout, stderr) = RunPython(Path.Combine(AppContext.BaseDirectory, "Python", "seed_workflow.py"), service.Address.ToString().TrimEnd('/'), Tokens.User, eventFile);
        Assert.True(code == 0, $"python exited {code}: {stderr}\n{stdout}\n{service.Output}");
        var s = JsonNode.Parse(stdout.Trim().Split('\n')[^1])!.AsObject();
        Assert.Equal("SCAN_HAS_FINAL_RESULT", (string)s["states"]!.AsArray()[^1]!);
        Assert.Equal(new[] { 1, 2 }, s["nsides"]!.AsArray().Select(n => (int)n!));
        Assert.Equal(12, (int)s["pixels"]!["1"]!);
        Assert.Equal(137501, (int)s["run_id"]!);
        Assert.Equal(20453318, (int)s["event_id"]!);
        Assert.True((bool)s["is_real_event"]!);
        Assert.True((bool)s["same_as_first_read"]!);
        var errors = s["errors"]!;
        Assert.Contains("404 Client Error: Scan not found for url", (string)errors["unknown"]!);
        Assert.Contains("400 Client Error: argument reco_algo: missing required argument for url", (string)errors["missing"]!);
        Assert.Contains("400 Client Error: Must provide either 'event_json' or 'event_ref' (xor) for url", (string)errors["xor"]!);
        Assert.Contains("400 Client Error: Attempted to delete a completed scan (must use `delete_completed_scan=True`) for url", (string)errors["completed"]!);
        Assert.True((bool)s["deleted"]!);
        Assert.Empty(s["found_after_delete"]!.AsArray());
        Assert.True((bool)s["result_include_deleted"]!);

        // The best pixel Python found is the one the C# reader finds in the stored result.
        using var http = service.Http(Tokens.User);
        var id = (string)s["scan_id"]!;
        var result = JsonNode.Parse(await http.GetStringAsync($"/scan/{id}/result?include_deleted=True"))!;
        var sky = SkyScanResultJson.Deserialize(result["skyscan_result"]!.ToJsonString());
        var finest = sky.GetBlock(2);
        var best = finest.Rows.Where(r => !double.IsNaN(r.Llh)).MinBy(r => r.Llh);
        Assert.Equal(best.Index, (long)s["best_index"]!);
    }

    [Fact]
    public async Task Kill_9_mid_scan_then_restart_resumes_the_scan_and_keeps_results()
    {
        var port = ServiceProcess.FreePort();
        string doneId, runningId;
        string doneResult;
        var settings = new Dictionary<string, string?> { ["Launch:MaxRunningScans"] = "2" };
        using (var first = await ServiceProcess.StartAsync(_dir, port, settings))
        {
            using var http = first.Http(Tokens.User);
            doneId = await SubmitAsync(http, new JsonObject { ["1"] = 0, ["2"] = 1 }, sleep: 0);
            await WaitAsync(http, doneId, s => (bool)s["scan_complete"]!, 60);
            doneResult = await http.GetStringAsync($"/scan/{doneId}/result");

            // 768 pixels at 20 ms each on 2 workers: about 8 s. Kill it once partial results are stored.
            runningId = await SubmitAsync(http, new JsonObject { ["8"] = 0 }, sleep: 0.02);
            await WaitAsync(http, runningId, s => (string)s["scan_state"]! == "IN_PROGRESS__PARTIAL_RESULT_GENERATED", 60);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while ((await http.GetStringAsync($"/scan/{runningId}/result")) == "{}" && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.NotEqual("{}", await http.GetStringAsync($"/scan/{runningId}/result"));
            first.Kill();
        }

        var checkpoint = Path.Combine(_dir, "driver.db.data", "scans", runningId);
        Assert.True(Directory.EnumerateFiles(checkpoint).Any(), "the coordinator checkpointed finished pixels");

        using var second = await ServiceProcess.StartAsync(_dir, port, settings);
        using var http2 = second.Http(Tokens.User);
        var status = await WaitAsync(http2, runningId, s => (bool)s["scan_complete"]! || s["deactivated"] is not null, 120);
        Assert.True((bool)status["scan_complete"]!, $"resumed scan did not complete: {status.ToJsonString()}\n{second.Output}");
        var result = JsonNode.Parse(await http2.GetStringAsync($"/scan/{runningId}/result"))!;
        var sky = SkyScanResultJson.Deserialize(result["skyscan_result"]!.ToJsonString());
        Assert.Equal(768, sky.GetBlock(8).Rows.Count);
        Assert.True(sky.Complete);
        var logs = JsonNode.Parse(await http2.GetStringAsync($"/scan/{runningId}/logs?tail=5000"))!["scanner_server"]!["lines"]!.AsArray().Select(l => (string)l!).ToArray();
        Assert.Contains(logs, l => l.Contains("resuming from the checkpoint", StringComparison.Ordinal));
        var manifest = JsonNode.Parse(await http2.GetStringAsync($"/scan/{runningId}/manifest"))!;
        Assert.Equal(2, (int)manifest["launch_count"]!);

        // The earlier final result is intact, byte for byte.
        Assert.Equal(doneResult, await http2.GetStringAsync($"/scan/{doneId}/result"));
    }

    private static async Task<string> SubmitAsync(HttpClient http, JsonObject nsides, double sleep)
    {
        var body = new JsonObject
        {
            ["reco_algo"] = "dummy",
            ["nsides"] = nsides,
            ["real_or_simulated_event"] = "sim",
            ["event_ref"] = "builtin:track-100tev",
            ["max_pixel_reco_time"] = 60,
            ["reco_settings"] = new JsonObject { ["sleep"] = sleep },
        };
        using var r = await http.PostAsync("/scan", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await r.Content.ReadAsStringAsync();
        Assert.True(r.StatusCode == HttpStatusCode.OK, text);
        return (string)JsonNode.Parse(text)!["scan_id"]!;
    }

    private static async Task<JsonObject> WaitAsync(HttpClient http, string id, Func<JsonObject, bool> done, double seconds)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            last = (await http.GetFromJsonAsync<JsonObject>($"/scan/{id}/status"))!;
            if (done(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"scan {id}: {last?.ToJsonString()}");
    }

    private static (int Code, string Stdout, string Stderr) RunPython(params string[] args)
    {
        var psi = new ProcessStartInfo(PythonRequestsFactAttribute.Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(180_000))
        {
            p.Kill();
        }

        return (p.ExitCode, output, err.Result);
    }
}

/// <summary>A fact that needs Debian's <c>/usr/bin/python3</c> with requests and numpy; skipped without them unless SKYMAP_REQUIRE_ALL=1.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PythonRequestsFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(Python, "-c \"import requests, numpy\"") { UseShellExecute = false, RedirectStandardError = true })!;
            p.WaitForExit();
            return p.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public PythonRequestsFactAttribute()
    {
        if (!Available.Value && Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1")
        {
            Skip = $"{Python} with requests and numpy is not available";
        }
    }
}
