using System.Diagnostics;
using Skymap.Core.Pixels;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Recos;

namespace Skymap.Transport.Contract;

/// <summary>
/// The contract's reco, a deterministic test reco: llh = U[0,1) hashed from (scan seed, nside, pixel, posvar), position = seed + (llh, 0, −0.0),
/// E_in NaN. Settings (comma-separated ids <c>nside:pixel:posvar</c>): <c>fail</c> (throws), <c>kill</c> (kills its own
/// process with SIGKILL), <c>hang</c> (waits for the token → TIMEOUT), <c>kill_once_dir</c> (with <c>kill</c>: kill only on
/// the first attempt, remembered by a marker file), <c>sleep_ms</c>.
/// </summary>
[RecoAlgorithm("test_dummy")]
public sealed class TestDummyReco : IRecoAlgorithm
{
    /// <inheritdoc />
    public string Name => "test_dummy";

    public IReadOnlyList<Vector3D> VertexVariations => VertexVariationSets.MiniTest(10);

    public RecoFlags Flags => RecoFlags.None;

    public void ValidateSettings(RecoContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var k in context.Settings.Keys)
        {
            if (k is not ("fail" or "kill" or "hang" or "sleep_ms" or "kill_once_dir"))
            {
                throw new ArgumentException($"unknown test_dummy setting '{k}'");
            }
        }
    }

    public PreparedEvent Prepare(SkymapEvent evt, RecoContext context) => PreparedEvent.From(evt);

    public IRecoWorker CreateWorker(PreparedEvent prepared, RecoContext context) => new Worker(context);

    public static double Llh(ulong seed, int nside, long pixel, int posvar)
    {
        var z = seed ^ ((ulong)nside * 0x9E3779B97F4A7C15UL) ^ ((ulong)pixel * 0xBF58476D1CE4E5B9UL) ^ ((ulong)posvar * 0x94D049BB133111EBUL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }

    private sealed class Worker(RecoContext context) : IRecoWorker
    {
        private readonly HashSet<string> _fail = Ids(context, "fail");
        private readonly HashSet<string> _kill = Ids(context, "kill");
        private readonly HashSet<string> _hang = Ids(context, "hang");
        private readonly int _sleepMs = (int)context.GetDouble("sleep_ms", 0);
        private readonly string? _killOnceDir = context.Settings.TryGetValue("kill_once_dir", out var d) ? d : null;

        public RecoFitResult Fit(PixelVariation request, CancellationToken cancellationToken)
        {
            var id = $"{request.Nside}:{request.PixelId}:{request.PosvarId}";
            if (_sleepMs > 0)
            {
                Task.Delay(_sleepMs, cancellationToken).GetAwaiter().GetResult();
            }

            if (_kill.Contains(id))
            {
                var marker = _killOnceDir is null ? null : Path.Combine(_killOnceDir, id.Replace(':', '_'));
                if (marker is null || !File.Exists(marker))
                {
                    if (marker is not null)
                    {
                        File.WriteAllText(marker, "killed");
                    }

                    Process.GetCurrentProcess().Kill();
                    Thread.Sleep(Timeout.Infinite);
                }
            }

            if (_fail.Contains(id))
            {
                throw new InvalidOperationException($"test_dummy fails {id} on purpose");
            }

            if (_hang.Contains(id))
            {
                Task.Delay(Timeout.Infinite, cancellationToken).GetAwaiter().GetResult();
            }

            var llh = Llh(context.ScanSeed, request.Nside, request.PixelId, request.PosvarId);
            var pos = request.Seed.Position + new Vector3D(llh, 0, -0.0);
            return new RecoFitResult(llh, double.NaN, 1000 * llh, new Vector3D(pos.X, pos.Y, -0.0), request.Seed.Time, double.NaN);
        }

        private static HashSet<string> Ids(RecoContext context, string key) =>
            context.GetString(key, "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
    }
}
