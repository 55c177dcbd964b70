using Skymap.Core.Coordinates;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Randomness;
using Skymap.Core.Recos;
using HealpixGrid = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Refinement;

/// <summary>The pixels of one round, in send order, and their pixel variations (M per pixel, posvar ascending).</summary>
/// <param name="Pixels">The new pixels, shuffled.</param>
/// <param name="Variations">The requests, pixel by pixel in <paramref name="Pixels"/> order.</param>
internal sealed record RefinementRound(IReadOnlyList<SkyPixel> Pixels, IReadOnlyList<PixelVariation> Variations);

/// <summary>
/// The refiner of one scan (SCANNER.md §4–§6): which pixels next (all of the first nside, then the disc around the global
/// minimum and its children, de-duplicated against every pixel sent before, see <see cref="PixelSelector"/>), in which
/// order (Fisher–Yates with the scan's SplitMix64 stream), with which direction (J2000 pixel centre → local) and which
/// seeds: the inherited seed (finest finished ancestor, else the prepared event's) turned into per-variation seeds by the
/// reco's <see cref="ISeedingStrategy"/>.
/// </summary>
internal sealed class Refiner
{
    private readonly string _scanId;
    private readonly string _recoAlgo;
    private readonly NSideProgression _progression;
    private readonly PreparedEvent _prepared;
    private readonly IReadOnlyList<Vector3D> _offsets;
    private readonly ISeedingStrategy _seeding;
    private readonly double _mjd;
    private readonly double? _neighbourRefine2dllh;
    private readonly ScanRegion? _region;
    private readonly HashSet<SkyPixel> _sent = new();
    private SplitMix64 _shuffle;

    /// <summary>Creates the refiner of one scan.</summary>
    public Refiner(
        string scanId, IRecoAlgorithm reco, NSideProgression progression, PreparedEvent prepared, double mjd, ulong seed,
        double? neighbourRefine2dllh, ScanRegion? region = null)
    {
        ArgumentNullException.ThrowIfNull(reco);
        _scanId = scanId ?? throw new ArgumentNullException(nameof(scanId));
        _recoAlgo = reco.Name;
        _progression = progression ?? throw new ArgumentNullException(nameof(progression));
        _prepared = prepared ?? throw new ArgumentNullException(nameof(prepared));
        _offsets = reco.VertexVariations;
        _seeding = reco.Seeding ?? throw new ArgumentException($"reco '{reco.Name}' supplies no seeding strategy", nameof(reco));
        _mjd = mjd;
        _neighbourRefine2dllh = neighbourRefine2dllh;
        _region = region;
        _shuffle = new SplitMix64(seed);
    }

    /// <summary>Variations per pixel (M).</summary>
    public int VariationCount => _offsets.Count;

    /// <summary>The fallback seed: the prepared event's seed vertex and time, energy NaN.</summary>
    public RecoSeed Fallback => new(_prepared.SeedVertex, _prepared.SeedTime, double.NaN);

    /// <summary>
    /// The next round: the new pixels of the served slice (see <see cref="PixelSelector.Slice"/>), shuffled, each with its M
    /// variations; the pixels count as sent from now on.
    /// </summary>
    /// <param name="maxThresholdedNside">The highest thresholded nside so far, or null.</param>
    /// <param name="finished">Finished pixels so far.</param>
    /// <param name="sentTime">Epoch seconds stamped on the requests.</param>
    public RefinementRound NextRound(int? maxThresholdedNside, NSidesDict finished, double sentTime)
    {
        ArgumentNullException.ThrowIfNull(finished);
        var slice = PixelSelector.Slice(_progression, maxThresholdedNside);
        var order = PixelSelector.NextPixels(slice, finished, _sent, _neighbourRefine2dllh, _region).ToArray();

        // Fisher–Yates with the scan's SplitMix64 stream (SCANNER.md §6).
        for (var i = order.Length - 1; i >= 1; i--)
        {
            var j = (int)(_shuffle.Next() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        var variations = new List<PixelVariation>(order.Length * _offsets.Count);
        foreach (var px in order)
        {
            _sent.Add(px);
            var (theta, phi) = HealpixGrid.Pix2Ang(px.Nside, px.PixelId);
            var ra = phi;
            var dec = (Math.PI / 2.0) - theta;
            var (zenith, azimuth) = SkyCoordinates.EquatorialToLocal(ra, dec, _mjd);
            var direction = new LocalDirection(zenith, azimuth);
            var inherited = Inherited(px.Nside, theta, phi, finished);
            for (var posvar = 0; posvar < _offsets.Count; posvar++)
            {
                var (main, fallback) = _seeding.SeedVariation(_prepared, inherited, _offsets[posvar], direction);
                variations.Add(new PixelVariation
                {
                    ScanId = _scanId,
                    Id = new PixelVariationId(px.Nside, px.PixelId, posvar),
                    RecoAlgo = _recoAlgo,
                    Direction = direction,
                    Ra = ra,
                    Dec = dec,
                    Seed = main,
                    FallbackSeed = fallback,
                    Attempt = 1,
                    SentTime = sentTime,
                });
            }
        }

        return new RefinementRound(order, variations);
    }

    /// <summary>
    /// The inherited seed of a pixel: for nside = min nside the fallback; otherwise c = nside/2, halving while c ≥ min
    /// nside, the first finished pixel at c containing the direction (its vertex/time/energy, or the fallback if its llh is NaN).
    /// </summary>
    public RecoSeed Inherited(int nside, double theta, double phi, NSidesDict finished)
    {
        ArgumentNullException.ThrowIfNull(finished);
        var minNside = _progression.MinNside;
        if (nside <= minNside)
        {
            return Fallback;
        }

        for (var c = nside / 2; c >= minNside; c /= 2)
        {
            if (finished.TryGet(c, HealpixGrid.Ang2Pix(c, theta, phi), out var parent))
            {
                return double.IsNaN(parent.Llh) ? Fallback : new RecoSeed(parent.Position, parent.Time, parent.Energy);
            }
        }

        return Fallback;
    }
}
