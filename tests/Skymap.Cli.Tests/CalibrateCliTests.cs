using System.Net.Sockets;
using System.Text.Json;
using Skymap.Core.Results;

namespace Skymap.Cli.Tests;

public class CalibrateCliTests
{
    private const string Event = "builtin:track-10tev";

    private static string ScanDummy(string evt)
    {
        var dir = CliProcess.TempDir();
        var (code, _, err) = CliProcess.Run("scan", "--event", evt, "--reco", "dummy", "--nsides", "1:0", "--seed", "1", "--output-dir", dir);
        Assert.True(code == 0, err);
        return Directory.GetFiles(dir, "run*.json").Single();
    }

    private static string[] Calibrate(string result, string dir, params string[] more) => CalibrateWithSeed("7", result, dir, more);

    private static string[] CalibrateWithSeed(string seed, string result, string dir, params string[] more) =>
    [
        "calibrate", result, "--event", Event, "--reco", "dummy", "--trials", "10", "--nsides", "2:0 4:2", "--radius", "40", "--seed", seed,
        "--output", Path.Combine(dir, "calibrated.json"), "--report", Path.Combine(dir, "calibration.json"), .. more,
    ];

    private static (string Levels, string Values) Read(string dir)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "calibration.json")));
        var levels = doc.RootElement.GetProperty("levels").GetRawText();
        var values = string.Join(",", doc.RootElement.GetProperty("trial_results").EnumerateArray().Select(t => t.GetProperty("two_delta_llh").GetRawText()));
        return (levels, values);
    }

    private static bool BrokerReachable()
    {
        try
        {
            using var client = new TcpClient();
            return client.ConnectAsync("127.0.0.1", 5672).Wait(TimeSpan.FromSeconds(2)) && client.Connected;
        }
        catch (Exception e) when (e is SocketException or AggregateException)
        {
            return false;
        }
    }

    [Fact]
    public void Same_seed_gives_the_same_levels_on_every_transport()
    {
        var result = ScanDummy(Event);
        var transports = new List<string[]> { new[] { "--transport", "inprocess" }, new[] { "--transport", "processes", "--workers", "2" } };
        if (BrokerReachable() || Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") == "1")
        {
            transports.Add(new[] { "--transport", "rabbitmq", "--local-workers", "1" });
        }

        var seen = new List<(string Levels, string Values, byte[] Result)>();
        foreach (var t in transports)
        {
            var dir = CliProcess.TempDir();
            var (code, stdout, err) = CliProcess.Run(Calibrate(result, dir, [.. t, "--no-plots"]));
            Assert.True(code == 0, $"{string.Join(' ', t)}: {err}");
            Assert.Contains("calibrated 90%: 2ΔLLH < ", stdout, StringComparison.Ordinal);
            var (levels, values) = Read(dir);
            seen.Add((levels, values, File.ReadAllBytes(Path.Combine(dir, "calibrated.json"))));
        }

        Assert.All(seen, s => Assert.Equal(seen[0].Levels, s.Levels));
        Assert.All(seen, s => Assert.Equal(seen[0].Values, s.Values));
        Assert.All(seen, s => Assert.Equal(seen[0].Result, s.Result));

        // The calibrated result keeps the pixels and carries the levels in every block's metadata.
        var original = ResultFiles.Read(result);
        var dir0 = CliProcess.TempDir();
        Assert.Equal(0, CliProcess.Run(Calibrate(result, dir0)).ExitCode);
        var calibrated = ResultFiles.Read(Path.Combine(dir0, "calibrated.json"));
        Assert.All(calibrated.Blocks, b => Assert.Equal(10, b.Metadata.Calibration!.Trials));
        Assert.Equal(original.Blocks.SelectMany(b => b.Rows), calibrated.Blocks.SelectMany(b => b.Rows));
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir0, "calibration.json")));
        var level90 = report.RootElement.GetProperty("levels")[1].GetProperty("level").GetDouble();
        Assert.Equal(level90, calibrated.Metadata.Calibration!.Level90);

        // The FITS maps written beside it carry the calibrated levels in their header.
        var fits = Directory.GetFiles(dir0, "*.fits*");
        Assert.NotEmpty(fits);
        foreach (var f in fits)
        {
            using var raw = File.OpenRead(f);
            using Stream s = f.EndsWith(".gz", StringComparison.Ordinal) ? new System.IO.Compression.GZipStream(raw, System.IO.Compression.CompressionMode.Decompress) : raw;
            using var reader = new StreamReader(s, System.Text.Encoding.Latin1);
            var head = new char[2880 * 8];
            var n = reader.ReadBlock(head, 0, head.Length);
            var text = new string(head, 0, n);
            Assert.Contains("CALIB_2DLLH_90", text, StringComparison.Ordinal);
            Assert.Contains("CALIB_TRIALS", text, StringComparison.Ordinal);
        }

        // Another seed gives other trials.
        var other = CliProcess.TempDir();
        Assert.Equal(0, CliProcess.Run(CalibrateWithSeed("8", result, other, "--no-plots")).ExitCode);
        Assert.NotEqual(seen[0].Values, Read(other).Values);
    }

    [Fact]
    public void A_result_of_another_event_is_refused_with_exit_2()
    {
        var result = ScanDummy("builtin:track-100tev");
        var dir = CliProcess.TempDir();
        var (code, _, err) = CliProcess.Run(Calibrate(result, dir));
        Assert.Equal(2, code);
        Assert.Contains("skymap: error:", err, StringComparison.Ordinal);
        Assert.Contains("do not belong together", err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Theory]
    [InlineData("--trials", "5", "--trials")]
    [InlineData("--radius", "0", "--radius")]
    [InlineData("--nsides", "64:3", "--nsides")]
    [InlineData("--truth-model", "wrong", "unknown truth model")]
    [InlineData("--dom-efficiency", "-1", "DOM efficiency")]
    [InlineData("--transport", "carrier-pigeon", "unknown transport")]
    public void Bad_options_are_one_clear_error_with_exit_2(string option, string value, string words)
    {
        var result = ScanDummy(Event);
        var dir = CliProcess.TempDir();
        var (code, _, err) = CliProcess.Run([.. Calibrate(result, dir), option, value]);
        Assert.Equal(2, code);
        Assert.Contains("skymap: error:", err, StringComparison.Ordinal);
        Assert.Contains(words, err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void Simulate_records_the_truth_model()
    {
        var dir = CliProcess.TempDir();
        var path = Path.Combine(dir, "e.json");
        var (code, stdout, err) = CliProcess.Run("simulate", "--zenith", "1.2", "--azimuth", "0.3", "--energy", "1e4", "--truth-model", "mismatch", "--noise-scale", "3", "--out", path);
        Assert.True(code == 0, err);
        Assert.Contains("truth model custom", stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var model = doc.RootElement.GetProperty("truth").GetProperty("model");
        Assert.Equal(3.0, model.GetProperty("noise_scale").GetDouble());
        Assert.Equal(0.9, model.GetProperty("dom_efficiency").GetDouble());

        var nominal = Path.Combine(dir, "n.json");
        Assert.Equal(0, CliProcess.Run("simulate", "--zenith", "1.2", "--azimuth", "0.3", "--energy", "1e4", "--out", nominal).ExitCode);
        Assert.DoesNotContain("\"model\"", File.ReadAllText(nominal), StringComparison.Ordinal);
        var bad = CliProcess.Run("simulate", "--zenith", "1.2", "--azimuth", "0.3", "--energy", "1e4", "--truth-model", "wrong", "--out", Path.Combine(dir, "x.json"));
        Assert.Equal(2, bad.ExitCode);
        Assert.Contains("unknown truth model", bad.Stderr, StringComparison.Ordinal);
    }
}
