namespace Skymap.Core.Maps;

/// <summary>
/// The probability map of FORMATS.md §7: P ∝ exp(−Δllh) (Δ, not 2Δ) over the finest-nside map, normalised to a
/// sum of 1, unscanned pixels 0, with highest-density levels: the probability of the pixel at which the
/// descending cumulative sum first reaches 0.5, 0.9 and 1 − 1.35e-3 (skyreader's <c>get_contour_levels</c>).
/// </summary>
/// <remarks>Skyreader's optional Gaussian smoothing by an angular error floor is not implemented.</remarks>
public sealed class ProbabilityMap
{
    /// <summary>The containments of the highest-density levels: 0.5, 0.9, 1 − 1.35e-3.</summary>
    public static IReadOnlyList<double> Containments { get; } = [0.5, 0.9, 1 - 1.35e-3];

    private readonly double[] _values;
    private readonly double[] _levels;
    private readonly double _pixelAreaDegrees;

    internal ProbabilityMap(ReadOnlySpan<double> deltaLlh2Map, double pixelAreaDegrees)
    {
        _pixelAreaDegrees = pixelAreaDegrees;
        _values = new double[deltaLlh2Map.Length];
        var sum = 0.0;
        for (var i = 0; i < _values.Length; i++)
        {
            var v = deltaLlh2Map[i];
            var p = double.IsNaN(v) ? 0.0 : Math.Exp(-0.5 * v);
            _values[i] = p;
            sum += p;
        }

        for (var i = 0; i < _values.Length; i++)
        {
            _values[i] /= sum;
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
}
