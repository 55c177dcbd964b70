using System.Buffers;
using System.Reflection;
using MessagePack;
using WireFormat = Skymap.Transport.Wire.WireFormat;
using Skymap.Transport.Contract;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.Internal;
using Skymap.Transport.Tests.Support;
using Skymap.Transport.Wire;

namespace Skymap.Transport.Tests;

public class WireFormatTests
{
    private static readonly ScanStartup Startup = TestScans.Startup();

    [Fact]
    public void A_task_round_trips_with_every_field()
    {
        var t = TestScans.Task(Startup, 512, 3_145_727, 1, attempt: 4) with { StartupSha256 = "ab12" };
        var back = WireFormat.DecodeTask(WireFormat.EncodeTask(t));
        Assert.Equal(t, back);
        Assert.NotNull(back.FallbackSeed);
        Assert.True(double.IsNaN(back.Seed.Energy));
    }

    [Fact]
    public void A_task_without_fallback_seed_keeps_it_absent()
    {
        var t = TestScans.Task(Startup, 8, 5, 0);
        Assert.Null(t.FallbackSeed);
        Assert.Null(WireFormat.DecodeTask(WireFormat.EncodeTask(t)).FallbackSeed);
    }

    [Fact]
    public void Result_doubles_round_trip_bit_for_bit_including_nan_payloads_and_negative_zero()
    {
        var nanPayload = BitConverter.Int64BitsToDouble(0x7FF8_0000_DEAD_BEEF);
        var task = TestScans.Task(Startup, 2, 3, 1, attempt: 2);
        var r = RecoPixelVariation.Success(
            task, new RecoFitResult(-0.0, nanPayload, double.PositiveInfinity, new Vector3D(1e-310, -0.0, double.MaxValue), double.Epsilon, double.NegativeInfinity),
            0.125, "host:1:0");
        var back = WireFormat.DecodeResult(WireFormat.EncodeResult(r));
        Assert.Equal(Bits(r), Bits(back));
        Assert.Equal((r.Id, r.Attempt, r.WorkerId, r.RuntimeSeconds, r.Status), (back.Id, back.Attempt, back.WorkerId, back.RuntimeSeconds, back.Status));
    }

    [Theory]
    [InlineData(PixelVariationStatus.Failed)]
    [InlineData(PixelVariationStatus.Timeout)]
    [InlineData(PixelVariationStatus.DeadLettered)]
    public void Failure_replies_keep_status_and_reason(PixelVariationStatus status)
    {
        var r = RecoPixelVariation.Failure(TestScans.Task(Startup, 1, 11, 0), status, "boom: ünïcode", 1.5, "w:2:3");
        var back = WireFormat.DecodeResult(WireFormat.EncodeResult(r));
        Assert.Equal(status, back.Status);
        Assert.Equal("boom: ünïcode", back.Error);
        Assert.True(double.IsNaN(back.Fit.Llh));
    }

    [Fact]
    public void Task_doubles_round_trip_bit_for_bit()
    {
        var nanPayload = BitConverter.Int64BitsToDouble(unchecked((long)0xFFF0_0000_0000_0001));
        var t = TestScans.Task(Startup, 4, 7, 1) with
        {
            Direction = new LocalDirection(-0.0, double.Epsilon),
            Ra = nanPayload,
            Dec = double.NegativeInfinity,
            Seed = new RecoSeed(new Vector3D(-0.0, 1e-310, double.MinValue), nanPayload, -0.0),
            SentTime = 0.1,
        };
        var back = WireFormat.DecodeTask(WireFormat.EncodeTask(t));
        double[] Values(PixelVariation x) => [x.Direction.Zenith, x.Direction.Azimuth, x.Ra, x.Dec, x.Seed.Position.X, x.Seed.Position.Y, x.Seed.Position.Z, x.Seed.Time, x.Seed.Energy, x.SentTime];
        Assert.Equal(Values(t).Select(BitConverter.DoubleToInt64Bits), Values(back).Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void Keys_run_from_zero_without_gaps_in_the_documented_order()
    {
        Assert.Equal(
            ["WireVersion", "ScanId", "Nside", "PixelId", "PosvarId", "RecoAlgo", "Zenith", "Azimuth", "Ra", "Dec", "Seed", "FallbackSeed", "Attempt", "SentTime", "StartupSha256"],
            KeyOrder<WireTask>());
        Assert.Equal(
            ["WireVersion", "ScanId", "Nside", "PixelId", "PosvarId", "Status", "Llh", "EIn", "ETot", "X", "Y", "Z", "T", "Energy", "RuntimeS", "WorkerId", "Attempt", "Error", "LogTail"],
            KeyOrder<WireResult>());
        Assert.Equal(["X", "Y", "Z", "T", "Energy"], KeyOrder<WireSeed>());
        Assert.Equal((WireTask.KeyCount, WireResult.KeyCount, WireSeed.KeyCount), (KeyOrder<WireTask>().Length, KeyOrder<WireResult>().Length, KeyOrder<WireSeed>().Length));
        Assert.Equal([0, 1, 2, 3], Enum.GetValues<PixelVariationStatus>().Select(v => (int)v));
    }

    [Fact]
    public void A_task_is_one_array_with_the_version_first_and_values_at_their_keys()
    {
        var t = TestScans.Task(Startup, 512, 3_145_727, 1, attempt: 4) with { StartupSha256 = "ab12" };
        var reader = new MessagePackReader(WireFormat.EncodeTask(t));
        Assert.Equal(WireTask.KeyCount, reader.ReadArrayHeader());
        Assert.Equal(1u, reader.ReadUInt32());
        Assert.Equal(t.ScanId, reader.ReadString());
        Assert.Equal(512u, reader.ReadUInt32());
        Assert.Equal(3_145_727ul, reader.ReadUInt64());
        Assert.Equal(1u, reader.ReadUInt32());
        Assert.Equal(t.RecoAlgo, reader.ReadString());
        Assert.Equal(MessagePackCode.Float64, reader.NextCode);
        Assert.Equal(t.Direction.Zenith, reader.ReadDouble());
        for (var key = 7; key < WireTask.SeedKey; key++)
        {
            reader.Skip();
        }

        Assert.Equal(WireSeed.KeyCount, reader.ReadArrayHeader());
        Assert.Equal(t.Seed.Position.X, reader.ReadDouble());
    }

    [Fact]
    public void An_unknown_wire_version_is_rejected_with_a_clear_error_but_ids_stay_readable()
    {
        var m = WireFormat.ToWire(TestScans.Task(Startup, 4, 7, 1, attempt: 2));
        m.WireVersion = 2;
        var e = Assert.Throws<WireFormatException>(() => WireFormat.DecodeTask(WireFormat.Serialize(m)));
        Assert.Equal("unsupported wire version 2 in PixelTask (this build speaks version 1)", e.Message);
        Assert.NotNull(e.PartialTask);
        Assert.Equal((new Core.Pixels.PixelVariationId(4, 7, 1), 2), (e.PartialTask.Id, e.PartialTask.Attempt));

        var r = WireFormat.ToWire(RecoPixelVariation.Failure(TestScans.Task(Startup, 1, 1, 0), PixelVariationStatus.Failed, "x", 0, "w"));
        r.WireVersion = 0;
        var re = Assert.Throws<WireFormatException>(() => WireFormat.DecodeResult(WireFormat.Serialize(r)));
        Assert.Contains("unsupported wire version 0 in PixelResult", re.Message, StringComparison.Ordinal);

        // A future version with another layout: still a version error, with no ids to trust.
        var future = Assert.Throws<WireFormatException>(() => WireFormat.DecodeTask(Pack((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(3); w.Write("?"); })));
        Assert.StartsWith("unsupported wire version 3 in PixelTask", future.Message, StringComparison.Ordinal);
        Assert.Null(future.PartialTask);
    }

    [Fact]
    public void Garbage_is_reported_as_malformed()
    {
        var e = Assert.Throws<WireFormatException>(() => WireFormat.DecodeResult("abc"u8));
        Assert.StartsWith("malformed PixelResult", e.Message, StringComparison.Ordinal);
        Assert.Throws<WireFormatException>(() => WireFormat.DecodeTask(new byte[] { 0xFF, 0xFF, 0xFF }));
        Assert.Equal("malformed PixelTask: empty message", Assert.Throws<WireFormatException>(() => WireFormat.DecodeTask([])).Message);
    }

    [Theory]
    [InlineData("truncated", "malformed PixelTask")]
    [InlineData("trailing", "malformed PixelTask: 1 bytes after the message")]
    [InlineData("short", "malformed PixelTask: 14 keys, wire version 1 has 15")]
    [InlineData("map", "malformed PixelTask: expected an array, found Map")]
    [InlineData("version-string", "malformed PixelTask: key 0 (wire_version) is not an integer")]
    [InlineData("nil-seed", "malformed PixelTask: key 10 (seed) is not a seed of 5 keys")]
    [InlineData("short-fallback", "malformed PixelTask: key 11 (fallback_seed) is not a seed of 5 keys")]
    [InlineData("negative-nside", "malformed PixelTask")]
    [InlineData("string-zenith", "malformed PixelTask")]
    [InlineData("nil-scan-id", "malformed PixelTask: scan_id is nil")]
    [InlineData("deep-fallback", "malformed PixelTask: key 11 (fallback_seed) is not a seed of 5 keys")]
    [InlineData("deep-scan-id", "malformed PixelTask: key 1 is an array, expected a value")]
    [InlineData("seed-of-arrays", "malformed PixelTask: key 10.0 is an array, expected a value")]
    public void Malformed_tasks_are_rejected_naming_the_problem(string kind, string message)
    {
        var good = WireFormat.EncodeTask(TestScans.Task(Startup, 2, 5, 1));
        var bytes = kind switch
        {
            "truncated" => good[..^4],
            "trailing" => [.. good, 0xC0],
            "map" => Pack((ref MessagePackWriter w) => { w.WriteMapHeader(1); w.Write(0); w.Write(1); }),
            _ => Pack((ref MessagePackWriter w) => Task(ref w, kind)),
        };
        var e = Assert.Throws<WireFormatException>(() => WireFormat.DecodeTask(bytes));
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
        Assert.Null(e.PartialTask);
    }

    [Fact]
    public void An_unknown_status_is_malformed()
    {
        var r = WireFormat.ToWire(RecoPixelVariation.Failure(TestScans.Task(Startup, 1, 1, 0), PixelVariationStatus.Failed, "x", 0, "w"));
        r.Status = 7;
        Assert.Equal("malformed PixelResult: unknown status 7", Assert.Throws<WireFormatException>(() => WireFormat.DecodeResult(WireFormat.Serialize(r))).Message);
    }

    [Fact]
    public void Every_read_uses_the_untrusted_data_profile() =>
        Assert.Same(MessagePackSecurity.UntrustedData, WireFormat.Options.Security);

    [Fact]
    public void Message_ids_are_nside_pixel_posvar_attempt() =>
        Assert.Equal("64:49151:6:2", WireFormat.MessageId(new Core.Pixels.PixelVariationId(64, 49151, 6), 2));

    [Fact]
    public void Wire_sizes_match_the_spec_estimate()
    {
        var t = TestScans.Task(Startup, 512, 3_000_000, 1) with { StartupSha256 = new string('a', 64), ScanId = Guid.NewGuid().ToString("N") };
        Assert.InRange(WireFormat.EncodeTask(t).Length, 150, 300);
        var r = RecoPixelVariation.Success(t, new RecoFitResult(1234.5, 1, 2, new Vector3D(1, 2, 3), 4, 5), 1.0, "node-17.cluster:123456:3");
        Assert.InRange(WireFormat.EncodeResult(r).Length, 100, 200);
    }

    [Fact]
    public async Task Frames_round_trip_and_a_truncated_frame_is_an_error()
    {
        using var ms = new MemoryStream();
        await Framing.WriteAsync(ms, new byte[] { 1, 2, 3 }, CancellationToken.None);
        await Framing.WriteAsync(ms, ReadOnlyMemory<byte>.Empty, CancellationToken.None);
        Assert.Equal(new byte[] { 3, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0 }, ms.ToArray());
        ms.Position = 0;
        Assert.Equal(new byte[] { 1, 2, 3 }, await Framing.ReadAsync(ms, CancellationToken.None));
        Assert.Empty((await Framing.ReadAsync(ms, CancellationToken.None))!);
        Assert.Null(await Framing.ReadAsync(ms, CancellationToken.None));

        using var torn = new MemoryStream([5, 0, 0, 0, 1, 2]);
        var e = await Assert.ThrowsAsync<FrameFormatException>(() => Framing.ReadAsync(torn, CancellationToken.None));
        Assert.Contains("2 of 5 bytes", e.Message, StringComparison.Ordinal);
        using var huge = new MemoryStream([0xFF, 0xFF, 0xFF, 0x7F]);
        await Assert.ThrowsAsync<FrameFormatException>(() => Framing.ReadAsync(huge, CancellationToken.None));
    }

    // A hand-written task: every key as a v1 writer would write it, with one thing wrong.
    private static void Task(ref MessagePackWriter w, string kind)
    {
        w.WriteArrayHeader(kind == "short" ? 14 : 15);
        if (kind == "version-string")
        {
            w.Write("1");
        }
        else
        {
            w.Write(1);
        }

        if (kind == "nil-scan-id")
        {
            w.WriteNil();
        }
        else if (kind == "deep-scan-id")
        {
            Deep(ref w);
        }
        else
        {
            w.Write("scan");
        }

        if (kind == "negative-nside")
        {
            w.Write(-2);
        }
        else
        {
            w.Write(2);
        }

        w.Write(5);
        w.Write(0);
        w.Write("test_dummy");
        if (kind == "string-zenith")
        {
            w.Write("0.5");
        }
        else
        {
            w.Write(0.5);
        }

        w.Write(0.25);
        w.Write(0.0);
        w.Write(0.0);
        if (kind == "nil-seed")
        {
            w.WriteNil();
        }
        else if (kind == "seed-of-arrays")
        {
            w.WriteArrayHeader(5);
            for (var i = 0; i < 5; i++)
            {
                Deep(ref w);
            }
        }
        else
        {
            Seed(ref w, 5);
        }

        if (kind == "short-fallback")
        {
            Seed(ref w, 4);
        }
        else if (kind == "deep-fallback")
        {
            Deep(ref w);
        }
        else
        {
            w.WriteNil();
        }

        if (kind != "short")
        {
            w.Write(1);
        }

        w.Write(1.5);
        w.Write("");

        // Nested arrays deep enough to overflow the stack of a recursive reader: refused before anything recurses.
        static void Deep(ref MessagePackWriter w)
        {
            for (var i = 0; i < 200_000; i++)
            {
                w.WriteArrayHeader(1);
            }

            w.WriteNil();
        }

        static void Seed(ref MessagePackWriter w, int count)
        {
            w.WriteArrayHeader(count);
            for (var i = 0; i < count; i++)
            {
                w.Write(i * 1.0);
            }
        }
    }

    private delegate void Writer(ref MessagePackWriter writer);

    private static byte[] Pack(Writer write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        write(ref w);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static string[] KeyOrder<T>() => typeof(T).GetProperties()
        .Select(p => (p.Name, Key: p.GetCustomAttribute<KeyAttribute>()))
        .Where(p => p.Key is not null)
        .OrderBy(p => p.Key!.IntKey)
        .Select((p, i) => p.Key!.IntKey == i ? p.Name : $"gap before {p.Name}")
        .ToArray();

    private static long[] Bits(RecoPixelVariation r) =>
        new[] { r.Fit.Llh, r.Fit.RecoLossesInside, r.Fit.RecoLossesTotal, r.Fit.Position.X, r.Fit.Position.Y, r.Fit.Position.Z, r.Fit.Time, r.Fit.Energy }
            .Select(BitConverter.DoubleToInt64Bits).ToArray();
}
