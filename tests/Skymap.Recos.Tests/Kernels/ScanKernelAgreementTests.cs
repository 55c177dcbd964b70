using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.InProcess;
using Xunit.Abstractions;

namespace Skymap.Recos.Tests.Kernels;

/// <summary>A scan with <c>--kernel ilgpu-cpu</c> against one with <c>--kernel simd</c> (small progression to keep CI fast).</summary>
public class ScanKernelAgreementTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Ilgpu_cpu_scan_matches_simd_scan_per_pixel_and_in_the_best_pixel()
    {
        var evt = BuiltinEvents.Get("track-10tev");
        var simd = await ScanAsync(evt, "simd");
        var ilgpu = await ScanAsync(evt, "ilgpu-cpu");
        var a = simd.Result.Pixels.Values.SelectMany(p => p).ToDictionary(p => (p.Nside, p.PixelId));
        var b = ilgpu.Result.Pixels.Values.SelectMany(p => p).ToDictionary(p => (p.Nside, p.PixelId));
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        var worst = 0.0;
        foreach (var (key, pa) in a)
        {
            var rel = Math.Abs(pa.Llh - b[key].Llh) / Math.Abs(pa.Llh);
            worst = Math.Max(worst, rel);
            Assert.True(rel <= 1e-6, $"pixel {key}: simd {pa.Llh:R}, ilgpu-cpu {b[key].Llh:R}");
        }

        var bestA = a.Values.MinBy(p => p.Llh)!;
        var bestB = b.Values.MinBy(p => p.Llh)!;
        Assert.Equal((bestA.Nside, bestA.PixelId), (bestB.Nside, bestB.PixelId));
        output.WriteLine($"{a.Count} pixels; worst relative llh difference {worst:E2}; best pixel {bestA.Nside}/{bestA.PixelId}");
    }

    private static async Task<ScanOutcome> ScanAsync(SkymapEvent evt, string kernel)
    {
        var reco = new PandelMpeReco();
        await using var dispatcher = new InProcessDispatcher(2);
        var options = new ScanOptions
        {
            Progression = NSideProgression.Parse("1:0 2:12"),
            Seed = 3,
            RecoSettings = new Dictionary<string, string> { ["kernel"] = kernel },
        };
        return await new ScanEngine(reco, dispatcher, options).RunAsync(evt, CancellationToken.None);
    }
}
