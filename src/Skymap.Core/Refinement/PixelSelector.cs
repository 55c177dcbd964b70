using Skymap.Core.Pixels;
using HealpixGrid = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Refinement;

/// <summary>
/// Pixel selection per round (SCANNER.md §4): all pixels of the first nside, then for each consecutive pair (n_k, n_{k+1})
/// of the slice the n_k pixels whose centres lie strictly within r = sqrt(N·Ω(n_k)/π) of the global minimum (plus the
/// optional neighbour trigger), replaced by all their children at n_{k+1}; already-sent pixels are dropped.
/// </summary>
internal static class PixelSelector
{
    /// <summary>The slice of the progression served in a round: up to and including the highest thresholded nside, plus the next one.</summary>
    /// <param name="progression">The nside progression.</param>
    /// <param name="maxThresholdedNside">The highest thresholded nside so far, or null.</param>
    public static IReadOnlyList<(int Nside, int Ext)> Slice(NSideProgression progression, int? maxThresholdedNside)
    {
        ArgumentNullException.ThrowIfNull(progression);
        var count = maxThresholdedNside is { } t ? Math.Min(progression.IndexOf(t) + 2, progression.Count) : 1;
        return progression.Steps.Take(count).ToArray();
    }

    /// <summary>Disc radius [rad] for refining N coarse pixels of nside n: sqrt(N·Ω(n)/π).</summary>
    public static double DiscRadius(int coarseNside, int ext) => Math.Sqrt(ext * HealpixGrid.PixelArea(coarseNside) / Math.PI);

    /// <summary>
    /// The new pixels of a round, sorted by (nside, pixel): generated from the slice, minus every pixel already sent.
    /// </summary>
    /// <param name="slice">The served slice (see <see cref="Slice"/>).</param>
    /// <param name="finished">Finished pixels so far.</param>
    /// <param name="alreadySent">Pixels sent in earlier rounds (any variation).</param>
    /// <param name="neighbourRefine2dllh">Optional neighbour trigger threshold T (2·|Δllh| &gt; T refines both pixels); null = off.</param>
    /// <param name="region">A local scan: the first nside only inside this disc; null (default) = the full sky.</param>
    public static IReadOnlyList<SkyPixel> NextPixels(
        IReadOnlyList<(int Nside, int Ext)> slice, NSidesDict finished, IReadOnlySet<SkyPixel> alreadySent, double? neighbourRefine2dllh = null,
        ScanRegion? region = null)
    {
        ArgumentNullException.ThrowIfNull(slice);
        ArgumentNullException.ThrowIfNull(finished);
        ArgumentNullException.ThrowIfNull(alreadySent);
        var selected = new HashSet<SkyPixel>();
        var first = slice[0].Nside;
        if (region is null)
        {
            for (long p = 0; p < HealpixGrid.NPix(first); p++)
            {
                selected.Add(new SkyPixel(first, p));
            }
        }
        else
        {
            foreach (var p in region.Pixels(first))
            {
                selected.Add(new SkyPixel(first, p));
            }
        }

        var gmin = finished.GlobalMinimum();
        for (var k = 0; k + 1 < slice.Count; k++)
        {
            var (coarse, _) = slice[k];
            var (fine, ext) = slice[k + 1];
            var coarsePixels = new HashSet<long>();
            if (gmin is { } m)
            {
                var centre = HealpixGrid.Pix2Vec(m.Nside, m.PixelId);
                foreach (var p in HealpixGrid.QueryDisc(coarse, centre, DiscRadius(coarse, ext)))
                {
                    coarsePixels.Add(p);
                }
            }

            if (neighbourRefine2dllh is { } threshold)
            {
                AddNeighbourTriggered(coarse, finished, threshold, coarsePixels);
            }

            foreach (var p in coarsePixels)
            {
                foreach (var child in HealpixGrid.Children(coarse, p, fine))
                {
                    selected.Add(new SkyPixel(fine, child));
                }
            }
        }

        selected.ExceptWith(alreadySent);
        var list = selected.ToList();
        list.Sort();
        return list;
    }

    private static void AddNeighbourTriggered(int nside, NSidesDict finished, double threshold, HashSet<long> into)
    {
        var pixels = finished[nside];
        foreach (var (id, px) in pixels)
        {
            if (double.IsNaN(px.Llh))
            {
                continue;
            }

            foreach (var nb in HealpixGrid.Neighbours(nside, id))
            {
                if (nb >= 0 && pixels.TryGetValue(nb, out var other) && !double.IsNaN(other.Llh) && 2.0 * Math.Abs(px.Llh - other.Llh) > threshold)
                {
                    into.Add(id);
                    into.Add(nb);
                }
            }
        }
    }
}
