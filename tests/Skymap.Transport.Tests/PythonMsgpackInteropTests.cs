using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Skymap.Transport.Contract;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.Internal;
using Skymap.Transport.Processes;
using Skymap.Transport.Startup;
using Skymap.Transport.Tests.Support;
using Skymap.Transport.Wire;
using Skymap.Transport.Workers;

namespace Skymap.Transport.Tests;

/// <summary>
/// The wire format as docs/wire-format.md writes it down, checked against an implementation that shares no code with ours:
/// <c>Interop/msgpack_worker.py</c> with Debian's python3-msgpack, run as a real worker of the multi-process transport
/// and as an encoder of tasks for our stdio worker.
/// </summary>
public sealed class PythonMsgpackInteropTests : IDisposable
{
    private const long NanDeadBeef = 0x7FF8_0000_DEAD_BEEF;
    private static readonly string Script = Path.Combine(AppContext.BaseDirectory, "Interop", "msgpack_worker.py");
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-msgpack-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [PythonMsgpackFact]
    public async Task A_python_worker_decodes_our_tasks_and_its_replies_are_accepted_bit_for_bit()
    {
        PythonMsgpackFactAttribute.Require();
        var startup = TestScans.Startup(directory: _dir);
        var tasks = TestScans.Tasks(startup, 3);
        // Values a careless codec would lose: −0.0, a NaN payload, a subnormal; and an attempt that must be echoed.
        tasks[0] = tasks[0] with
        {
            Direction = new LocalDirection(-0.0, 1e-310),
            Seed = new RecoSeed(new Vector3D(-0.0, BitConverter.Int64BitsToDouble(NanDeadBeef), double.MaxValue), -1.5e-300, 2.5),
            Attempt = 3,
        };
        var wrongDigest = TestScans.Task(startup, 1, 7, 0) with { StartupSha256 = new string('0', 64) };
        await using var dispatcher = new ProcessPoolDispatcher(new ProcessPoolOptions
        {
            Workers = 1,
            Launch = new WorkerLaunch(PythonMsgpackFactAttribute.Python, [Script, "worker"]),
            ReadyTimeout = TimeSpan.FromSeconds(30),
            MaxStartFailures = 1,
        });
        await dispatcher.StartAsync(startup, CancellationToken.None);
        await dispatcher.SendAsync([.. tasks, wrongDigest], CancellationToken.None);
        var replies = await TestScans.CollectAsync(dispatcher, tasks.Select(t => t.Id).Append(wrongDigest.Id), TimeSpan.FromSeconds(60));
        await dispatcher.CompleteAsync(CancellationToken.None);

        Assert.Equal(tasks.Count + 1, replies.Count);
        foreach (var t in tasks)
        {
            var r = Assert.Single(replies, r => r.Id == t.Id);
            Assert.Equal((PixelVariationStatus.Ok, startup.ScanId, t.Attempt, ""), (r.Status, r.ScanId, r.Attempt, r.Error));
            Assert.StartsWith("python:", r.WorkerId, StringComparison.Ordinal);
            var expected = new[]
            {
                (t.Direction.Zenith * 1000.0) + t.Direction.Azimuth, -0.0, BitConverter.Int64BitsToDouble(NanDeadBeef),
                t.Seed.Position.X, t.Seed.Position.Y, t.Seed.Position.Z, t.Seed.Time, t.Seed.Energy,
            };
            Assert.Equal(Bits(expected), Bits(r));
        }

        var refused = Assert.Single(replies, r => r.Id == wrongDigest.Id);
        Assert.Equal(PixelVariationStatus.Failed, refused.Status);
        Assert.Contains("startup digest " + new string('0', 64), refused.Error, StringComparison.Ordinal);
    }

    [PythonMsgpackFact]
    public async Task A_task_encoded_by_python_is_decoded_exactly_and_our_worker_answers_it_as_its_own()
    {
        var s = TestScans.Startup();
        var scan = StartupDocument.Parse(StartupDocument.Serialize(s)).CreateHost(TestScans.Registry);
        var task = TestScans.Task(s, 2, 5, 1, attempt: 2) with { StartupSha256 = scan.StartupSha256 };
        Assert.NotNull(task.FallbackSeed);
        var spec = new Dictionary<string, object?>
        {
            ["scan_id"] = task.ScanId, ["nside"] = task.Nside, ["pixel_id"] = task.PixelId, ["posvar_id"] = task.PosvarId,
            ["reco_algo"] = task.RecoAlgo, ["zenith"] = task.Direction.Zenith, ["azimuth"] = task.Direction.Azimuth,
            ["ra"] = task.Ra, ["dec"] = task.Dec, ["seed"] = Seed(task.Seed), ["fallback_seed"] = Seed(task.FallbackSeed!.Value),
            ["attempt"] = task.Attempt, ["sent_time"] = task.SentTime, ["startup_sha256"] = task.StartupSha256,
        };
        var json = JsonSerializer.Serialize(spec, new JsonSerializerOptions { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals });

        var framed = await PythonMsgpackFactAttribute.RunAsync(Script, "encode-task", json);
        using var stream = new MemoryStream(framed);
        var payload = await Framing.ReadAsync(stream, CancellationToken.None);
        Assert.NotNull(payload);
        Assert.Equal(task, WireFormat.DecodeTask(payload));

        var fromPython = await RunWorkerAsync(scan, framed);
        var fromUs = await RunWorkerAsync(scan, await FrameAsync(WireFormat.EncodeTask(task)));
        Assert.Equal(PixelVariationStatus.Ok, fromPython.Status);
        Assert.Equal((fromUs.Id, fromUs.Attempt, fromUs.ScanId), (fromPython.Id, fromPython.Attempt, fromPython.ScanId));
        Assert.Equal(Bits(fromUs), Bits(fromPython));
    }

    private static Dictionary<string, object> Seed(RecoSeed seed) => new()
    {
        ["x"] = seed.Position.X, ["y"] = seed.Position.Y, ["z"] = seed.Position.Z, ["t"] = seed.Time, ["energy"] = seed.Energy,
    };

    private static async Task<byte[]> FrameAsync(byte[] payload)
    {
        using var ms = new MemoryStream();
        await Framing.WriteAsync(ms, payload, CancellationToken.None);
        return ms.ToArray();
    }

    private static async Task<RecoPixelVariation> RunWorkerAsync(ScanWorkerHost scan, byte[] input)
    {
        var output = new MemoryStream();
        Assert.Equal(StdioWorker.ExitOk, await new StdioWorker(scan).RunAsync(new MemoryStream(input), output, CancellationToken.None));
        output.Position = 0;
        Assert.Empty((await Framing.ReadAsync(output, CancellationToken.None))!);
        var reply = WireFormat.DecodeResult((await Framing.ReadAsync(output, CancellationToken.None))!);
        Assert.Null(await Framing.ReadAsync(output, CancellationToken.None));
        return reply;
    }

    private static long[] Bits(RecoPixelVariation r) => Bits(
        [r.Fit.Llh, r.Fit.RecoLossesInside, r.Fit.RecoLossesTotal, r.Fit.Position.X, r.Fit.Position.Y, r.Fit.Position.Z, r.Fit.Time, r.Fit.Energy]);

    private static long[] Bits(double[] values) => values.Select(BitConverter.DoubleToInt64Bits).ToArray();
}

/// <summary>
/// A fact that needs Debian's <c>/usr/bin/python3</c> with python3-msgpack. Skipped without it, except under
/// <c>SKYMAP_REQUIRE_ALL=1</c> (CI), where the test runs and fails with the reason.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PythonMsgpackFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> Unavailable = new(() =>
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo(Python, ["-c", "import msgpack"]) { RedirectStandardError = true, UseShellExecute = false })!;
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"{Python} cannot import msgpack (apt-get install python3-msgpack): {err.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{Python} cannot be started: {e.Message}";
        }
    });

    public PythonMsgpackFactAttribute()
    {
        if (Unavailable.Value is { } why && Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1")
        {
            Skip = why;
        }
    }

    /// <summary>Fails the test with the reason when python3-msgpack is missing (it only runs then under SKYMAP_REQUIRE_ALL=1).</summary>
    public static void Require() => Assert.True(Unavailable.Value is null, Unavailable.Value);

    /// <summary>Runs python on a script; returns its stdout bytes, failing the test (with stderr) on a non-zero exit.</summary>
    public static async Task<byte[]> RunAsync(params string[] arguments)
    {
        Require();
        var psi = new ProcessStartInfo(Python, arguments) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi)!;
        using var stdout = new MemoryStream();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.BaseStream.CopyToAsync(stdout);
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 0, $"python exited with {p.ExitCode}: {await stderr}");
        return stdout.ToArray();
    }
}
