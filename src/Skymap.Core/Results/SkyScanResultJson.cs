using System.Globalization;
using System.Text;
using Skymap.Core.Results.Internal;

namespace Skymap.Core.Results;

/// <summary>
/// Reads and writes the JSON form of a <see cref="SkyScanResult"/> (FORMATS.md §2), compatible with
/// skyreader's <c>to_json</c>/<c>read_json</c>.
/// </summary>
/// <remarks>
/// <para>
/// The writer always emits version 1 (8 columns, 8 metadata keys in order) laid out byte for byte as
/// Python's <c>json.dump(obj, f, indent=4)</c>: one element per line, <c>repr</c> floats, NaN and ±∞ as the
/// string <c>"&lt;skyreader.nan&gt;"</c>, non-ASCII escaped, no trailing newline. A result read without event
/// metadata (<see cref="ResultMetadata.HasEventMetadata"/> false) is written with skyreader's default event
/// fields.
/// </para>
/// <para>
/// The reader applies every rule of §2 and throws <see cref="SkyScanResultFormatException"/> on any
/// violation. NaN may be spelled as the sentinel or the bare token <c>NaN</c>; bare <c>Infinity</c> and
/// <c>-Infinity</c> (and float overflow) read as NaN. Skymap is stricter than upstream in a few places that
/// upstream leaves undefined: duplicate keys, a repeated nside, an empty result, non-integral or
/// out-of-range pixel indices, repeated pixels and wrongly typed metadata values are errors. Unknown
/// metadata keys are ignored.
/// </para>
/// </remarks>
internal static class SkyScanResultJson
{
    /// <summary>The string skyreader (≥ 1.4.6) writes for NaN.</summary>
    public const string NanSentinel = PythonJsonWriter.NanSentinel;

    /// <summary>Metadata key names, in the order Skymap writes them.</summary>
    public static IReadOnlyList<string> MetadataKeys { get; } =
        ["nside", "complete", "run_id", "event_id", "event_type", "mjd", "is_real_event", "version"];

    private static readonly string[] MinimalMetadataKeys = ["run_id", "event_id", "mjd", "event_type", "nside"];

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The JSON text of a result.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The text, as Python's <c>json.dump(indent=4)</c> would write it.</returns>
    public static string Serialize(SkyScanResult result)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(result, writer);
        return writer.ToString();
    }

    /// <summary>Writes the JSON text of a result.</summary>
    /// <param name="result">The result.</param>
    /// <param name="writer">Where to write.</param>
    public static void Write(SkyScanResult result, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(writer);
        var json = new PythonJsonWriter(writer, 4, NonFiniteStyle.SkyreaderSentinel);
        json.StartObject();
        foreach (var block in result.Blocks)
        {
            json.Key(block.Key);
            json.StartObject();
            json.Key("columns");
            json.StartArray();
            foreach (var column in ResultColumns.V1)
            {
                json.Value(column);
            }

            json.EndArray();
            json.Key("data");
            json.StartArray();
            foreach (ref readonly var row in block.RowSpan)
            {
                json.StartArray();
                json.Value(row.Index);
                json.Value(row.Llh);
                json.Value(row.EIn);
                json.Value(row.ETot);
                json.Value(row.X);
                json.Value(row.Y);
                json.Value(row.Z);
                json.Value(row.T);
                json.EndArray();
            }

            json.EndArray();
            var m = block.Metadata;
            json.Key("metadata");
            json.StartObject();
            json.Key("nside");
            json.Value(m.Nside);
            json.Key("complete");
            json.Value(m.Complete);
            json.Key("run_id");
            json.Value(m.RunId);
            json.Key("event_id");
            json.Value(m.EventId);
            json.Key("event_type");
            json.Value(m.EventType);
            json.Key("mjd");
            json.Value(m.Mjd);
            json.Key("is_real_event");
            json.Value(m.IsRealEvent);
            json.Key("version");
            json.Value((long)ResultColumns.LatestVersion);
            if (m.Calibration is { } c)
            {
                json.Key("calibration_trials");
                json.Value((long)c.Trials);
                json.Key("calibration_truth_model");
                json.Value(c.TruthModel);
                json.Key("calibrated_2dllh_50");
                json.Value(c.Level50);
                json.Key("calibrated_2dllh_50_low");
                json.Value(c.Level50Low);
                json.Key("calibrated_2dllh_50_high");
                json.Value(c.Level50High);
                json.Key("calibrated_2dllh_90");
                json.Value(c.Level90);
                json.Key("calibrated_2dllh_90_low");
                json.Value(c.Level90Low);
                json.Key("calibrated_2dllh_90_high");
                json.Value(c.Level90High);
            }

            json.EndObject();
            json.EndObject();
        }

        json.EndObject();
    }

    /// <summary>Writes the JSON of a result as UTF-8 (no BOM) to a stream.</summary>
    /// <param name="result">The result.</param>
    /// <param name="stream">Where to write; left open.</param>
    public static void Write(SkyScanResult result, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new StreamWriter(stream, Utf8NoBom, 1 << 16, leaveOpen: true);
        Write(result, writer);
    }

    /// <summary>Reads a result from JSON text.</summary>
    /// <param name="json">The text.</param>
    /// <returns>The result; rows sorted by index, nsides ascending.</returns>
    /// <exception cref="SkyScanResultFormatException">The text breaks a rule of FORMATS.md §2.</exception>
    public static SkyScanResult Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return FromDocument(PyJsonValue.Parse(json));
    }

    /// <summary>Reads a result from a UTF-8 JSON stream.</summary>
    /// <param name="stream">The stream; left open.</param>
    /// <returns>The result.</returns>
    /// <exception cref="SkyScanResultFormatException">The content breaks a rule of FORMATS.md §2.</exception>
    public static SkyScanResult Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: true);
        return Deserialize(reader.ReadToEnd());
    }

    /// <summary>Reads a result from a JSON file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The result.</returns>
    /// <exception cref="SkyScanResultFormatException">The file breaks a rule of FORMATS.md §2.</exception>
    public static SkyScanResult ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Deserialize(File.ReadAllText(path, Encoding.UTF8));
    }

    /// <summary>Writes a result to a JSON file (not atomically; see <see cref="ResultFiles.Write"/>).</summary>
    /// <param name="result">The result.</param>
    /// <param name="path">The file.</param>
    public static void WriteFile(SkyScanResult result, string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(result, stream);
    }

    private static SkyScanResult FromDocument(PyJsonValue root)
    {
        if (root.Kind != PyJsonKind.Object)
        {
            throw Fail($"the top-level value must be an object of nside blocks, not {root.Describe()}");
        }

        if (root.Members!.Count == 0)
        {
            throw Fail("the result has no nside blocks");
        }

        var parsed = new List<ParsedBlock>();
        foreach (var (key, value) in root.Members)
        {
            parsed.Add(ParseBlock(key, value));
        }

        // Rule 5: one version for all blocks (upstream takes it from the first block).
        var first = parsed[0];
        foreach (var p in parsed)
        {
            if (p.Version != first.Version)
            {
                throw Fail($"block \"{p.Key}\" has version {p.Version} but the first block \"{first.Key}\" has version {first.Version}; all blocks must share one version");
            }
        }

        // Rule 6: version 1 needs upstream's minimal metadata in every block.
        if (first.Version >= 1)
        {
            foreach (var p in parsed)
            {
                var missing = MinimalMetadataKeys.Where(k => p.Metadata.Get(k) is null).ToList();
                if (missing.Count > 0)
                {
                    throw Fail($"block \"{p.Key}\": version {p.Version} needs metadata keys {string.Join(", ", MinimalMetadataKeys)}; missing {string.Join(", ", missing)}");
                }
            }
        }

        var seen = new Dictionary<long, string>();
        var blocks = new List<SkyScanResultBlock>(parsed.Count);
        foreach (var p in parsed)
        {
            if (!seen.TryAdd(p.Nside, p.Key))
            {
                throw Fail($"blocks \"{seen[p.Nside]}\" and \"{p.Key}\" have the same nside {p.Nside}");
            }

            blocks.Add(BuildBlock(p));
        }

        return new SkyScanResult(blocks);
    }

    private sealed record ParsedBlock(string Key, long Nside, int Version, PyJsonValue Metadata, PyJsonValue Data);

    private static ParsedBlock ParseBlock(string key, PyJsonValue value)
    {
        // Rule 1: every top-level key is nside-<int>.
        var nside = ParseNsideKey(key)
            ?? throw Fail($"top-level key \"{key}\" is not of the form \"nside-<int>\"");

        if (value.Kind != PyJsonKind.Object)
        {
            throw Fail($"block \"{key}\" must be an object, not {value.Describe()}");
        }

        // Rule 2: block keys are exactly {columns, data, metadata}.
        var names = value.Members!.Select(m => m.Key).ToList();
        string[] expected = ["columns", "data", "metadata"];
        var extra = names.Except(expected, StringComparer.Ordinal).ToList();
        var missingKeys = expected.Except(names, StringComparer.Ordinal).ToList();
        if (extra.Count > 0 || missingKeys.Count > 0)
        {
            var parts = new List<string>();
            if (missingKeys.Count > 0)
            {
                parts.Add("missing " + string.Join(", ", missingKeys.Select(k => $"\"{k}\"")));
            }

            if (extra.Count > 0)
            {
                parts.Add("unexpected " + string.Join(", ", extra.Select(k => $"\"{k}\"")));
            }

            throw Fail($"block \"{key}\" must have exactly the keys \"columns\", \"data\", \"metadata\"; {string.Join("; ", parts)}");
        }

        var metadata = value.Get("metadata")!;
        if (metadata.Kind != PyJsonKind.Object)
        {
            throw Fail($"block \"{key}\": \"metadata\" must be an object, not {metadata.Describe()}");
        }

        // Rule 3: columns equal the field list of metadata.version (missing → 0).
        var version = 0;
        if (metadata.Get("version") is { } v)
        {
            if (v.Kind != PyJsonKind.Integer || v.Int64 is not { } vv || !ResultColumns.IsKnownVersion(vv))
            {
                throw Fail($"block \"{key}\": metadata \"version\" must be the integer 0 or 1, not {v.Describe()}");
            }

            version = (int)vv;
        }

        var columns = value.Get("columns")!;
        var expectedColumns = ResultColumns.ForVersion(version);
        if (columns.Kind != PyJsonKind.Array
            || columns.Items!.Count != expectedColumns.Count
            || columns.Items.Where((c, i) => c.Kind != PyJsonKind.String || c.Text != expectedColumns[i]).Any())
        {
            throw Fail($"block \"{key}\": \"columns\" must be [{string.Join(", ", expectedColumns.Select(c => $"\"{c}\""))}] for version {version}, not {DescribeColumns(columns)}");
        }

        // Rule 4: metadata.nside equals the key's nside.
        var nsideValue = metadata.Get("nside")
            ?? throw Fail($"block \"{key}\": metadata has no \"nside\"");
        if (!TryGetInteger(nsideValue, out var metaNside) || metaNside != nside)
        {
            throw Fail($"block \"{key}\": metadata \"nside\" is {nsideValue.Describe()} but the key says {nside}");
        }

        var data = value.Get("data")!;
        if (data.Kind != PyJsonKind.Array)
        {
            throw Fail($"block \"{key}\": \"data\" must be an array of rows, not {data.Describe()}");
        }

        return new ParsedBlock(key, nside, version, metadata, data);
    }

    private static string DescribeColumns(PyJsonValue columns) =>
        columns.Kind == PyJsonKind.Array
            ? "[" + string.Join(", ", columns.Items!.Select(c => c.Kind == PyJsonKind.String ? $"\"{c.Text}\"" : c.Describe())) + "]"
            : columns.Describe();

    private static SkyScanResultBlock BuildBlock(ParsedBlock p)
    {
        var md = p.Metadata;
        var key = p.Key;
        var complete = GetBool(md, key, "complete") ?? false;
        var isReal = GetBool(md, key, "is_real_event") ?? false;
        var runId = GetLong(md, key, "run_id");
        var eventId = GetLong(md, key, "event_id");
        string? eventType = null;
        if (md.Get("event_type") is { } et)
        {
            if (et.Kind != PyJsonKind.String || et.Text == NanSentinel)
            {
                throw Fail($"block \"{key}\": metadata \"event_type\" must be a string, not {et.Describe()}");
            }

            eventType = et.Text!;
        }

        double? mjd = null;
        if (md.Get("mjd") is { } mj)
        {
            mjd = ToDouble(mj) ?? throw Fail($"block \"{key}\": metadata \"mjd\" must be a number or NaN, not {mj.Describe()}");
        }

        var hasEvent = runId is not null && eventId is not null && eventType is not null && mjd is not null;

        // Rule 7: a real event needs 1e5 <= run_id < 1e6.
        if (isReal && runId is { } r && !ResultMetadata.IsValidRealRunId(r))
        {
            throw Fail($"block \"{key}\": is_real_event is true but run_id {r} is outside [100000, 1000000)");
        }

        var metadata = new ResultMetadata(
            p.Nside, complete, runId ?? 0, eventId ?? 0, eventType ?? string.Empty, mjd ?? 0.0, isReal, p.Version)
        {
            HasEventMetadata = hasEvent,
            Calibration = ReadCalibration(md, key),
        };
        var problem = SkyScanResultBlock.ValidateMetadata(metadata);
        if (problem is not null)
        {
            throw Fail($"block \"{key}\": {problem}");
        }

        var columns = ResultColumns.ForVersion(p.Version);
        var items = p.Data.Items!;
        var rows = new ResultRow[items.Count];
        Span<double> cells = stackalloc double[8];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item.Kind != PyJsonKind.Array || item.Items!.Count != columns.Count)
            {
                throw Fail($"block \"{key}\": data row {i} must be an array of {columns.Count} values ({string.Join(", ", columns)}), not {(item.Kind == PyJsonKind.Array ? $"an array of {item.Items!.Count}" : item.Describe())}");
            }

            // Rule 8: ints and floats are interchangeable; the index must be integral.
            var indexCell = item.Items[0];
            long index;
            if (indexCell.Kind == PyJsonKind.Integer && indexCell.Int64 is { } li)
            {
                index = li;
            }
            else if (indexCell.Kind == PyJsonKind.Float && Math.Floor(indexCell.Number) == indexCell.Number
                     && Math.Abs(indexCell.Number) < 9.2e18)
            {
                index = (long)indexCell.Number;
            }
            else
            {
                throw Fail($"block \"{key}\": data row {i}, column \"index\" must be an integral pixel id, not {indexCell.Describe()}");
            }

            cells.Fill(double.NaN);
            for (var c = 1; c < columns.Count; c++)
            {
                var cell = item.Items[c];
                cells[c] = ToDouble(cell)
                    ?? throw Fail($"block \"{key}\": data row {i} (pixel {index}), column \"{columns[c]}\" must be a number or NaN, not {cell.Describe()}");
            }

            rows[i] = new ResultRow(index, cells[1], cells[2], cells[3], cells[4], cells[5], cells[6], cells[7]);
        }

        SkyScanResultBlock.SortByIndex(rows);
        problem = SkyScanResultBlock.ValidateRows(p.Nside, rows);
        if (problem is not null)
        {
            throw Fail($"block \"{key}\": {problem}");
        }

        return SkyScanResultBlock.CreateValidated(metadata, rows);
    }

    /// <summary>The calibration keys of a block (all of them, or none: a partial set is an error).</summary>
    private static ResultCalibration? ReadCalibration(PyJsonValue md, string key)
    {
        var present = ResultCalibration.MetadataKeys.Where(k => md.Get(k) is not null).ToList();
        if (present.Count == 0)
        {
            return null;
        }

        if (present.Count != ResultCalibration.MetadataKeys.Count)
        {
            throw Fail($"block \"{key}\": calibration metadata needs all of {string.Join(", ", ResultCalibration.MetadataKeys)}; missing {string.Join(", ", ResultCalibration.MetadataKeys.Except(present))}");
        }

        var trials = GetLong(md, key, "calibration_trials")!.Value;
        var model = md.Get("calibration_truth_model")!;
        if (model.Kind != PyJsonKind.String || trials is < 1 or > int.MaxValue)
        {
            throw Fail($"block \"{key}\": calibration_trials must be a positive integer and calibration_truth_model a string");
        }

        double Level(string name) => ToDouble(md.Get(name)!) ?? throw Fail($"block \"{key}\": metadata \"{name}\" must be a number, not {md.Get(name)!.Describe()}");
        return new ResultCalibration(
            (int)trials, model.Text!,
            Level("calibrated_2dllh_50"), Level("calibrated_2dllh_50_low"), Level("calibrated_2dllh_50_high"),
            Level("calibrated_2dllh_90"), Level("calibrated_2dllh_90_low"), Level("calibrated_2dllh_90_high"));
    }

    /// <summary>A number (any NaN spelling or ∞ → NaN), or null when the value is not numeric.</summary>
    private static double? ToDouble(PyJsonValue v) => v.Kind switch
    {
        PyJsonKind.Integer or PyJsonKind.Float => double.IsFinite(v.Number) ? v.Number : double.NaN,
        PyJsonKind.NonFinite => double.NaN,
        PyJsonKind.String when v.Text == NanSentinel => double.NaN,
        _ => null,
    };

    private static bool TryGetInteger(PyJsonValue v, out long value)
    {
        if (v.Kind == PyJsonKind.Integer && v.Int64 is { } l)
        {
            value = l;
            return true;
        }

        value = 0;
        return false;
    }

    private static long? GetLong(PyJsonValue metadata, string block, string name)
    {
        if (metadata.Get(name) is not { } v)
        {
            return null;
        }

        return TryGetInteger(v, out var l)
            ? l
            : throw Fail($"block \"{block}\": metadata \"{name}\" must be a 64-bit integer, not {v.Describe()}");
    }

    private static bool? GetBool(PyJsonValue metadata, string block, string name) => metadata.Get(name) switch
    {
        null => null,
        { Kind: PyJsonKind.True } => true,
        { Kind: PyJsonKind.False } => false,
        var v => throw Fail($"block \"{block}\": metadata \"{name}\" must be true or false, not {v.Describe()}"),
    };

    /// <summary>Parses <c>nside-&lt;int&gt;</c>; null when the key has another form.</summary>
    internal static long? ParseNsideKey(string key)
    {
        const string prefix = "nside-";
        if (!key.StartsWith(prefix, StringComparison.Ordinal) || key.Length == prefix.Length)
        {
            return null;
        }

        var digits = key.AsSpan(prefix.Length);
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return null;
            }
        }

        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static SkyScanResultFormatException Fail(string message) => new("Invalid scan result: " + message + ".");
}
