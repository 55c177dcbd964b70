using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>What the lockstep batch workers (<see cref="BatchedPandelWorker"/>, <see cref="BatchedMillipedeWorker"/>) share.</summary>
internal static class LockstepBatch
{
    /// <summary>Fits the requests one after another with <paramref name="single"/>; a failing request fails alone.</summary>
    public static RecoBatchItem[] OneByOne(IRecoWorker single, IReadOnlyList<PixelVariation> requests, CancellationToken cancellationToken)
    {
        var items = new RecoBatchItem[requests.Count];
        for (var i = 0; i < items.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                items[i] = new RecoBatchItem(single.Fit(requests[i], cancellationToken), null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                items[i] = new RecoBatchItem(null, e);
            }
        }

        return items;
    }

    /// <summary>
    /// One fit per seed of every request (the main seed, then the fallback when given), made by
    /// <paramref name="create"/>(request index, direction of travel, seed). A null request, or one with a seed that
    /// <paramref name="badSeed"/> rejects (it returns the reason), fails its item in <paramref name="items"/> instead.
    /// </summary>
    public static List<T> PlanFits<T>(
        IReadOnlyList<PixelVariation> requests, RecoBatchItem[] items, Func<RecoSeed, string?> badSeed, Func<int, Vector3D, RecoSeed, T> create)
    {
        var fits = new List<T>(requests.Count * 2);
        for (var i = 0; i < items.Length; i++)
        {
            var r = requests[i];
            if (r is null)
            {
                items[i] = new RecoBatchItem(null, new ArgumentNullException(nameof(requests), "a request of the batch is null"));
                continue;
            }

            var bad = badSeed(r.Seed) ?? (r.FallbackSeed is { } f ? badSeed(f) : null);
            if (bad is not null)
            {
                items[i] = new RecoBatchItem(null, new ArgumentException(bad));
                continue;
            }

            var d = r.Direction.Travel;
            fits.Add(create(i, d, r.Seed));
            if (r.FallbackSeed is { } fallback)
            {
                fits.Add(create(i, d, fallback));
            }
        }

        return fits;
    }
}
