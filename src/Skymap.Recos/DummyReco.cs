using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Randomness;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>
/// The upstream <c>dummy</c> test reco: llh ~ U[0,1) drawn deterministically from the scan seed and the pixel-variation
/// ids; the vertex is the seed; optional sleep per task (setting <c>sleep</c>, seconds, default 0).
/// </summary>
[RecoAlgorithm("dummy")]
public class DummyReco : IRecoAlgorithm
{
    /// <inheritdoc />
    public virtual string Name => "dummy";

    /// <inheritdoc />
    public IReadOnlyList<Vector3D> VertexVariations => VertexVariationSets.Point;

    /// <inheritdoc />
    public RecoFlags Flags => RecoFlags.RotateVertex | RecoFlags.RefineTime;

    /// <summary>Setting keys this reco accepts.</summary>
    protected virtual IReadOnlyCollection<string> SettingKeys { get; } = ["sleep"];

    /// <inheritdoc />
    public void ValidateSettings(RecoContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        foreach (var key in context.Settings.Keys)
        {
            if (!SettingKeys.Contains(key))
            {
                throw new ArgumentException($"reco '{Name}' has no setting '{key}' (known: {string.Join(", ", SettingKeys)})");
            }
        }

        var sleep = context.GetDouble("sleep", 0);
        if (!(sleep >= 0))
        {
            throw new ArgumentException($"reco setting 'sleep' must be ≥ 0 seconds, got {sleep}");
        }

        ValidateMore(context);
    }

    /// <inheritdoc />
    public PreparedEvent Prepare(SkymapEvent evt, RecoContext context) => EventPreparation.Prepare(evt);

    /// <inheritdoc />
    public IRecoWorker CreateWorker(PreparedEvent prepared, RecoContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new Worker(this, context.ScanSeed, TimeSpan.FromSeconds(context.GetDouble("sleep", 0)), context);
    }

    /// <summary>Extra validation for derived recos.</summary>
    protected virtual void ValidateMore(RecoContext context)
    {
    }

    /// <summary>Called before each fit; derived recos may throw to simulate a crash.</summary>
    protected virtual void BeforeFit(RecoFitRequest request, ulong scanSeed, RecoContext context)
    {
    }

    private sealed class Worker(DummyReco owner, ulong seed, TimeSpan sleep, RecoContext context) : IRecoWorker
    {
        public RecoFitResult Fit(RecoFitRequest request, CancellationToken cancellationToken)
        {
            owner.BeforeFit(request, seed, context);
            if (sleep > TimeSpan.Zero)
            {
                cancellationToken.WaitHandle.WaitOne(sleep);
                cancellationToken.ThrowIfCancellationRequested();
            }

            var h = SplitMix64.Hash(seed, (ulong)request.Nside, (ulong)request.PixelId, (ulong)request.PosvarId);
            var llh = SplitMix64.ToUnit(h);
            var eIn = 1000.0 * SplitMix64.ToUnit(SplitMix64.Mix(h ^ 1));
            var eTot = eIn + (1000.0 * SplitMix64.ToUnit(SplitMix64.Mix(h ^ 2)));
            return new RecoFitResult(llh, eIn, eTot, request.Seed.Position, request.Seed.Time, double.NaN);
        }
    }
}

/// <summary>
/// The upstream <c>crash_dummy</c> test reco: like <c>dummy</c>, but each attempt throws with probability
/// <c>crash_probability</c> (default 0.5), drawn deterministically from (seed, pixel variation, attempt).
/// </summary>
[RecoAlgorithm("crash_dummy")]
public sealed class CrashDummyReco : DummyReco
{
    /// <inheritdoc />
    public override string Name => "crash_dummy";

    /// <inheritdoc />
    protected override IReadOnlyCollection<string> SettingKeys { get; } = ["sleep", "crash_probability"];

    /// <inheritdoc />
    protected override void ValidateMore(RecoContext context)
    {
        var p = context.GetDouble("crash_probability", 0.5);
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentException($"reco setting 'crash_probability' must be in [0, 1], got {p}");
        }
    }

    /// <inheritdoc />
    protected override void BeforeFit(RecoFitRequest request, ulong scanSeed, RecoContext context)
    {
        var p = context.GetDouble("crash_probability", 0.5);
        var h = SplitMix64.Hash(scanSeed ^ 0xC4A5_11D0UL, (ulong)request.Nside, (ulong)request.PixelId, (ulong)request.PosvarId, (ulong)request.Attempt);
        if (SplitMix64.ToUnit(h) < p)
        {
            throw new InvalidOperationException(
                $"crash_dummy crashed on purpose (nside {request.Nside}, pixel {request.PixelId}, posvar {request.PosvarId}, attempt {request.Attempt})");
        }
    }
}
