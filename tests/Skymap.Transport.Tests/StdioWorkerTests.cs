using WireFormat = Skymap.Transport.Wire.WireFormat;
using Skymap.Transport.Contract;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;
using Skymap.Transport.Internal;
using Skymap.Transport.Startup;
using Skymap.Transport.Tests.Support;
using Skymap.Transport.Wire;
using Skymap.Transport.Workers;

namespace Skymap.Transport.Tests;

public class StdioWorkerTests
{
    [Fact]
    public async Task The_worker_says_ready_answers_each_frame_and_exits_at_end_of_input()
    {
        var (scan, s) = Scan();
        var input = new MemoryStream();
        var tasks = TestScans.Tasks(s, 3).Select(t => t with { StartupSha256 = scan.StartupSha256 }).ToList();
        foreach (var t in tasks)
        {
            await Framing.WriteAsync(input, WireFormat.EncodeTask(t), CancellationToken.None);
        }

        var old = WireFormat.ToWire(tasks[0] with { Id = tasks[0].Id with { PixelId = 11 } });
        old.WireVersion = 7;
        await Framing.WriteAsync(input, WireFormat.Serialize(old), CancellationToken.None);
        input.Position = 0;
        var output = new MemoryStream();
        var worker = new StdioWorker(scan, concurrency: 2);

        Assert.Equal(StdioWorker.ExitOk, await worker.RunAsync(input, output, CancellationToken.None));
        output.Position = 0;
        Assert.Empty((await Framing.ReadAsync(output, CancellationToken.None))!);
        var replies = new List<RecoPixelVariation>();
        while (await Framing.ReadAsync(output, CancellationToken.None) is { } frame)
        {
            replies.Add(WireFormat.DecodeResult(frame));
        }

        Assert.Equal(7, replies.Count);
        Assert.Equal(6, replies.Count(r => r.Status == PixelVariationStatus.Ok));
        var refused = Assert.Single(replies, r => r.Status == PixelVariationStatus.Failed);
        Assert.Equal(11, refused.PixelId);
        Assert.Contains("unsupported wire version 7", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_frame_stream_ends_the_worker_with_a_protocol_error()
    {
        var (scan, _) = Scan();
        var input = new MemoryStream([9, 0, 0, 0, 1, 2]);
        Assert.Equal(StdioWorker.ExitProtocolError, await new StdioWorker(scan).RunAsync(input, new MemoryStream(), CancellationToken.None));
        var garbage = new MemoryStream([3, 0, 0, 0, 0xFF, 0xFF, 0xFF]);
        Assert.Equal(StdioWorker.ExitProtocolError, await new StdioWorker(scan).RunAsync(garbage, new MemoryStream(), CancellationToken.None));
    }

    private static (ScanWorkerHost Scan, ScanStartup Startup) Scan()
    {
        var s = TestScans.Startup();
        return (StartupDocument.Parse(StartupDocument.Serialize(s)).CreateHost(TestScans.Registry), s);
    }
}
