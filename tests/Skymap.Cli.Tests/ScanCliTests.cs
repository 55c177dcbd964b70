using Skymap.Core.Results;

namespace Skymap.Cli.Tests;

public class ScanCliTests
{
    private const string Event = "builtin:oscnext-genie-0";

    [Fact]
    public void Two_scans_with_the_same_seed_write_identical_result_files()
    {
        var a = CliProcess.TempDir();
        var b = CliProcess.TempDir();
        foreach (var dir in new[] { a, b })
        {
            var (code, _, err) = CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--nsides", "8:0 64:12 512:24", "--seed", "1", "--output-dir", dir);
            Assert.True(code == 0, err);
        }

        var names = Directory.GetFiles(a).Select(Path.GetFileName).Order().ToArray();
        Assert.Contains("run00140000.evt000000000002.neutrino_8_64_512.json", names);
        Assert.Contains("run00140000.evt000000000002.neutrino_8_64_512.npz", names);
        Assert.Contains("scan-manifest.json", names);
        foreach (var f in new[] { "run00140000.evt000000000002.neutrino_8_64_512.json", "run00140000.evt000000000002.neutrino_8_64_512.npz" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(a, f)), File.ReadAllBytes(Path.Combine(b, f)));
        }

        var result = ResultFiles.Read(Path.Combine(a, "run00140000.evt000000000002.neutrino_8_64_512.json"));
        Assert.Equal(768, result.GetBlock(8).Rows.Count);
        Assert.Equal(0, result.GetBlock(64).Rows.Count % 64);
        Assert.Equal(0, result.GetBlock(512).Rows.Count % 64);
        Assert.True(result.GetBlock(512).Metadata.Complete);
    }

    [Theory]
    [InlineData("0.65")]
    [InlineData("1.0")]
    public void Predictive_thresholds_complete_with_every_nside(string pst)
    {
        var dir = CliProcess.TempDir();
        var (code, _, err) = CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--nsides", "8:0 64:12 512:24",
            "--predictive-scanning-threshold", pst, "--seed", "3", "--output-dir", dir);
        Assert.True(code == 0, err);
        var result = ResultFiles.Read(Directory.GetFiles(dir, "*.npz").Single());
        Assert.Equal(new long[] { 8, 64, 512 }, result.Blocks.Select(b => b.Nside).ToArray());
    }

    [Fact]
    public void Crash_dummy_completes_and_the_manifest_counts_failures()
    {
        var dir = CliProcess.TempDir();
        var (code, _, err) = CliProcess.Run("scan", "--event", Event, "--reco", "crash_dummy", "--reco-setting", "crash_probability=0.3",
            "--nsides", "8:0 64:12", "--seed", "5", "--output-dir", dir);
        Assert.True(code == 0, err);
        var manifest = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "scan-manifest.json")))!;
        var overall = manifest["progress"]!["tallies"]!["overall"]!["recos"]!;
        Assert.Equal("The Skymap Scanner has finished.", (string)manifest["progress"]!["summary"]!);
        Assert.True((long)overall["done"]! >= 768);
        Assert.Equal(5UL, (ulong)manifest["scan_metadata"]!["seed"]!);
        Assert.True((long)overall["failed"]! > 0, "with p = 0.3 and K = 3 some of the ~1500 variations fail three times");
        Assert.True((long)overall["retried"]! > 300, "about 30% of the attempts crash and are re-sent");
    }

    [Theory]
    [InlineData("unknown reco", "--reco", "nope", "--reco")]
    [InlineData("malformed nsides", "--nsides", "64:0 8:12", "--nsides")]
    [InlineData("missing event", "--event", "/nonexistent/event.json", "--event")]
    [InlineData("unknown builtin", "--event", "builtin:nope", "--event")]
    [InlineData("bad threshold", "--predictive-scanning-threshold", "0.05", "threshold")]
    [InlineData("bad setting", "--reco-setting", "crash_probability=2", "crash_probability")]
    public void Bad_input_gives_one_error_line_non_zero_exit_and_no_files(string what, string option, string value, string mention)
    {
        var dir = CliProcess.TempDir();
        var args = new List<string> { "scan", "--event", Event, "--reco", "crash_dummy", "--output-dir", dir, "--nsides", "1:0" };
        var i = args.IndexOf(option);
        if (i >= 0)
        {
            args[i + 1] = value;
        }
        else
        {
            args.AddRange([option, value]);
        }

        var (code, stdout, stderr) = CliProcess.Run(args.ToArray());
        Assert.True(code != 0, what);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.Contains(mention, lines[0], StringComparison.Ordinal);
        Assert.StartsWith("skymap: error:", lines[0], StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir));
        Assert.Equal("", stdout);
    }

    [Fact]
    public void Garbled_event_file_is_rejected()
    {
        var dir = CliProcess.TempDir();
        var evt = Path.Combine(CliProcess.TempDir(), "garbled.json");
        File.WriteAllText(evt, "{\"format\": \"skymap-event/1\", \"run_id\": 1,");
        var (code, _, stderr) = CliProcess.Run("scan", "--event", evt, "--reco", "dummy", "--output-dir", dir);
        Assert.Equal(2, code);
        Assert.Contains("not valid JSON", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Unwritable_output_dir_is_rejected()
    {
        var file = Path.Combine(CliProcess.TempDir(), "a-file");
        File.WriteAllText(file, "");
        var (code, _, stderr) = CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--output-dir", Path.Combine(file, "sub"));
        Assert.Equal(2, code);
        Assert.Contains("--output-dir", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_exits_zero_for_equal_and_one_for_different_results()
    {
        var a = CliProcess.TempDir();
        var b = CliProcess.TempDir();
        Assert.Equal(0, CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--nsides", "1:0 2:12", "--seed", "1", "--output-dir", a).ExitCode);
        Assert.Equal(0, CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--nsides", "1:0 2:12", "--seed", "2", "--output-dir", b).ExitCode);
        var fa = Directory.GetFiles(a, "*.json").Single(f => !f.EndsWith("manifest.json", StringComparison.Ordinal));
        var fb = Directory.GetFiles(b, "*.npz").Single();
        var same = CliProcess.Run("compare", fa, Path.ChangeExtension(fa, ".npz"));
        Assert.Equal(0, same.ExitCode);
        Assert.Contains("EQUAL", same.Stdout, StringComparison.Ordinal);
        var diff = CliProcess.Run("compare", fa, fb, "--tolerances", "scanner");
        Assert.Equal(1, diff.ExitCode);
        Assert.Contains("NOT CLOSE", diff.Stdout, StringComparison.Ordinal);
        Assert.NotEqual(0, CliProcess.Run("compare", fa, "/nonexistent.json").ExitCode);
    }
}

public class DistributedScanCliTests
{
    private const string Event = "builtin:oscnext-genie-0";

    private static string ResultJson(string dir) =>
        Directory.GetFiles(dir, "run*.json").Single();

    [Fact]
    public void Processes_transport_through_the_real_cli_equals_in_process()
    {
        var a = CliProcess.TempDir();
        var b = CliProcess.TempDir();
        var x = CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--nsides", "1:0 2:12 4:12", "--seed", "9", "--output-dir", a);
        Assert.True(x.ExitCode == 0, x.Stderr);
        var y = CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--nsides", "1:0 2:12 4:12", "--seed", "9", "--transport", "processes", "--workers", "2", "--output-dir", b);
        Assert.True(y.ExitCode == 0, y.Stderr);
        Assert.Equal(File.ReadAllBytes(ResultJson(a)), File.ReadAllBytes(ResultJson(b)));
        Assert.Equal(File.ReadAllBytes(Path.ChangeExtension(ResultJson(a), ".npz")), File.ReadAllBytes(Path.ChangeExtension(ResultJson(b), ".npz")));
    }

    [Fact]
    public void Resume_with_the_same_cache_dir_reuses_seed_and_checkpoint()
    {
        var cache = CliProcess.TempDir();
        var a = CliProcess.TempDir();
        var b = CliProcess.TempDir();
        Assert.Equal(0, CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--nsides", "1:0 2:12", "--cache-dir", cache, "--output-dir", a).ExitCode);
        var again = CliProcess.Run("scan", "--event", Event, "--reco", "dummy", "--nsides", "1:0 2:12", "--cache-dir", cache, "--output-dir", b, "--verbose");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("restored from the checkpoint", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(ResultJson(a)), File.ReadAllBytes(ResultJson(b)));
    }

    [Fact]
    public void Unreachable_broker_is_a_clear_error()
    {
        var dir = CliProcess.TempDir();
        var r = CliProcess.RunIn(new Dictionary<string, string> { ["SKYMAP_BROKER_ADDRESS"] = "amqp://127.0.0.1:1/" },
            "scan", "--event", Event, "--reco", "dummy", "--nsides", "1:0", "--transport", "rabbitmq", "--output-dir", dir, "--server-silence-timeout", "20");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("skymap: error:", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir, "run*"));
    }
}

public class LlhCliTests
{
    [Fact]
    public void Llh_prints_one_round_trip_number_and_kernels_agree()
    {
        string[] common = ["llh", "--event", "builtin:track-10tev", "--reco", "pandel_mpe", "--zenith", "1.3", "--azimuth", "4.0", "--x", "-40", "--y", "60", "--z", "30", "--t", "10000"];
        var scalar = CliProcess.Run([.. common, "--kernel", "scalar"]);
        var simd = CliProcess.Run([.. common, "--kernel", "simd"]);
        Assert.True(scalar.ExitCode == 0, scalar.Stderr);
        Assert.True(simd.ExitCode == 0, simd.Stderr);
        var lines = scalar.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        var a = double.Parse(lines[0], System.Globalization.CultureInfo.InvariantCulture);
        var b = double.Parse(simd.Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(lines[0], a.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(double.IsFinite(a) && a > 0);
        Assert.True(Math.Abs(a - b) <= 1e-9 * Math.Abs(a), $"scalar {a} vs simd {b}");
    }

    [Fact]
    public void Llh_rejects_bad_input_with_one_error_line()
    {
        var r = CliProcess.Run("llh", "--event", "builtin:track-10tev", "--reco", "nope", "--zenith", "1", "--azimuth", "1", "--x", "0", "--y", "0", "--z", "0", "--t", "0");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("nope", r.Stderr, StringComparison.Ordinal);
    }
}
