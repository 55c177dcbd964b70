namespace Skymap.Core.Results;

/// <summary>The rows of one nside of a result, sorted by pixel index, with the block's metadata.</summary>
public sealed class SkyScanResultBlock
{
    /// <summary>Largest nside HEALPix supports with 64-bit pixel ids (2^29).</summary>
    public const long MaxNside = 1L << 29;

    private readonly ResultRow[] _rows;

    /// <summary>Creates a block; rows are sorted by index (stable).</summary>
    /// <param name="metadata">The block metadata; its <see cref="ResultMetadata.Nside"/> is the block's nside.</param>
    /// <param name="rows">One row per finished pixel, in any order.</param>
    /// <exception cref="ArgumentException">
    /// The nside is not in 1..2^29, the version is not 0 or 1, a pixel index is outside 0..12·nside²−1 or
    /// appears twice, or a real event has a run id outside 1e5 ≤ run id &lt; 1e6.
    /// </exception>
    public SkyScanResultBlock(ResultMetadata metadata, IEnumerable<ResultRow> rows)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        ArgumentNullException.ThrowIfNull(rows);
        var problem = ValidateMetadata(metadata);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(metadata));
        }

        var sorted = rows.ToArray();
        SortByIndex(sorted);
        problem = ValidateRows(metadata.Nside, sorted);
        if (problem is not null)
        {
            throw new ArgumentException(problem, nameof(rows));
        }

        Metadata = metadata;
        _rows = sorted;
    }

    /// <summary>HEALPix nside (same as <see cref="ResultMetadata.Nside"/>).</summary>
    public long Nside => Metadata.Nside;

    /// <summary>The block metadata.</summary>
    public ResultMetadata Metadata { get; }

    /// <summary>Rows sorted by pixel index ascending.</summary>
    public IReadOnlyList<ResultRow> Rows => _rows;

    /// <summary>The rows as a span, sorted by pixel index.</summary>
    public ReadOnlySpan<ResultRow> RowSpan => _rows;

    /// <summary>The block's result version.</summary>
    public int Version => Metadata.Version;

    /// <summary>The column names of this block's version.</summary>
    public IReadOnlyList<string> Columns => ResultColumns.ForVersion(Version);

    /// <summary>The key of this block in files: <c>nside-{N}</c>.</summary>
    public string Key => FormatKey(Nside);

    /// <summary>Looks a pixel up by index (binary search).</summary>
    /// <param name="index">The pixel id.</param>
    /// <param name="row">The row when found.</param>
    /// <returns>Whether the pixel is in the block.</returns>
    public bool TryGetRow(long index, out ResultRow row)
    {
        int lo = 0, hi = _rows.Length - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var at = _rows[mid].Index;
            if (at == index)
            {
                row = _rows[mid];
                return true;
            }

            if (at < index)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        row = default;
        return false;
    }

    /// <summary>The file key of an nside: <c>nside-{N}</c>.</summary>
    /// <param name="nside">The nside.</param>
    /// <returns>The key.</returns>
    public static string FormatKey(long nside) =>
        "nside-" + nside.ToString(System.Globalization.CultureInfo.InvariantCulture);

    internal static SkyScanResultBlock CreateValidated(ResultMetadata metadata, ResultRow[] sortedRows) =>
        new(metadata, sortedRows, trusted: true);

    // The bool only selects this trusted (already validated, already sorted) constructor.
    private SkyScanResultBlock(ResultMetadata metadata, ResultRow[] sortedRows, bool trusted)
    {
        Metadata = metadata;
        _rows = sortedRows;
        _ = trusted;
    }

    /// <summary>Sorts rows by index (duplicates are rejected afterwards, so stability does not matter).</summary>
    internal static void SortByIndex(ResultRow[] rows)
    {
        for (var i = 1; i < rows.Length; i++)
        {
            if (rows[i].Index < rows[i - 1].Index)
            {
                var keys = new long[rows.Length];
                for (var k = 0; k < rows.Length; k++)
                {
                    keys[k] = rows[k].Index;
                }

                Array.Sort(keys, rows);
                return;
            }
        }
    }

    /// <summary>Returns a message describing what is wrong with the metadata, or null.</summary>
    internal static string? ValidateMetadata(ResultMetadata metadata)
    {
        if (metadata.Nside is < 1 or > MaxNside)
        {
            return $"nside {metadata.Nside} is outside 1..{MaxNside}";
        }

        if (!ResultColumns.IsKnownVersion(metadata.Version))
        {
            return $"version {metadata.Version} is not 0 or 1";
        }

        if (metadata.EventType is null)
        {
            return "event_type is null";
        }

        if (metadata.IsRealEvent && !ResultMetadata.IsValidRealRunId(metadata.RunId))
        {
            return $"is_real_event is true but run_id {metadata.RunId} is outside [100000, 1000000)";
        }

        return null;
    }

    /// <summary>Returns a message describing what is wrong with sorted rows, or null.</summary>
    internal static string? ValidateRows(long nside, ReadOnlySpan<ResultRow> sorted)
    {
        var npix = 12 * nside * nside;
        for (var i = 0; i < sorted.Length; i++)
        {
            var index = sorted[i].Index;
            if (index < 0 || index >= npix)
            {
                return $"pixel index {index} is outside 0..{npix - 1} for nside {nside}";
            }

            if (i > 0 && sorted[i - 1].Index == index)
            {
                return $"pixel index {index} appears more than once in nside {nside}";
            }
        }

        return null;
    }
}
