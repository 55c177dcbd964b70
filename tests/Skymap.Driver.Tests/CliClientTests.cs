using System.Diagnostics;
using System.Text.Json.Nodes;
using Skymap.Core.Results;
using Skymap.Driver.Tests.Support;

namespace Skymap.Driver.Tests;

/// <summary><c>skymap driver submit|status|wait|result|find|delete</c>: the real CLI against the real service process.</summary>
public sealed class CliClientTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "skymap-driver-cli", Guid.NewGuid().ToString("N"));

    public CliClientTests() => Directory.CreateDirectory(_dir);

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

    [Fact]
    public async Task Submit_wait_result_find_delete_through_the_cli()
    {
        using var service = await ServiceProcess.StartAsync(_dir, ServiceProcess.FreePort());
        var address = service.Address.ToString().TrimEnd('/');
        var env = new Dictionary<string, string> { ["SKYMAP_DRIVER_ADDRESS"] = address, ["SKYMAP_DRIVER_TOKEN"] = Tokens.User };

        var submit = Skymap(env, "driver", "submit", "--event", "builtin:track-100tev", "--reco", "dummy", "--nsides", "1:0 2:1", "--priority", "100");
        Assert.True(submit.Code == 0, submit.Stderr);
        var id = submit.Stdout.Trim();
        Assert.Matches("^[0-9a-z]{32}$", id);

        var wait = Skymap(env, "driver", "wait", id, "--interval", "0.5", "--timeout", "120");
        Assert.True(wait.Code == 0, wait.Stderr + wait.Stdout);
        Assert.Contains("has its final result", wait.Stdout, StringComparison.Ordinal);

        var status = Skymap(env, "driver", "status", id);
        Assert.Equal(0, status.Code);
        Assert.Contains("SCAN_HAS_FINAL_RESULT", status.Stdout, StringComparison.Ordinal);
        Assert.Contains("nside 1: 12/12 pixels", status.Stdout, StringComparison.Ordinal);

        var file = Path.Combine(_dir, "result.json");
        var result = Skymap(env, "driver", "result", id, "--out", file);
        Assert.True(result.Code == 0, result.Stderr);
        Assert.Contains("final result written", result.Stdout, StringComparison.Ordinal);
        using (var http = service.Http(Tokens.User))
        {
            var stored = JsonNode.Parse(await http.GetStringAsync($"/scan/{id}/result"))!["skyscan_result"]!.ToJsonString();
            Assert.True(SkyScanResultJson.Deserialize(stored).ResultEquals(SkyScanResultJson.ReadFile(file)));
        }

        var runId = SkyScanResultJson.ReadFile(file).GetBlock(1).Metadata.RunId;
        var find = Skymap(env, "driver", "find", "--run-id", runId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, find.Code);
        Assert.Contains(id, find.Stdout.Split('\n', StringSplitOptions.TrimEntries));

        var refused = Skymap(env, "driver", "delete", id);
        Assert.Equal(2, refused.Code);
        Assert.Contains("400 Attempted to delete a completed scan", refused.Stderr, StringComparison.Ordinal);
        var deleted = Skymap(env, "driver", "delete", id, "--delete-completed-scan");
        Assert.True(deleted.Code == 0, deleted.Stderr);
        var after = Skymap(env, "driver", "find", "--run-id", runId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(id, after.Stdout.Split('\n', StringSplitOptions.TrimEntries));
    }

    [Fact]
    public async Task Bad_ids_tokens_addresses_and_events_are_one_clear_line()
    {
        using var service = await ServiceProcess.StartAsync(_dir, ServiceProcess.FreePort());
        var address = service.Address.ToString().TrimEnd('/');

        var unknown = Skymap(null, "driver", "status", "0123456789abcdef0123456789abcdef", "--driver-address", address, "--token", Tokens.User);
        Assert.Equal(2, unknown.Code);
        Assert.Equal("skymap: error: driver: 404 Scan not found", unknown.Stderr.Trim());

        var token = Skymap(null, "driver", "find", "--run-id", "1", "--driver-address", address, "--token", "wrong-token");
        Assert.Equal(2, token.Code);
        Assert.StartsWith("skymap: error: driver: 401", token.Stderr.Trim(), StringComparison.Ordinal);

        var evt = Skymap(null, "driver", "submit", "--event", "builtin:nope", "--reco", "dummy", "--driver-address", address, "--token", Tokens.User);
        Assert.Equal(2, evt.Code);
        Assert.Contains("unknown built-in event 'nope'", evt.Stderr, StringComparison.Ordinal);

        var missing = Skymap(null, "driver", "status", "x", "--driver-address", address);
        Assert.Equal(2, missing.Code);
        Assert.Contains("--token: required", missing.Stderr, StringComparison.Ordinal);

        var unreachable = Skymap(null, "driver", "status", "x", "--driver-address", "http://127.0.0.1:1", "--token", Tokens.User);
        Assert.Equal(4, unreachable.Code);
        Assert.StartsWith("skymap: error: driver unreachable", unreachable.Stderr.Trim(), StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Skymap(IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "skymap.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("SKYMAP_DRIVER_ADDRESS");
        psi.Environment.Remove("SKYMAP_DRIVER_TOKEN");
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"skymap {string.Join(' ', args)} did not finish in 3 minutes");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
