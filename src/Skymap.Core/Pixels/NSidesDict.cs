namespace Skymap.Core.Pixels;

/// <summary>Finished pixels per nside (upstream <c>NSidesDict</c>): nside → (pixel → <see cref="RecoPixelFinal"/>), nsides ascending.</summary>
internal sealed class NSidesDict
{
    private readonly SortedDictionary<int, Dictionary<long, RecoPixelFinal>> _byNside = new();

    /// <summary>The nsides that hold at least one pixel, ascending.</summary>
    public IEnumerable<int> Nsides => _byNside.Keys;

    /// <summary>Total finished pixels over all nsides.</summary>
    public int Count => _byNside.Values.Sum(d => d.Count);

    /// <summary>Pixels of one nside (empty when none).</summary>
    public IReadOnlyDictionary<long, RecoPixelFinal> this[int nside] =>
        _byNside.TryGetValue(nside, out var d) ? d : EmptyPixels;

    private static IReadOnlyDictionary<long, RecoPixelFinal> EmptyPixels { get; } = new Dictionary<long, RecoPixelFinal>();

    /// <summary>Adds (or replaces) a finished pixel.</summary>
    public void Add(RecoPixelFinal pixel)
    {
        if (!_byNside.TryGetValue(pixel.Nside, out var d))
        {
            d = new Dictionary<long, RecoPixelFinal>();
            _byNside[pixel.Nside] = d;
        }

        d[pixel.PixelId] = pixel;
    }

    /// <summary>True when the pixel is finished.</summary>
    public bool Contains(int nside, long pixelId) => _byNside.TryGetValue(nside, out var d) && d.ContainsKey(pixelId);

    /// <summary>Looks up a finished pixel.</summary>
    public bool TryGet(int nside, long pixelId, out RecoPixelFinal pixel)
    {
        if (_byNside.TryGetValue(nside, out var d) && d.TryGetValue(pixelId, out pixel))
        {
            return true;
        }

        pixel = default;
        return false;
    }

    /// <summary>
    /// The global minimum over every finished pixel of every nside: NaN pixels are ignored; ties go to the coarsest nside,
    /// then the lowest pixel id; null when there is no non-NaN pixel (SCANNER.md §4, Skymap rule).
    /// </summary>
    public RecoPixelFinal? GlobalMinimum()
    {
        RecoPixelFinal? best = null;
        foreach (var (_, pixels) in _byNside)
        {
            foreach (var p in pixels.Values)
            {
                if (double.IsNaN(p.Llh))
                {
                    continue;
                }

                if (best is not { } b || p.Llh < b.Llh || (p.Llh == b.Llh && p.Nside == b.Nside && p.PixelId < b.PixelId))
                {
                    best = p;
                }
            }
        }

        return best;
    }
}
