namespace Skymap.Core.Scanning;

/// <summary>
/// Predictive-scanning thresholds (SCANNER.md §5): per nside, the fraction of sent pixel variations belonging to finished
/// pixels is binned into the threshold series; an nside whose bin rose since the last evaluation is newly thresholded.
/// </summary>
internal sealed class ThresholdTracker
{
    private static readonly double[] BaseSeries = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
    private readonly double[] _series;
    private readonly int _maxNside;
    private readonly Dictionary<int, double> _bins = new();

    public ThresholdTracker(double pst, int maxNside)
    {
        _series = [pst, .. BaseSeries.Where(b => b > pst + 1e-12)];
        _maxNside = maxNside;
    }

    public IReadOnlyList<double> SeriesFor(int nside) => nside == _maxNside ? [1.0] : _series;

    /// <summary>Evaluates all nsides; returns the highest newly thresholded nside or null.</summary>
    public int? Evaluate(IEnumerable<(int Nside, long FinishedPixels, long SentVariations)> state, int variations)
    {
        int? newly = null;
        foreach (var (nside, finished, sent) in state)
        {
            if (sent == 0 || finished == 0)
            {
                continue;
            }

            var percent = (double)finished * variations / sent;
            var bin = 0.0;
            foreach (var t in SeriesFor(nside))
            {
                if (t <= percent + 1e-12)
                {
                    bin = t;
                }
            }

            var previous = _bins.GetValueOrDefault(nside);
            _bins[nside] = bin;
            if (bin > previous && (newly is null || nside > newly))
            {
                newly = nside;
            }
        }

        return newly;
    }
}
