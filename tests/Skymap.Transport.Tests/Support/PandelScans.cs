using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Results;
using Skymap.Core.Scanning;
using Skymap.Recos;

namespace Skymap.Transport.Tests.Support;

/// <summary>pandel_mpe scans of the built-in 100 TeV track through a given transport, and result fingerprints.</summary>
internal static class PandelScans
{
    /// <summary>Runs a completed scan (the dispatcher is disposed); startup.json goes to <paramref name="directory"/> or a temporary one.</summary>
    public static async Task<SkyScanResult> RunAsync(IPixelDispatcher dispatcher, string nsides, ulong seed, string? kernel = null, string? directory = null)
    {
        var dir = directory ?? Directory.CreateTempSubdirectory("skymap-pandel-").FullName;
        try
        {
            await using (dispatcher)
            {
                var options = new ScanOptions
                {
                    Progression = NSideProgression.Parse(nsides),
                    Seed = seed,
                    RecoSettings = kernel is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["kernel"] = kernel },
                    ServerSilenceTimeout = TimeSpan.FromSeconds(300),
                    TaskTimeout = TimeSpan.FromSeconds(120),
                    StartupDirectory = dir,
                };
                var outcome = await new ScanEngine(new PandelMpeReco(), dispatcher, options)
                    .RunAsync(BuiltinEvents.Load("builtin:track-100tev"), CancellationToken.None);
                Assert.Equal(ScanStatus.Completed, outcome.Status);
                var result = outcome.Result.ToSkyScanResult();
                Assert.True(result.BestFit() is { } best && double.IsFinite(best.Llh), "the scan has a finite best fit");
                return result;
            }
        }
        finally
        {
            if (directory is null)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    /// <summary>Every field of a result: its JSON and its NPZ bytes.</summary>
    public static string Fingerprint(SkyScanResult result) =>
        SkyScanResultJson.Serialize(result) + "\n" + Convert.ToBase64String(SkyScanResultNpz.ToBytes(result));
}
