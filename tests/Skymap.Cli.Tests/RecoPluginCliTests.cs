using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Skymap.Cli.Tests;

/// <summary>
/// The samples/CustomReco plug-in through the real CLI: <c>scan --reco-assembly</c> in-process, through worker processes
/// and through RabbitMQ gives the same result files, bit for bit; workers refuse a missing file or another build.
/// </summary>
public class RecoPluginCliTests
{
    private const string Event = "builtin:track-10tev";
    private const string Nsides = "4:0 16:12";
    private const string Seed = "7";

    private static readonly Lazy<string> InProcessDir = new(() => Scan("inprocess"));

    private static string PluginDll
    {
        get
        {
            var path = typeof(RecoPluginCliTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "CustomRecoAssembly").Value!;
            Assert.True(File.Exists(path), $"{path} is built by the test project's reference to samples/CustomReco");
            return path;
        }
    }

    private static string PluginSha256 => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(PluginDll)));

    [Fact]
    public void In_process_scan_with_the_plugin_completes_with_a_minimum_near_the_truth()
    {
        var dir = InProcessDir.Value;
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "scan-manifest.json")))!;
        Assert.Equal("The Skymap Scanner has finished.", (string)manifest["progress"]!["summary"]!);
        var result = Core.Results.ResultFiles.Read(ResultJson(dir));
        var rows = result.GetBlock(16).Rows;
        Assert.NotEmpty(rows);
        Assert.All(result.GetBlock(4).Rows, r => Assert.True(double.IsFinite(r.Llh)));

        // A real likelihood: the llh varies over the sky, and refinement went to the neighbourhood of its minimum.
        var coarse = result.GetBlock(4).Rows.Select(r => r.Llh).ToArray();
        Assert.True(coarse.Max() - coarse.Min() > 50, $"llh range {coarse.Min()}..{coarse.Max()}");
        Assert.True(rows.Min(r => r.Llh) <= coarse.Min());
    }

    [Fact]
    public void Processes_transport_loads_the_plugin_in_the_workers_and_equals_in_process()
    {
        var dir = Scan("processes", "--workers", "2");
        AssertSameResult(InProcessDir.Value, dir);

        var startup = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "startup.json")))!;
        var named = startup["reco_assemblies"]!.AsArray().Single()!;
        Assert.Equal(Path.GetFullPath(PluginDll), (string)named["path"]!);
        Assert.Equal(PluginSha256, (string)named["sha256"]!);
    }

    [BrokerFact]
    public void RabbitMq_workers_load_the_plugin_from_the_startup_document_and_equal_in_process()
    {
        var dir = CliProcess.TempDir();
        var workers = Enumerable.Range(0, 2).Select(_ => Start(
            "worker", "--transport", "rabbitmq", "--startup-json", Path.Combine(dir, "startup.json"),
            "--first-message-timeout", "120", "--idle-timeout", "60")).ToList();
        try
        {
            // The workers get no --reco-assembly: the startup document tells them which file to load.
            var r = CliProcess.Run("scan", "--event", Event, "--reco", "cone_front", "--reco-assembly", PluginDll, "--nsides", Nsides,
                "--seed", Seed, "--transport", "rabbitmq", "--output-dir", dir, "--server-silence-timeout", "120");
            Assert.True(r.ExitCode == 0, r.Stderr);
            foreach (var w in workers)
            {
                Assert.True(w.WaitForExit(TimeSpan.FromSeconds(90)), "a worker did not end after the scan deleted its queues");
            }
        }
        finally
        {
            foreach (var w in workers)
            {
                if (!w.HasExited)
                {
                    w.Kill(entireProcessTree: true);
                }

                w.Dispose();
            }
        }

        AssertSameResult(InProcessDir.Value, dir);
    }

    [Fact]
    public void A_worker_refuses_a_plugin_whose_digest_differs_from_the_startup_document()
    {
        var other = new string('0', 64);
        var doc = StartupDocumentNaming(PluginDll, other);
        var (code, stderr) = StdioWorker(doc);
        Assert.Equal(1, code);
        Assert.Contains(Path.GetFullPath(PluginDll), stderr, StringComparison.Ordinal);
        Assert.Contains($"has SHA-256 {PluginSha256}, not the expected {other}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_worker_refuses_a_plugin_file_that_is_missing_and_accepts_its_own_copy()
    {
        var missing = Path.Combine(CliProcess.TempDir(), "CustomReco.dll");
        var doc = StartupDocumentNaming(missing, PluginSha256);
        var (code, stderr) = StdioWorker(doc);
        Assert.Equal(1, code);
        Assert.Contains($"reco assembly '{missing}' does not exist", stderr, StringComparison.Ordinal);

        // The same build kept elsewhere on the worker is matched by its SHA-256.
        var (ok, okErr) = StdioWorker(doc, "--reco-assembly", PluginDll);
        Assert.True(ok == 0, okErr);
        Assert.Contains("reco cone_front", okErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing")]
    [InlineData("not-an-assembly")]
    [InlineData("no-recos")]
    public void Scan_rejects_a_bad_plugin_with_one_error_line(string what)
    {
        var path = what switch
        {
            "missing" => Path.Combine(CliProcess.TempDir(), "Nope.dll"),
            "not-an-assembly" => WriteFile("Garbage.dll", "this is not a PE file"),
            _ => Path.Combine(AppContext.BaseDirectory, "Spectre.Console.dll"),
        };
        var dir = CliProcess.TempDir();
        var r = CliProcess.Run("scan", "--event", Event, "--reco", "cone_front", "--reco-assembly", path, "--nsides", "1:0", "--output-dir", dir);
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"skymap: error: --reco-assembly: reco assembly '{path}", line, StringComparison.Ordinal);
        Assert.Contains(what switch { "missing" => "does not exist", "not-an-assembly" => "is not a .NET assembly", _ => "defines no public IRecoAlgorithm" }, line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Without_the_plugin_its_reco_is_unknown_and_with_it_the_builtins_remain()
    {
        var dir = CliProcess.TempDir();
        var r = CliProcess.Run("scan", "--event", Event, "--reco", "cone_front", "--nsides", "1:0", "--output-dir", dir);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--reco: unknown reco 'cone_front'", r.Stderr, StringComparison.Ordinal);

        var d = CliProcess.Run("scan", "--event", Event, "--reco", "nope", "--reco-assembly", PluginDll, "--nsides", "1:0", "--output-dir", dir);
        Assert.Equal(2, d.ExitCode);
        Assert.Contains("cone_front", d.Stderr, StringComparison.Ordinal);
        Assert.Contains("pandel_mpe", d.Stderr, StringComparison.Ordinal);
    }

    private static string Scan(string transport, params string[] extra) => ScanWithNsides(transport, Nsides, extra);

    private static string ScanWithNsides(string transport, string nsides, params string[] extra)
    {
        var dir = CliProcess.TempDir();
        var r = CliProcess.Run([
            "scan", "--event", Event, "--reco", "cone_front", "--reco-assembly", PluginDll, "--nsides", nsides, "--seed", Seed,
            "--transport", transport, "--output-dir", dir, .. extra]);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return dir;
    }

    private static string ResultJson(string dir) => Directory.GetFiles(dir, "run*.json").Single();

    private static void AssertSameResult(string expectedDir, string actualDir)
    {
        Assert.Equal(File.ReadAllBytes(ResultJson(expectedDir)), File.ReadAllBytes(ResultJson(actualDir)));
        Assert.Equal(File.ReadAllBytes(Path.ChangeExtension(ResultJson(expectedDir), ".npz")), File.ReadAllBytes(Path.ChangeExtension(ResultJson(actualDir), ".npz")));
    }

    /// <summary>The startup document of a real plug-in scan, edited to name another file or digest.</summary>
    private static string StartupDocumentNaming(string path, string sha256)
    {
        var doc = JsonNode.Parse(File.ReadAllText(Path.Combine(ProcessesStartupDir.Value, "startup.json")))!;
        doc["reco_assemblies"] = new JsonArray(new JsonObject { ["path"] = path, ["sha256"] = sha256 });
        return WriteFile("startup.json", doc.ToJsonString());
    }

    private static readonly Lazy<string> ProcessesStartupDir = new(() => ScanWithNsides("processes", "1:0", "--workers", "1"));

    private static string WriteFile(string name, string text)
    {
        var path = Path.Combine(CliProcess.TempDir(), name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Runs <c>skymap worker --stdio</c> on a startup document with its input closed: it sets up, then ends.</summary>
    private static (int ExitCode, string Stderr) StdioWorker(string startup, params string[] extra)
    {
        using var p = Start(["worker", "--stdio", "--startup-json", startup, "--startup-wait", "5", .. extra], stdin: true);
        p.StandardInput.Close();
        var stderr = p.StandardError.ReadToEndAsync();
        _ = p.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(2)), "the worker did not end");
        return (p.ExitCode, stderr.Result);
    }

    private static Process Start(params string[] args) => Start(args, stdin: false);

    private static Process Start(string[] args, bool stdin)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(CliProcess.SkymapDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        if (!stdin)
        {
            _ = p.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
            _ = p.StandardError.BaseStream.CopyToAsync(Stream.Null);
        }

        return p;
    }
}
