namespace Skymap.Core.Results;

public sealed partial class SkyScanResult
{
    /// <summary>
    /// skyreader's <c>is_close</c> (FORMATS.md §5), reproduced as-is: only nsides present in both results
    /// are compared; fields are the columns both share; rows are zipped by position, the shorter side padded
    /// with NaN rows; fields without a tolerance need exact equality (NaN never equal); the others are close
    /// when |s − o| ≤ 1e-8 + rtol·|o| (relative to <paramref name="other"/>), NaN matching NaN when
    /// <paramref name="equalNan"/>; an E_in/E_tot pair is close when either value is 0.0.
    /// </summary>
    /// <param name="other">The reference result (tolerances are relative to its values).</param>
    /// <param name="equalNan">Whether NaN is close to NaN in toleranced fields.</param>
    /// <param name="rtolPerField">Relative tolerance per field; default <see cref="ResultTolerances.Skyreader"/>.</param>
    /// <returns>Whether every compared nside is close.</returns>
    public bool IsClose(SkyScanResult other, bool equalNan = true, IReadOnlyDictionary<string, double>? rtolPerField = null) =>
        Compare(other, equalNan, rtolPerField).IsClose;

    /// <summary>
    /// The detailed comparison behind <see cref="IsClose"/>: per nside, every zipped row pair with its
    /// per-field differences and verdicts (what skyreader dumps as <c>*.diff.json</c>).
    /// </summary>
    /// <param name="other">The reference result.</param>
    /// <param name="equalNan">Whether NaN is close to NaN in toleranced fields.</param>
    /// <param name="rtolPerField">Relative tolerance per field; default <see cref="ResultTolerances.Skyreader"/>.</param>
    /// <returns>The comparison report.</returns>
    internal ResultComparison Compare(SkyScanResult other, bool equalNan = true, IReadOnlyDictionary<string, double>? rtolPerField = null)
    {
        ArgumentNullException.ThrowIfNull(other);
        var rtol = rtolPerField ?? ResultTolerances.Skyreader;
        var otherColumns = other.Columns;
        var fields = Columns.Where(otherColumns.Contains).ToArray();
        var ordinals = Array.ConvertAll(fields, ResultColumns.FieldOrdinal);
        var tolerances = Array.ConvertAll(fields, f => rtol.TryGetValue(f, out var r) ? (double?)r : null);
        var zeroRule = Array.ConvertAll(fields, f => ResultTolerances.ZeroMakesClose.Contains(f));

        var nsides = new List<NsideComparison>();
        foreach (var mine in _blocks)
        {
            if (!other.TryGetBlock(mine.Nside, out var theirs))
            {
                continue;
            }

            var s = mine.RowSpan;
            var o = theirs.RowSpan;
            var n = Math.Max(s.Length, o.Length);
            var rows = new RowComparison[n];
            for (var i = 0; i < n; i++)
            {
                ResultRow? sr = i < s.Length ? s[i] : null;
                ResultRow? or = i < o.Length ? o[i] : null;
                var diff = new double[fields.Length];
                var ok = new bool[fields.Length];
                for (var f = 0; f < fields.Length; f++)
                {
                    (diff[f], ok[f]) = CompareValue(sr, or, ordinals[f], tolerances[f], zeroRule[f], equalNan);
                }

                rows[i] = new RowComparison(i, sr, or, diff, ok, fields);
            }

            nsides.Add(new NsideComparison(mine.Nside, s.Length, o.Length, fields, rows));
        }

        return new ResultComparison(
            nsides,
            fields,
            _nsides.Except(other._nsides).ToArray(),
            other._nsides.Except(_nsides).ToArray());
    }

    private static (double Diff, bool Ok) CompareValue(
        ResultRow? self, ResultRow? other, int ordinal, double? rtol, bool zeroRule, bool equalNan)
    {
        var s = self is { } a ? a[ordinal] : double.NaN;
        var o = other is { } b ? b[ordinal] : double.NaN;
        if (rtol is not { } r)
        {
            // "require equal" field; exact on the 64-bit index when both rows exist.
            var equal = ordinal == 0 && self is { } si && other is { } oi ? si.Index == oi.Index : s == o;
            return (s - o, equal);
        }

        if (zeroRule && (s == 0.0 || o == 0.0))
        {
            return (double.NaN, true);
        }

        // Python raises ZeroDivisionError for |o| == 0 and skyreader then reports +inf.
        var rdiff = Math.Abs(o) == 0.0 ? double.PositiveInfinity : (Math.Abs(s - o) - ResultTolerances.Atol) / Math.Abs(o);
        return (rdiff, NumpyIsClose(s, o, r, ResultTolerances.Atol, equalNan));
    }

    /// <summary>numpy's <c>isclose(a, b, rtol, atol, equal_nan)</c> for scalars.</summary>
    internal static bool NumpyIsClose(double a, double b, double rtol, double atol, bool equalNan)
    {
        if (double.IsNaN(a) || double.IsNaN(b))
        {
            return equalNan && double.IsNaN(a) && double.IsNaN(b);
        }

        if (a == b)
        {
            return true;
        }

        if (double.IsInfinity(a) || double.IsInfinity(b))
        {
            return false;
        }

        return Math.Abs(a - b) <= atol + (rtol * Math.Abs(b));
    }
}
