using System.Buffers.Binary;
using System.IO.Compression;
using Skymap.Core.Results.Internal;

namespace Skymap.Core.Results;

/// <summary>
/// Reads and writes the NPZ form of a <see cref="SkyScanResult"/> (FORMATS.md §3), compatible with
/// numpy's <c>np.savez</c>/<c>np.load</c> and skyreader's <c>to_npz</c>/<c>read_npz</c>.
/// </summary>
/// <remarks>
/// <para>
/// The writer always emits version 1: a ZIP archive of stored (uncompressed, CRC-32 set) members
/// <c>header.npy</c> then <c>nside-&lt;N&gt;.npy</c> ascending, each an <c>.npy</c> 1.0 file laid out byte for
/// byte as numpy writes it. Entry timestamps are fixed at 1980-01-01 00:00, so equal results give equal
/// files. Every NaN is written as numpy's <c>np.nan</c> (0x7FF8000000000000). The header's <c>event_type</c> field is <c>&lt;U{n}</c> with n the longest event type of the blocks
/// (skyreader takes the first block's; all blocks normally share one).
/// </para>
/// <para>
/// The reader accepts stored or deflated members, <c>.npy</c> 1.0–3.0, version-0 (4-field) and version-1
/// members, and headerless files (legacy; metadata lost, version taken from the member fields). With a
/// header, every header row must name an existing member and every member must have a row.
/// </para>
/// </remarks>
internal static class SkyScanResultNpz
{
    private const string HeaderMember = "header";

    private static readonly DateTimeOffset EntryTime = new(1980, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The numpy type of the version-1 data members, field by field.</summary>
    private static readonly (string Name, string Descr)[] RowFields =
    [
        ("index", "<i8"), ("llh", "<f8"), ("E_in", "<f8"), ("E_tot", "<f8"),
        ("X", "<f8"), ("Y", "<f8"), ("Z", "<f8"), ("T", "<f8"),
    ];

    /// <summary>The NPZ bytes of a result.</summary>
    /// <param name="result">The result.</param>
    /// <returns>The archive.</returns>
    public static byte[] ToBytes(SkyScanResult result)
    {
        using var ms = new MemoryStream();
        Write(result, ms);
        return ms.ToArray();
    }

    /// <summary>Writes the NPZ of a result to a stream.</summary>
    /// <param name="result">The result.</param>
    /// <param name="stream">Where to write; left open.</param>
    public static void Write(SkyScanResult result, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(stream);

        // Build in memory so that the archive is written with sizes and CRCs in the local headers
        // (no data descriptors), whatever the target stream.
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            AddMember(zip, HeaderMember, HeaderNpy(result));
            foreach (var block in result.Blocks)
            {
                AddMember(zip, block.Key, BlockNpy(block));
            }
        }

        buffer.Position = 0;
        buffer.CopyTo(stream);
    }

    /// <summary>Writes a result to an NPZ file (not atomically; see <see cref="ResultFiles.Write"/>).</summary>
    /// <param name="result">The result.</param>
    /// <param name="path">The file.</param>
    public static void WriteFile(SkyScanResult result, string path)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
        Write(result, stream);
    }

    /// <summary>Reads a result from NPZ bytes.</summary>
    /// <param name="npz">The archive.</param>
    /// <returns>The result.</returns>
    /// <exception cref="SkyScanResultFormatException">Not a valid result archive (message says why).</exception>
    public static SkyScanResult FromBytes(byte[] npz)
    {
        ArgumentNullException.ThrowIfNull(npz);
        using var ms = new MemoryStream(npz, writable: false);
        return Read(ms);
    }

    /// <summary>Reads a result from an NPZ file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The result.</returns>
    /// <exception cref="SkyScanResultFormatException">Not a valid result archive (message says why).</exception>
    public static SkyScanResult ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return FromBytes(File.ReadAllBytes(path));
    }

    /// <summary>Reads a result from an NPZ stream.</summary>
    /// <param name="stream">The stream; left open.</param>
    /// <returns>The result.</returns>
    /// <exception cref="SkyScanResultFormatException">Not a valid result archive (message says why).</exception>
    public static SkyScanResult Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var members = new Dictionary<string, NpyArray>(StringComparer.Ordinal);
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            foreach (var entry in zip.Entries)
            {
                if (!entry.FullName.EndsWith(".npy", StringComparison.Ordinal))
                {
                    throw Fail($"member \"{entry.FullName}\" is not an .npy file");
                }

                var name = entry.FullName[..^4];
                using var es = entry.Open();
                using var ms = new MemoryStream();
                es.CopyTo(ms);
                try
                {
                    if (!members.TryAdd(name, Npy.Parse(ms.GetBuffer().AsMemory(0, (int)ms.Length))))
                    {
                        throw Fail($"member \"{entry.FullName}\" appears twice");
                    }
                }
                catch (FormatException e) when (e is not SkyScanResultFormatException)
                {
                    throw Fail($"member \"{entry.FullName}\": {e.Message}", e);
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw Fail($"not a readable ZIP archive: {e.Message}", e);
        }

        var dataMembers = new SortedDictionary<long, (string Key, NpyArray Array, int Version)>();
        foreach (var (name, array) in members)
        {
            if (name == HeaderMember)
            {
                continue;
            }

            var nside = SkyScanResultJson.ParseNsideKey(name)
                ?? throw Fail($"member \"{name}.npy\" is neither \"header.npy\" nor \"nside-<int>.npy\"");
            if (!dataMembers.TryAdd(nside, (name, array, DataVersion(name, array))))
            {
                throw Fail($"members \"{dataMembers[nside].Key}.npy\" and \"{name}.npy\" have the same nside {nside}");
            }
        }

        if (dataMembers.Count == 0)
        {
            throw Fail("the archive has no nside-<N>.npy members");
        }

        var firstVersion = dataMembers.Values.First().Version;
        foreach (var (key, _, version) in dataMembers.Values)
        {
            if (version != firstVersion)
            {
                throw Fail($"member \"{key}.npy\" has version-{version} fields but others have version-{firstVersion} fields; all must share one version");
            }
        }

        var metadata = members.TryGetValue(HeaderMember, out var header)
            ? MetadataFromHeader(header, dataMembers.ToDictionary(kv => kv.Key, kv => kv.Value.Version))
            : dataMembers.ToDictionary(kv => kv.Key, kv => ResultMetadata.NsideOnly(kv.Key, kv.Value.Version));

        var blocks = new List<SkyScanResultBlock>();
        foreach (var (nside, (key, array, _)) in dataMembers)
        {
            var rows = ReadRows(array);
            SkyScanResultBlock.SortByIndex(rows);
            var meta = metadata[nside];
            var problem = SkyScanResultBlock.ValidateMetadata(meta) ?? SkyScanResultBlock.ValidateRows(nside, rows);
            if (problem is not null)
            {
                throw Fail($"member \"{key}.npy\": {problem}");
            }

            blocks.Add(SkyScanResultBlock.CreateValidated(meta, rows));
        }

        return new SkyScanResult(blocks);
    }

    private static void AddMember(ZipArchive zip, string name, byte[] npy)
    {
        var entry = zip.CreateEntry(name + ".npy", CompressionLevel.NoCompression);
        entry.LastWriteTime = EntryTime;
        using var s = entry.Open();
        s.Write(npy);
    }

    private static byte[] BlockNpy(SkyScanResultBlock block)
    {
        var rows = block.RowSpan;
        var header = Npy.Header(RowFields, rows.Length);
        var bytes = new byte[header.Length + (rows.Length * 64)];
        header.CopyTo(bytes, 0);
        var d = bytes.AsSpan(header.Length);
        foreach (ref readonly var r in rows)
        {
            BinaryPrimitives.WriteInt64LittleEndian(d, r.Index);
            WriteDouble(d[8..], r.Llh);
            WriteDouble(d[16..], r.EIn);
            WriteDouble(d[24..], r.ETot);
            WriteDouble(d[32..], r.X);
            WriteDouble(d[40..], r.Y);
            WriteDouble(d[48..], r.Z);
            WriteDouble(d[56..], r.T);
            d = d[64..];
        }

        return bytes;
    }

    private static byte[] HeaderNpy(SkyScanResult result)
    {
        var typeLength = result.Blocks.Max(b => Npy.CodePoints(b.Metadata.EventType));
        (string Name, string Descr)[] fields =
        [
            ("nside", "<i8"), ("complete", "|b1"), ("run_id", "<i8"), ("event_id", "<i8"),
            ("event_type", $"<U{typeLength}"), ("mjd", "<f8"), ("is_real_event", "|b1"), ("version", "<i8"),
        ];
        var itemSize = 8 + 1 + 8 + 8 + (4 * typeLength) + 8 + 1 + 8;
        var header = Npy.Header(fields, result.Blocks.Count);
        var bytes = new byte[header.Length + (itemSize * result.Blocks.Count)];
        header.CopyTo(bytes, 0);
        var d = bytes.AsSpan(header.Length);
        foreach (var block in result.Blocks)
        {
            var m = block.Metadata;
            BinaryPrimitives.WriteInt64LittleEndian(d, m.Nside);
            d[8] = m.Complete ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt64LittleEndian(d[9..], m.RunId);
            BinaryPrimitives.WriteInt64LittleEndian(d[17..], m.EventId);
            var at = 25;
            Npy.WriteUtf32(m.EventType, d.Slice(at, 4 * typeLength));
            at += 4 * typeLength;
            WriteDouble(d[at..], m.Mjd);
            d[at + 8] = m.IsRealEvent ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteInt64LittleEndian(d[(at + 9)..], ResultColumns.LatestVersion);
            d = d[itemSize..];
        }

        return bytes;
    }

    /// <summary>numpy's <c>np.nan</c> bit pattern (positive quiet NaN); .NET's <see cref="double.NaN"/> is negative.</summary>
    private const long NumpyNanBits = 0x7FF8_0000_0000_0000;

    /// <summary>Writes a little-endian double, every NaN as numpy's <c>np.nan</c> so that files match numpy's bytes.</summary>
    private static void WriteDouble(Span<byte> destination, double value)
    {
        if (double.IsNaN(value))
        {
            BinaryPrimitives.WriteInt64LittleEndian(destination, NumpyNanBits);
        }
        else
        {
            BinaryPrimitives.WriteDoubleLittleEndian(destination, value);
        }
    }

    /// <summary>The version a data member's fields match (0: 4 fields, 1: 8 fields).</summary>
    private static int DataVersion(string key, NpyArray array)
    {
        var names = array.Fields.Select(f => f.Name).ToList();
        var version = names.SequenceEqual(ResultColumns.V1) ? 1 : names.SequenceEqual(ResultColumns.V0) ? 0 : -1;
        if (version < 0)
        {
            throw Fail($"member \"{key}.npy\" has fields ({string.Join(", ", names)}); expected ({string.Join(", ", ResultColumns.V0)}) or ({string.Join(", ", ResultColumns.V1)})");
        }

        if (!array.Fields[0].IsInteger)
        {
            throw Fail($"member \"{key}.npy\": field \"index\" has type {array.Fields[0].Descr}, expected an integer type such as <i8");
        }

        foreach (var f in array.Fields.Skip(1))
        {
            if (!f.IsFloat)
            {
                throw Fail($"member \"{key}.npy\": field \"{f.Name}\" has type {f.Descr}, expected a float type such as <f8");
            }
        }

        return version;
    }

    private static ResultRow[] ReadRows(NpyArray array)
    {
        var rows = new ResultRow[array.Count];
        var f = array.Fields;
        var v1 = f.Count == 8;
        for (var i = 0; i < rows.Length; i++)
        {
            var r = array.Record(i);
            rows[i] = new ResultRow(
                f[0].ReadInt64(r),
                f[1].ReadDouble(r),
                f[2].ReadDouble(r),
                f[3].ReadDouble(r),
                v1 ? f[4].ReadDouble(r) : double.NaN,
                v1 ? f[5].ReadDouble(r) : double.NaN,
                v1 ? f[6].ReadDouble(r) : double.NaN,
                v1 ? f[7].ReadDouble(r) : double.NaN);
        }

        return rows;
    }

    private static Dictionary<long, ResultMetadata> MetadataFromHeader(NpyArray header, Dictionary<long, int> dataVersions)
    {
        var nsideField = header.Field("nside") ?? throw Fail("header.npy has no \"nside\" field");
        if (!nsideField.IsInteger)
        {
            throw Fail($"header.npy: field \"nside\" has type {nsideField.Descr}, expected an integer type");
        }

        NpyField? Typed(string name, Func<NpyField, bool> ok, string expected)
        {
            var f = header.Field(name);
            if (f is not null && !ok(f))
            {
                throw Fail($"header.npy: field \"{name}\" has type {f.Descr}, expected {expected}");
            }

            return f;
        }

        var complete = Typed("complete", f => f.Kind == 'b' && f.Size == 1, "|b1");
        var runId = Typed("run_id", f => f.IsInteger, "an integer type");
        var eventId = Typed("event_id", f => f.IsInteger, "an integer type");
        var eventType = Typed("event_type", f => f.Kind == 'U', "a <U string");
        var mjd = Typed("mjd", f => f.IsFloat || f.IsInteger, "a float type");
        var isReal = Typed("is_real_event", f => f.Kind == 'b' && f.Size == 1, "|b1");
        var versionField = Typed("version", f => f.IsInteger, "an integer type");
        var hasEvent = runId is not null && eventId is not null && eventType is not null && mjd is not null;

        var result = new Dictionary<long, ResultMetadata>();
        for (long i = 0; i < header.Count; i++)
        {
            var r = header.Record(i);
            var nside = nsideField.ReadInt64(r);
            var key = SkyScanResultBlock.FormatKey(nside);
            if (!dataVersions.TryGetValue(nside, out var dataVersion))
            {
                throw Fail($"header.npy row {i} names nside {nside} but the archive has no \"{key}.npy\"");
            }

            var version = versionField?.ReadInt64(r) ?? 0;
            if (!ResultColumns.IsKnownVersion(version))
            {
                throw Fail($"header.npy row {i} ({key}): version {version} is not 0 or 1");
            }

            if (version != dataVersion)
            {
                throw Fail($"header.npy row {i} ({key}): version {version} but \"{key}.npy\" has version-{dataVersion} fields ({string.Join(", ", ResultColumns.ForVersion(dataVersion))})");
            }

            if (version >= 1 && !hasEvent)
            {
                throw Fail($"header.npy: version {version} needs the fields run_id, event_id, mjd, event_type, nside");
            }

            var isRealEvent = isReal?.ReadBool(r) ?? false;
            var run = runId?.ReadInt64(r);
            if (isRealEvent && run is { } rr && !ResultMetadata.IsValidRealRunId(rr))
            {
                throw Fail($"header.npy row {i} ({key}): is_real_event is true but run_id {rr} is outside [100000, 1000000)");
            }

            double? mjdValue = mjd is null ? null : mjd.IsFloat ? mjd.ReadDouble(r) : mjd.ReadInt64(r);
            string? type;
            try
            {
                type = eventType?.ReadString(r);
            }
            catch (InvalidOperationException e)
            {
                throw Fail($"header.npy row {i} ({key}): {e.Message}", e);
            }

            var metadata = new ResultMetadata(
                nside,
                complete?.ReadBool(r) ?? false,
                run ?? 0,
                eventId?.ReadInt64(r) ?? 0,
                type ?? string.Empty,
                mjdValue ?? 0.0,
                isRealEvent,
                (int)version)
            {
                HasEventMetadata = hasEvent,
            };
            if (!result.TryAdd(nside, metadata))
            {
                throw Fail($"header.npy has two rows for nside {nside}");
            }
        }

        foreach (var nside in dataVersions.Keys)
        {
            if (!result.ContainsKey(nside))
            {
                throw Fail($"\"{SkyScanResultBlock.FormatKey(nside)}.npy\" has no row in header.npy");
            }
        }

        var versions = result.Values.Select(m => m.Version).Distinct().ToList();
        if (versions.Count > 1)
        {
            throw Fail("header.npy rows disagree on the version");
        }

        return result;
    }

    private static SkyScanResultFormatException Fail(string message) => new("Invalid scan result NPZ: " + message + ".");

    private static SkyScanResultFormatException Fail(string message, Exception inner) =>
        new("Invalid scan result NPZ: " + message + ".", inner);
}
