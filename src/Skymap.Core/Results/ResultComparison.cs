using System.Globalization;
using System.Text;
using Skymap.Core.Results.Internal;

namespace Skymap.Core.Results;

/// <summary>The outcome of <see cref="SkyScanResult.Compare"/>: per compared nside, every zipped row pair.</summary>
internal sealed class ResultComparison
{
    internal ResultComparison(
        IReadOnlyList<NsideComparison> nsides,
        IReadOnlyList<string> fields,
        IReadOnlyList<long> onlyInSelf,
        IReadOnlyList<long> onlyInOther)
    {
        Nsides = nsides;
        Fields = fields;
        OnlyInSelf = onlyInSelf;
        OnlyInOther = onlyInOther;
    }

    /// <summary>Whether every compared nside is close (vacuously true when no nside is shared).</summary>
    public bool IsClose => Nsides.All(static n => n.IsClose);

    /// <summary>The nsides present in both results, ascending.</summary>
    public IReadOnlyList<NsideComparison> Nsides { get; }

    /// <summary>The compared fields (columns shared by both results), in column order.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Nsides only in the compared result (not a failure, as upstream).</summary>
    public IReadOnlyList<long> OnlyInSelf { get; }

    /// <summary>Nsides only in the reference result (not a failure, as upstream).</summary>
    public IReadOnlyList<long> OnlyInOther { get; }

    /// <summary>A short human-readable summary, one line per compared nside.</summary>
    /// <returns>The summary text.</returns>
    public string Summary()
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"close: {(IsClose ? "yes" : "no")}; fields: {string.Join(", ", Fields)}\n");
        foreach (var n in Nsides)
        {
            sb.Append(CultureInfo.InvariantCulture, $"nside-{n.Nside}: {n.SelfRowCount} vs {n.OtherRowCount} rows, {n.MismatchedRows.Count()} mismatching");
            var perField = n.MismatchesPerField.Where(kv => kv.Value > 0).Select(kv => $"{kv.Key} {kv.Value}").ToList();
            if (perField.Count > 0)
            {
                sb.Append(" (").Append(string.Join(", ", perField)).Append(')');
            }

            sb.Append('\n');
        }

        if (OnlyInSelf.Count > 0)
        {
            sb.Append("only in first: ").Append(string.Join(", ", OnlyInSelf.Select(n => $"nside-{n}"))).Append('\n');
        }

        if (OnlyInOther.Count > 0)
        {
            sb.Append("only in second: ").Append(string.Join(", ", OnlyInOther.Select(n => $"nside-{n}"))).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>
    /// The diff dump as skyreader writes it (<c>json.dump(diffs, f, indent=3)</c>):
    /// <c>{"nside-N": [[self_row, other_row, diff_row, ok_row], ...]}</c>, nsides ascending, fields in column
    /// order. As in Python's dump, non-finite values are the bare tokens <c>NaN</c>, <c>Infinity</c>,
    /// <c>-Infinity</c>; a padded row's index is <c>NaN</c>.
    /// </summary>
    /// <returns>The JSON text.</returns>
    public string ToDiffJson()
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var json = new PythonJsonWriter(text, 3, NonFiniteStyle.PythonTokens);
        json.StartObject();
        foreach (var n in Nsides)
        {
            json.Key(SkyScanResultBlock.FormatKey(n.Nside));
            json.StartArray();
            foreach (var row in n.Rows)
            {
                json.StartArray();
                WriteRow(json, row.Self, n.Fields);
                WriteRow(json, row.Other, n.Fields);
                json.StartArray();
                foreach (var d in row.Diff)
                {
                    json.Value(d);
                }

                json.EndArray();
                json.StartArray();
                foreach (var ok in row.Ok)
                {
                    json.Value(ok);
                }

                json.EndArray();
                json.EndArray();
            }

            json.EndArray();
        }

        json.EndObject();
        return text.ToString();
    }

    /// <summary>Writes <see cref="ToDiffJson"/> to a file (UTF-8, atomically).</summary>
    /// <param name="path">The file, conventionally <c>{actual}-{expected}.diff.json</c>.</param>
    public void WriteDiffJson(string path)
    {
        var bytes = new UTF8Encoding(false).GetBytes(ToDiffJson());
        ResultFiles.WriteAtomically(path, s => s.Write(bytes));
    }

    private static void WriteRow(PythonJsonWriter json, ResultRow? row, IReadOnlyList<string> fields)
    {
        json.StartArray();
        foreach (var field in fields)
        {
            var ordinal = ResultColumns.FieldOrdinal(field);
            if (row is not { } r)
            {
                json.Value(double.NaN);
            }
            else if (ordinal == 0)
            {
                json.Value(r.Index);
            }
            else
            {
                json.Value(r[ordinal]);
            }
        }

        json.EndArray();
    }
}

/// <summary>The comparison of one nside present in both results.</summary>
internal sealed class NsideComparison
{
    internal NsideComparison(long nside, int selfRowCount, int otherRowCount, IReadOnlyList<string> fields, IReadOnlyList<RowComparison> rows)
    {
        Nside = nside;
        SelfRowCount = selfRowCount;
        OtherRowCount = otherRowCount;
        Fields = fields;
        Rows = rows;
        var perField = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var f = 0; f < fields.Count; f++)
        {
            perField[fields[f]] = rows.Count(r => !r.Ok[f]);
        }

        MismatchesPerField = perField;
        IsClose = rows.All(static r => r.IsClose);
    }

    /// <summary>The nside.</summary>
    public long Nside { get; }

    /// <summary>Whether every row pair is close in every field.</summary>
    public bool IsClose { get; }

    /// <summary>Row count of the compared result's block.</summary>
    public int SelfRowCount { get; }

    /// <summary>Row count of the reference result's block.</summary>
    public int OtherRowCount { get; }

    /// <summary>The compared fields, in column order.</summary>
    public IReadOnlyList<string> Fields { get; }

    /// <summary>Every zipped row pair (as many as the longer block has rows).</summary>
    public IReadOnlyList<RowComparison> Rows { get; }

    /// <summary>The row pairs that are not close in some field.</summary>
    public IEnumerable<RowComparison> MismatchedRows => Rows.Where(static r => !r.IsClose);

    /// <summary>Number of mismatching rows per field.</summary>
    public IReadOnlyDictionary<string, int> MismatchesPerField { get; }
}

/// <summary>One zipped row pair of an <see cref="NsideComparison"/>.</summary>
internal sealed class RowComparison
{
    private readonly IReadOnlyList<string> _fields;

    internal RowComparison(int position, ResultRow? self, ResultRow? other, double[] diff, bool[] ok, IReadOnlyList<string> fields)
    {
        Position = position;
        Self = self;
        Other = other;
        Diff = diff;
        Ok = ok;
        _fields = fields;
        IsClose = Array.TrueForAll(ok, static x => x);
    }

    /// <summary>Position of the pair in the zipped rows (0-based).</summary>
    public int Position { get; }

    /// <summary>The compared result's row, or <see langword="null"/> when that side was padded with NaN.</summary>
    public ResultRow? Self { get; }

    /// <summary>The reference result's row, or <see langword="null"/> when that side was padded with NaN.</summary>
    public ResultRow? Other { get; }

    /// <summary>
    /// Per field: s − o for exact fields, (|s − o| − 1e-8)/|o| for toleranced fields (+∞ when o is 0), NaN
    /// when the zero rule applied.
    /// </summary>
    public IReadOnlyList<double> Diff { get; }

    /// <summary>Per field: whether the pair passes.</summary>
    public IReadOnlyList<bool> Ok { get; }

    /// <summary>Whether every field passes.</summary>
    public bool IsClose { get; }

    /// <summary>The fields that do not pass.</summary>
    public IEnumerable<string> MismatchedFields => _fields.Where((_, i) => !Ok[i]);
}
