using Google.Protobuf;
using WireFormat = Skymap.Transport.Wire.WireFormat;
using Skymap.Core.Pixels;
using Skymap.Core.Geometry;
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
    public void Field_numbers_follow_the_spec()
    {
        var d = Wire.Internal.PixelTask.Descriptor;
        Assert.Equal("skymap.v1.PixelTask", d.FullName);
        var expected = new (string, int)[]
        {
            ("scan_id", 1), ("nside", 2), ("pixel_id", 3), ("posvar_id", 4), ("reco_algo", 5), ("zenith", 6), ("azimuth", 7), ("ra", 8),
            ("dec", 9), ("seed", 10), ("fallback_seed", 11), ("attempt", 12), ("sent_time", 13), ("startup_sha256", 14), ("wire_version", 20),
        };
        Assert.Equal(expected, d.Fields.InFieldNumberOrder().Select(f => (f.Name, f.FieldNumber)));
        var r = Wire.Internal.PixelResult.Descriptor;
        Assert.Equal("skymap.v1.PixelResult", r.FullName);
        Assert.Equal(
            new[] { "scan_id", "nside", "pixel_id", "posvar_id", "status", "llh", "e_in", "e_tot", "x", "y", "z", "t", "energy", "runtime_s", "worker_id", "attempt", "error", "log_tail" },
            r.Fields.InFieldNumberOrder().Where(f => f.FieldNumber <= 18).Select(f => f.Name));
        Assert.Equal(Enumerable.Range(1, 18), r.Fields.InFieldNumberOrder().Where(f => f.FieldNumber <= 18).Select(f => f.FieldNumber));
        Assert.Equal(20, r.FindFieldByName("wire_version").FieldNumber);
        Assert.Equal(new[] { "x", "y", "z", "t", "energy" }, Wire.Internal.Seed.Descriptor.Fields.InFieldNumberOrder().Select(f => f.Name));
        Assert.Equal(new[] { "OK", "FAILED", "TIMEOUT", "DEAD_LETTERED" }, Wire.Internal.PixelResult.Types.Status.Ok.GetType()
            .GetFields().Where(f => f.IsLiteral).Select(f => f.GetCustomAttributes(typeof(Google.Protobuf.Reflection.OriginalNameAttribute), false).Cast<Google.Protobuf.Reflection.OriginalNameAttribute>().Single().Name));
    }

    [Fact]
    public void An_unknown_wire_version_is_rejected_with_a_clear_error_but_ids_stay_readable()
    {
        var m = WireFormat.ToWire(TestScans.Task(Startup, 4, 7, 1, attempt: 2));
        m.WireVersion = 2;
        var e = Assert.Throws<WireFormatException>(() => WireFormat.DecodeTask(m.ToByteArray()));
        Assert.Equal("unsupported wire version 2 in PixelTask (this build speaks version 1)", e.Message);
        Assert.NotNull(e.PartialTask);
        Assert.Equal((new Core.Pixels.PixelVariationId(4, 7, 1), 2), (e.PartialTask.Id, e.PartialTask.Attempt));

        var r = WireFormat.ToWire(RecoPixelVariation.Failure(TestScans.Task(Startup, 1, 1, 0), PixelVariationStatus.Failed, "x", 0, "w"));
        r.WireVersion = 0;
        var re = Assert.Throws<WireFormatException>(() => WireFormat.DecodeResult(r.ToByteArray()));
        Assert.Contains("unsupported wire version 0 in PixelResult", re.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_is_reported_as_malformed()
    {
        var e = Assert.Throws<WireFormatException>(() => WireFormat.DecodeResult("abc"u8));
        Assert.StartsWith("malformed PixelResult", e.Message, StringComparison.Ordinal);
        Assert.Throws<WireFormatException>(() => WireFormat.DecodeTask(new byte[] { 0xFF, 0xFF, 0xFF }));
    }

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

    private static long[] Bits(RecoPixelVariation r) =>
        new[] { r.Fit.Llh, r.Fit.RecoLossesInside, r.Fit.RecoLossesTotal, r.Fit.Position.X, r.Fit.Position.Y, r.Fit.Position.Z, r.Fit.Time, r.Fit.Energy }
            .Select(BitConverter.DoubleToInt64Bits).ToArray();
}
