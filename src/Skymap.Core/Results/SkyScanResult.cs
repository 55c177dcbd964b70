namespace Skymap.Core.Results;

/// <summary>
/// The result of a sky scan: one block of finished pixels per nside, nsides ascending (FORMATS.md §1).
/// Immutable; read and written by <see cref="SkyScanResultJson"/> and <see cref="SkyScanResultNpz"/>.
/// </summary>
public sealed partial class SkyScanResult
{
    private readonly SkyScanResultBlock[] _blocks;
    private readonly long[] _nsides;

    /// <summary>Creates a result from blocks, which are ordered by nside ascending.</summary>
    /// <param name="blocks">At least one block; distinct nsides; one version for all.</param>
    /// <exception cref="ArgumentException">No block, a repeated nside, or mixed versions.</exception>
    public SkyScanResult(IEnumerable<SkyScanResultBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        var array = blocks.ToArray();
        if (array.Length == 0)
        {
            throw new ArgumentException("A result needs at least one nside block (an empty result is never written).", nameof(blocks));
        }

        foreach (var block in array)
        {
            ArgumentNullException.ThrowIfNull(block, nameof(blocks));
        }

        Array.Sort(array, static (a, b) => a.Nside.CompareTo(b.Nside));
        for (var i = 1; i < array.Length; i++)
        {
            if (array[i].Nside == array[i - 1].Nside)
            {
                throw new ArgumentException($"nside {array[i].Nside} appears more than once.", nameof(blocks));
            }
        }

        var version = array[0].Version;
        if (array.Any(b => b.Version != version))
        {
            throw new ArgumentException("All blocks of a result must share one version.", nameof(blocks));
        }

        _blocks = array;
        _nsides = Array.ConvertAll(array, static b => b.Nside);
    }

    /// <summary>
    /// Builds a version-1 result for one event from per-nside rows (what the scan engine reports).
    /// Rows are sorted by index; each block gets the same event metadata.
    /// </summary>
    /// <param name="runId">IceCube run id.</param>
    /// <param name="eventId">IceCube event id.</param>
    /// <param name="eventType">Event type, e.g. "GOLD".</param>
    /// <param name="mjd">Event time (MJD).</param>
    /// <param name="isRealEvent">Real event (requires 1e5 ≤ run id &lt; 1e6) rather than simulation.</param>
    /// <param name="nsides">Rows per nside; the nsides may come in any order.</param>
    /// <param name="complete">Whether the scan has finished.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">
    /// No nside, a repeated nside, an invalid nside or pixel index, a repeated pixel, or a real event with
    /// an out-of-range run id.
    /// </exception>
    public static SkyScanResult Create(
        long runId,
        long eventId,
        string eventType,
        double mjd,
        bool isRealEvent,
        IEnumerable<(long Nside, IEnumerable<ResultRow> Rows)> nsides,
        bool complete)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        ArgumentNullException.ThrowIfNull(nsides);
        var blocks = new List<SkyScanResultBlock>();
        foreach (var (nside, rows) in nsides)
        {
            var metadata = new ResultMetadata(
                nside, complete, runId, eventId, eventType, mjd, isRealEvent, ResultColumns.LatestVersion);
            blocks.Add(new SkyScanResultBlock(metadata, rows ?? []));
        }

        return new SkyScanResult(blocks);
    }

    /// <summary>The blocks, nside ascending.</summary>
    public IReadOnlyList<SkyScanResultBlock> Blocks => _blocks;

    /// <summary>The nsides, ascending.</summary>
    public IReadOnlyList<long> Nsides => _nsides;

    /// <summary>The result version (shared by all blocks).</summary>
    public int Version => _blocks[0].Version;

    /// <summary>The column names of <see cref="Version"/>.</summary>
    public IReadOnlyList<string> Columns => ResultColumns.ForVersion(Version);

    /// <summary>The first block's metadata, which carries the event fields (as skyreader takes them).</summary>
    public ResultMetadata Metadata => _blocks[0].Metadata;

    /// <summary>Whether every block carried the event fields (skyreader's "minimal metadata").</summary>
    public bool HasEventMetadata => _blocks.All(static b => b.Metadata.HasEventMetadata);

    /// <summary>Whether the scan had finished (the first block's <c>complete</c>).</summary>
    public bool Complete => Metadata.Complete;

    /// <summary>The event name <c>run{run_id:08d}.evt{event_id:012d}.{event_type}</c>.</summary>
    public string EventName => Metadata.EventName;

    /// <summary>Total number of rows over all nsides.</summary>
    public int PixelCount => _blocks.Sum(static b => b.Rows.Count);

    /// <summary>The block of an nside.</summary>
    /// <param name="nside">The nside.</param>
    /// <param name="block">The block when present.</param>
    /// <returns>Whether the result has that nside.</returns>
    public bool TryGetBlock(long nside, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SkyScanResultBlock? block)
    {
        var i = Array.BinarySearch(_nsides, nside);
        block = i >= 0 ? _blocks[i] : null;
        return i >= 0;
    }

    /// <summary>The block of an nside.</summary>
    /// <param name="nside">The nside.</param>
    /// <returns>The block.</returns>
    /// <exception cref="KeyNotFoundException">The result has no such nside.</exception>
    public SkyScanResultBlock GetBlock(long nside) =>
        TryGetBlock(nside, out var block) ? block : throw new KeyNotFoundException($"The result has no nside {nside}.");

    /// <summary>
    /// Strict equality as skyreader's <c>==</c>: same nside set, same version, identical rows in every
    /// column of the version; any NaN makes the results unequal.
    /// </summary>
    /// <param name="other">The other result.</param>
    /// <returns>Whether both results hold identical arrays.</returns>
    public bool ResultEquals(SkyScanResult? other)
    {
        if (other is null || other.Version != Version || !_nsides.AsSpan().SequenceEqual(other._nsides))
        {
            return false;
        }

        var columns = Columns.Count;
        for (var b = 0; b < _blocks.Length; b++)
        {
            var mine = _blocks[b].RowSpan;
            var theirs = other._blocks[b].RowSpan;
            if (mine.Length != theirs.Length)
            {
                return false;
            }

            for (var i = 0; i < mine.Length; i++)
            {
                if (!mine[i].ValuesEqual(theirs[i], columns))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The pixel with the lowest llh over all nsides (FORMATS.md §6, Skymap rules): pixels whose llh is
    /// NaN (failed) or +∞ are ignored, not their nside; ties go to the first nside in ascending order, then
    /// to the lowest index.
    /// </summary>
    /// <returns>The best fit, or <see langword="null"/> when no pixel has a usable llh.</returns>
    public ResultBestFit? BestFit()
    {
        ResultBestFit? best = null;
        var bestLlh = double.PositiveInfinity;
        foreach (var block in _blocks)
        {
            foreach (ref readonly var row in block.RowSpan)
            {
                if (row.Llh < bestLlh)
                {
                    bestLlh = row.Llh;
                    best = new ResultBestFit(block.Nside, row.Index, row.Llh, row);
                }
            }
        }

        return best;
    }

    /// <summary>
    /// The direction of <see cref="BestFit"/>: (RA = φ, Dec = π/2 − θ) in radians, using the given HEALPix
    /// RING pix2ang (kept as a parameter so that results do not depend on the HEALPix implementation).
    /// </summary>
    /// <param name="pix2Ang">HEALPix RING pix2ang: (nside, pixel) → (θ, φ) in radians.</param>
    /// <returns>The direction, or <see langword="null"/> when there is no best fit.</returns>
    public (double Ra, double Dec)? BestDirection(Func<long, long, (double Theta, double Phi)> pix2Ang)
    {
        ArgumentNullException.ThrowIfNull(pix2Ang);
        if (BestFit() is not { } best)
        {
            return null;
        }

        var (theta, phi) = pix2Ang(best.Nside, best.Index);
        return (phi, (Math.PI / 2) - theta);
    }
}

/// <summary>The best-fit pixel of a result (<see cref="SkyScanResult.BestFit"/>).</summary>
/// <param name="Nside">The nside of the pixel.</param>
/// <param name="Index">The RING pixel id.</param>
/// <param name="Llh">Its −ln L.</param>
/// <param name="Row">The whole row.</param>
public readonly record struct ResultBestFit(long Nside, long Index, double Llh, ResultRow Row);
