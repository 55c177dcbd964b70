using HealpixMath = Skymap.Core.Healpix.Healpix;

namespace Skymap.Core.Maps;

/// <summary>
/// The probability map of FORMATS.md §7: P ∝ exp(−Δllh) (Δ, not 2Δ) over the finest-nside map, normalised to a
/// sum of 1, unscanned pixels 0, optionally smoothed by a Gaussian of an angular error floor, with highest-density
/// levels: the probability of the pixel at which the descending cumulative sum first reaches 0.5, 0.9 and
/// 1 − 1.35e-3 (skyreader's <c>get_contour_levels</c>).
/// </summary>
/// <remarks>
/// Smoothing (skyreader's <c>--angular-error-floor</c>, there <c>healpy.smoothing</c> with a Gaussian beam of that σ):
/// done in direct space, each pixel's probability spread over the pixels within 4σ with weights exp(−d²/2σ²)
/// normalised to conserve it. It runs at the finest nside whose pixels are no larger than σ/4 (at most the map's
/// nside; the result is shared evenly among the map pixels inside each working pixel); pixels below 1e-14 of the
/// largest probability are not spread. As skyreader, the smoothed map is clipped to its smallest positive value
/// and normalised again.
/// </remarks>
internal sealed class ProbabilityMap
{
    /// <summary>The containments of the highest-density levels: 0.5, 0.9, 1 − 1.35e-3.</summary>
    public static IReadOnlyList<double> Containments { get; } = [0.5, 0.9, 1 - 1.35e-3];

    private const double KernelReachSigmas = 4.0;
    private const double SourceThreshold = 1e-14;

    private readonly double[] _values;
    private readonly double[] _levels;
    private readonly double _pixelAreaDegrees;

    internal ProbabilityMap(ReadOnlySpan<double> deltaLlh2Map, long nside, double? angularErrorFloorDegrees = null)
    {
        if (angularErrorFloorDegrees is { } floor && !(floor > 0 && double.IsFinite(floor)))
        {
            throw new ArgumentOutOfRangeException(nameof(angularErrorFloorDegrees), floor, "The angular error floor must be a positive number of degrees.");
        }

        Nside = nside;
        AngularErrorFloorDegrees = angularErrorFloorDegrees;
        _pixelAreaDegrees = HealpixMath.PixelArea(nside) * SkymapAnalysis.SquareDegreesPerSteradian;
        _values = new double[deltaLlh2Map.Length];
        for (var i = 0; i < _values.Length; i++)
        {
            var v = deltaLlh2Map[i];
            _values[i] = double.IsNaN(v) ? 0.0 : Math.Exp(-0.5 * v);
        }

        Normalise(_values);
        if (angularErrorFloorDegrees is { } sigmaDeg)
        {
            Smooth(_values, nside, sigmaDeg * Math.PI / 180.0);
            var minPositive = double.PositiveInfinity;
            foreach (var p in _values)
            {
                if (p > 0 && p < minPositive)
                {
                    minPositive = p;
                }
            }

            if (double.IsFinite(minPositive))
            {
                for (var i = 0; i < _values.Length; i++)
                {
                    _values[i] = Math.Max(_values[i], minPositive);
                }
            }

            Normalise(_values);
        }

        var sorted = _values.Where(static p => p > 0).ToArray();
        Array.Sort(sorted);
        Array.Reverse(sorted);
        _levels = new double[Containments.Count];
        for (var l = 0; l < _levels.Length; l++)
        {
            var target = Containments[l];
            var cumulative = 0.0;
            var level = sorted.Length > 0 ? sorted[^1] : 0.0;
            for (var i = 0; i < sorted.Length; i++)
            {
                cumulative += sorted[i];
                if (cumulative >= target)
                {
                    level = sorted[i];
                    break;
                }
            }

            _levels[l] = level;
        }
    }

    /// <summary>The nside of the map (the result's largest nside).</summary>
    public long Nside { get; }

    /// <summary>The σ (degrees) of the Gaussian smoothing, or <see langword="null"/> when not smoothed.</summary>
    public double? AngularErrorFloorDegrees { get; }

    /// <summary>Probability per pixel of the finest-nside RING map (sums to 1).</summary>
    public ReadOnlySpan<double> Values => _values;

    /// <summary>Highest-density levels (probability per pixel), one per <see cref="Containments"/> entry.</summary>
    public IReadOnlyList<double> Levels => _levels;

    /// <summary>Area (deg²) of the pixels with probability ≥ the level of a containment.</summary>
    /// <param name="levelIndex">Index into <see cref="Containments"/>.</param>
    /// <returns>The area.</returns>
    public double Area(int levelIndex)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(levelIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(levelIndex, _levels.Length);
        var level = _levels[levelIndex];
        long count = 0;
        foreach (var p in _values)
        {
            if (p > 0 && p >= level)
            {
                count++;
            }
        }

        return count * _pixelAreaDegrees;
    }

    private static void Normalise(double[] values)
    {
        var sum = 0.0;
        foreach (var p in values)
        {
            sum += p;
        }

        if (sum > 0)
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] /= sum;
            }
        }
    }

    private static void Smooth(double[] values, long nside, double sigma)
    {
        // Working nside: the finest with pixels no larger than σ/4, at most the map's nside.
        var work = nside;
        while (work > 1 && HealpixMath.Resolution(work / 2) <= sigma / 4)
        {
            work /= 2;
        }

        var ratio = nside / work;
        var childrenPerPixel = ratio * ratio;
        var workPix = HealpixMath.NPix(work);
        var source = new double[workPix];
        if (work == nside)
        {
            Array.Copy(values, source, values.Length);
        }
        else
        {
            for (long i = 0; i < values.Length; i++)
            {
                if (values[i] > 0)
                {
                    source[HealpixMath.Parent(nside, i, work)] += values[i];
                }
            }
        }

        var max = source.Max();
        var target = new double[workPix];
        var reach = KernelReachSigmas * sigma;
        var twoSigma2 = 2 * sigma * sigma;
        var weights = new List<double>();
        for (long i = 0; i < workPix; i++)
        {
            var p = source[i];
            if (!(p > SourceThreshold * max))
            {
                continue;
            }

            var centre = HealpixMath.Pix2Vec(work, i);
            var disc = HealpixMath.QueryDisc(work, centre, reach);
            if (disc.Length == 0)
            {
                target[i] += p;
                continue;
            }

            weights.Clear();
            var total = 0.0;
            foreach (var j in disc)
            {
                var d = centre.AngleTo(HealpixMath.Pix2Vec(work, j));
                var w = Math.Exp(-(d * d) / twoSigma2);
                weights.Add(w);
                total += w;
            }

            for (var k = 0; k < disc.Length; k++)
            {
                target[disc[k]] += p * weights[k] / total;
            }
        }

        if (work == nside)
        {
            Array.Copy(target, values, values.Length);
            return;
        }

        for (long i = 0; i < values.Length; i++)
        {
            values[i] = target[HealpixMath.Parent(nside, i, work)] / childrenPerPixel;
        }
    }
}
