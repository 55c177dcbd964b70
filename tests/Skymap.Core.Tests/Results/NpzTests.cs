using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Skymap.Core.Results;
using Skymap.Core.Results.Internal;

namespace Skymap.Core.Tests.Results;

public class NpzTests
{
    private static readonly (string, string)[] V0Fields = [("index", "<i8"), ("llh", "<f8"), ("E_in", "<f8"), ("E_tot", "<f8")];

    /// <summary>Local file headers of a ZIP: (name, method, flags, crc, compressed size, data offset).</summary>
    private static List<(string Name, int Method, int Flags, uint Crc, int Size, int DataOffset, int DosTime, int DosDate)> LocalHeaders(byte[] zip)
    {
        var list = new List<(string, int, int, uint, int, int, int, int)>();
        var p = 0;
        while (p + 30 <= zip.Length && BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(p)) == 0x04034b50)
        {
            var s = zip.AsSpan(p);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(s[6..]);
            var method = BinaryPrimitives.ReadUInt16LittleEndian(s[8..]);
            var time = BinaryPrimitives.ReadUInt16LittleEndian(s[10..]);
            var date = BinaryPrimitives.ReadUInt16LittleEndian(s[12..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(s[14..]);
            var size = (int)BinaryPrimitives.ReadUInt32LittleEndian(s[18..]);
            var nameLen = BinaryPrimitives.ReadUInt16LittleEndian(s[26..]);
            var extraLen = BinaryPrimitives.ReadUInt16LittleEndian(s[28..]);
            var name = Encoding.ASCII.GetString(s.Slice(30, nameLen));
            var data = p + 30 + nameLen + extraLen;
            list.Add((name, method, flags, crc, size, data, time, date));
            p = data + size;
        }

        return list;
    }

    private static byte[] Member(byte[] zip, string name)
    {
        using var archive = new ZipArchive(new MemoryStream(zip), ZipArchiveMode.Read);
        using var s = archive.GetEntry(name)!.Open();
        using var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }

    private static string NpyHeaderText(byte[] npy)
    {
        var len = BinaryPrimitives.ReadUInt16LittleEndian(npy.AsSpan(8));
        return Encoding.ASCII.GetString(npy, 10, len);
    }

    [Fact]
    public void Members_are_stored_with_CRC_in_order_and_fixed_timestamps()
    {
        var bytes = SkyScanResultNpz.ToBytes(ResultTestData.Awkward());
        var headers = LocalHeaders(bytes);
        Assert.Equal(["header.npy", "nside-8.npy", "nside-64.npy"], headers.Select(h => h.Name));
        foreach (var h in headers)
        {
            Assert.Equal(0, h.Method); // stored
            Assert.Equal(0, h.Flags & 0x8); // sizes and CRC in the local header, no data descriptor
            Assert.Equal(0, h.DosTime);
            Assert.Equal((0 << 9) | (1 << 5) | 1, h.DosDate); // 1980-01-01
            var data = bytes.AsSpan(h.DataOffset, h.Size).ToArray();
            Assert.Equal(Crc32(data), h.Crc);
        }
    }

    [Fact]
    public void Npy_members_are_v1_0_with_headers_padded_to_64()
    {
        var bytes = SkyScanResultNpz.ToBytes(ResultTestData.Awkward());
        foreach (var name in new[] { "header.npy", "nside-8.npy", "nside-64.npy" })
        {
            var npy = Member(bytes, name);
            Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], npy[..8]);
            var h = BinaryPrimitives.ReadUInt16LittleEndian(npy.AsSpan(8));
            Assert.Equal(0, (10 + h) % 64);
            Assert.Equal((byte)'\n', npy[10 + h - 1]);
        }

        var block = Member(bytes, "nside-8.npy");
        Assert.Equal(
            "{'descr': [('index', '<i8'), ('llh', '<f8'), ('E_in', '<f8'), ('E_tot', '<f8'), ('X', '<f8'), ('Y', '<f8'), ('Z', '<f8'), ('T', '<f8')], 'fortran_order': False, 'shape': (3,), }",
            NpyHeaderText(block).TrimEnd());
        var h8 = BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(8));
        Assert.Equal(10 + h8 + (3 * 64), block.Length);
        // First record is pixel 411 (rows sorted), little-endian.
        Assert.Equal(411, BinaryPrimitives.ReadInt64LittleEndian(block.AsSpan(10 + h8)));
        Assert.Equal(ResultTestData.Bits(-0.0), BinaryPrimitives.ReadInt64LittleEndian(block.AsSpan(10 + h8 + 8)));
    }

    [Fact]
    public void Header_dtype_for_a_6_character_event_type_has_itemsize_66()
    {
        var bytes = SkyScanResultNpz.ToBytes(ResultTestData.Awkward("BRONZE"));
        var npy = Member(bytes, "header.npy");
        Assert.Equal(
            "{'descr': [('nside', '<i8'), ('complete', '|b1'), ('run_id', '<i8'), ('event_id', '<i8'), ('event_type', '<U6'), ('mjd', '<f8'), ('is_real_event', '|b1'), ('version', '<i8')], 'fortran_order': False, 'shape': (2,), }",
            NpyHeaderText(npy).TrimEnd());
        var parsed = Npy.Parse(npy);
        Assert.Equal(66, parsed.ItemSize);
        Assert.Equal(2, parsed.Count);
        var row = parsed.Record(1);
        Assert.Equal(64, parsed.Field("nside")!.ReadInt64(row));
        Assert.Equal("BRONZE", parsed.Field("event_type")!.ReadString(row));
        Assert.Equal(Encoding.UTF32.GetBytes("BRONZE"), row.Slice(25, 24).ToArray()); // UTF-32LE
        Assert.True(parsed.Field("complete")!.ReadBool(row));
        Assert.Equal(1, parsed.Field("version")!.ReadInt64(row));
    }

    [Fact]
    public void Npy_header_bytes_equal_numpys_including_spare_space()
    {
        // numpy 1.24: np.save of np.zeros(1, dtype=[('nside','<i8'),('event_type','<U0')]) writes this header
        // (dict, 21 - len("1") spare spaces, padding to 64 with a final newline).
        var header = Npy.Header([("nside", "<i8"), ("event_type", "<U0")], 1);
        var dict = "{'descr': [('nside', '<i8'), ('event_type', '<U0')], 'fortran_order': False, 'shape': (1,), }";
        Assert.Equal(128, header.Length);
        Assert.Equal(0x76, header[8]);
        Assert.Equal(dict + new string(' ', 20 + 4) + "\n", Encoding.ASCII.GetString(header, 10, header.Length - 10));
    }

    [Fact]
    public void NaN_is_written_as_numpys_positive_quiet_NaN()
    {
        var r = SkyScanResult.Create(1, 2, "sim", double.NaN, false, [(1, [ResultRow.Failed(0)])], true);
        var block = Member(SkyScanResultNpz.ToBytes(r), "nside-1.npy");
        var data = block.AsSpan(10 + BinaryPrimitives.ReadUInt16LittleEndian(block.AsSpan(8)));
        for (var c = 1; c < 8; c++)
        {
            Assert.Equal(0x7FF8_0000_0000_0000, BinaryPrimitives.ReadInt64LittleEndian(data[(8 * c)..]));
        }

        Assert.True(double.IsNaN(SkyScanResultNpz.FromBytes(SkyScanResultNpz.ToBytes(r)).Metadata.Mjd));
    }

    [Fact]
    public void Round_trip_is_bit_exact_with_metadata()
    {
        var original = ResultTestData.Awkward();
        var back = SkyScanResultNpz.FromBytes(SkyScanResultNpz.ToBytes(original));
        ResultTestData.AssertSameRows(original, back);
        Assert.Equal(original.Blocks.Select(b => b.Metadata), back.Blocks.Select(b => b.Metadata));
    }

    [Fact]
    public void Non_ascii_event_type_round_trips_as_UTF_32()
    {
        var original = ResultTestData.Awkward("Gé𝄞");
        var bytes = SkyScanResultNpz.ToBytes(original);
        Assert.Contains("('event_type', '<U3')", NpyHeaderText(Member(bytes, "header.npy")), StringComparison.Ordinal);
        Assert.Equal("Gé𝄞", SkyScanResultNpz.FromBytes(bytes).Metadata.EventType);
    }

    [Fact]
    public void Empty_event_type_and_empty_block_round_trip()
    {
        var original = SkyScanResult.Create(5, 6, "", 1.25, false, [(2, Array.Empty<ResultRow>()), (1, [ResultRow.Failed(3)])], false);
        var back = SkyScanResultNpz.FromBytes(SkyScanResultNpz.ToBytes(original));
        Assert.Equal([1L, 2L], back.Nsides);
        Assert.Empty(back.GetBlock(2).Rows);
        Assert.Equal(string.Empty, back.Metadata.EventType);
        Assert.False(back.Complete);
    }

    [Fact]
    public void Two_writes_are_byte_identical()
    {
        var a = SkyScanResultNpz.ToBytes(ResultTestData.Awkward());
        Thread.Sleep(1100); // a timestamp taken from the clock would differ
        var b = SkyScanResultNpz.ToBytes(ResultTestData.Awkward());
        Assert.Equal(a, b);
        Assert.Equal(
            SkyScanResultJson.Serialize(ResultTestData.Awkward()),
            SkyScanResultJson.Serialize(ResultTestData.Awkward()));
    }

    private static byte[] Zip(params (string Name, byte[] Data)[] members)
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, true))
        {
            foreach (var (name, data) in members)
            {
                using var s = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                s.Write(data);
            }
        }

        return ms.ToArray();
    }

    private static byte[] V0Npy(params (long Index, double Llh, double EIn, double ETot)[] rows)
    {
        var header = Npy.Header(V0Fields, rows.Length);
        var bytes = new byte[header.Length + (rows.Length * 32)];
        header.CopyTo(bytes, 0);
        var d = bytes.AsSpan(header.Length);
        foreach (var (i, l, e, t) in rows)
        {
            BinaryPrimitives.WriteInt64LittleEndian(d, i);
            BinaryPrimitives.WriteDoubleLittleEndian(d[8..], l);
            BinaryPrimitives.WriteDoubleLittleEndian(d[16..], e);
            BinaryPrimitives.WriteDoubleLittleEndian(d[24..], t);
            d = d[32..];
        }

        return bytes;
    }

    [Fact]
    public void Headerless_v0_file_loads_without_metadata()
    {
        var npz = Zip(("nside-8.npy", V0Npy((5, 1.5, 2.5, 3.5), (2, double.NaN, 0, 0))), ("nside-1.npy", V0Npy((0, 9, 9, 9))));
        var r = SkyScanResultNpz.FromBytes(npz);
        Assert.Equal([1L, 8L], r.Nsides);
        Assert.Equal(0, r.Version);
        Assert.False(r.HasEventMetadata);
        Assert.Equal(ResultMetadata.NsideOnly(8), r.GetBlock(8).Metadata);
        Assert.Equal([2L, 5L], r.GetBlock(8).Rows.Select(x => x.Index));
        Assert.Equal(ResultRow.V0(5, 1.5, 2.5, 3.5), r.GetBlock(8).Rows[1]);
    }

    [Fact]
    public void Headerless_v1_file_loads_with_version_from_fields()
    {
        var v1 = SkyScanResultNpz.ToBytes(ResultTestData.Awkward());
        var npz = Zip(("nside-8.npy", Member(v1, "nside-8.npy")), ("nside-64.npy", Member(v1, "nside-64.npy")));
        var r = SkyScanResultNpz.FromBytes(npz);
        Assert.Equal(1, r.Version);
        Assert.False(r.HasEventMetadata);
        ResultTestData.AssertSameRows(ResultTestData.Awkward(), r);
    }

    [Fact]
    public void V0_members_with_a_skyreader_header_load_metadata()
    {
        // skyreader's to_npz for a v0 result read from an old JSON: header fields = that block's metadata keys.
        (string, string)[] fields = [("nside", "<i8"), ("run_id", "<i8"), ("event_id", "<i8"), ("event_type", "<U8"), ("mjd", "<f8"), ("is_real_event", "|b1")];
        var hdr = Npy.Header(fields, 1);
        var rec = new byte[8 + 8 + 8 + 32 + 8 + 1];
        BinaryPrimitives.WriteInt64LittleEndian(rec, 8);
        BinaryPrimitives.WriteInt64LittleEndian(rec.AsSpan(8), 136662);
        BinaryPrimitives.WriteInt64LittleEndian(rec.AsSpan(16), 35405932);
        Npy.WriteUtf32("neutrino", rec.AsSpan(24, 32));
        BinaryPrimitives.WriteDoubleLittleEndian(rec.AsSpan(56), 59723.32051140454);
        rec[64] = 1;
        var npz = Zip(("header.npy", [.. hdr, .. rec]), ("nside-8.npy", V0Npy((0, 1, 2, 3))));
        var r = SkyScanResultNpz.FromBytes(npz);
        Assert.Equal(0, r.Version);
        Assert.True(r.HasEventMetadata);
        Assert.Equal(new ResultMetadata(8, false, 136662, 35405932, "neutrino", 59723.32051140454, true, 0), r.Metadata);
    }

    public static TheoryData<string, Func<byte[]>, string> Bad => new()
    {
        { "not a zip", () => [1, 2, 3, 4], "ZIP" },
        { "no members", () => Zip(), "no nside" },
        { "foreign member", () => Zip(("readme.txt", [1])), "readme.txt" },
        { "bad member name", () => Zip(("nside8.npy", V0Npy())), "nside8.npy" },
        { "bad magic", () => Zip(("nside-8.npy", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])), "magic" },
        { "wrong fields", () => Zip(("nside-8.npy", [.. Npy.Header([("index", "<i8"), ("llh", "<f8")], 0)])), "fields" },
        { "float index", () => Zip(("nside-8.npy", [.. Npy.Header([("index", "<f8"), ("llh", "<f8"), ("E_in", "<f8"), ("E_tot", "<f8")], 0)])), "\"index\"" },
        { "truncated data", () => Zip(("nside-8.npy", V0Npy((0, 1, 2, 3))[..^1])), "bytes" },
        { "mixed versions", () => Zip(("nside-8.npy", V0Npy()), ("nside-64.npy", Member(SkyScanResultNpz.ToBytes(ResultTestData.Awkward()), "nside-64.npy"))), "share one version" },
        { "pixel out of range", () => Zip(("nside-1.npy", V0Npy((12, 1, 2, 3)))), "pixel index 12" },
        { "repeated pixel", () => Zip(("nside-1.npy", V0Npy((1, 1, 2, 3), (1, 1, 2, 3)))), "more than once" },
        { "header names missing member", () => WithHeaderNsides([8, 64], ("nside-8.npy", V0Npy())), "no \"nside-64.npy\"" },
        { "member without header row", () => WithHeaderNsides([8], ("nside-8.npy", V0Npy()), ("nside-64.npy", V0Npy())), "no row in header" },
        { "header version mismatch", () => WithHeaderNsides([8], ("nside-8.npy", Member(SkyScanResultNpz.ToBytes(ResultTestData.Awkward()), "nside-8.npy"))), "version 0" },
        { "header without nside", () => Zip(("header.npy", [.. Npy.Header([("run_id", "<i8")], 0)]), ("nside-8.npy", V0Npy())), "\"nside\"" },
        { "2-d array", () => Zip(("nside-8.npy", TwoD())), "one-dimensional" },
    };

    private static byte[] WithHeaderNsides(long[] nsides, params (string, byte[])[] members)
    {
        var hdr = Npy.Header([("nside", "<i8")], nsides.Length);
        var rec = new byte[8 * nsides.Length];
        for (var i = 0; i < nsides.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(rec.AsSpan(8 * i), nsides[i]);
        }

        return Zip([("header.npy", [.. hdr, .. rec]), .. members]);
    }

    private static byte[] TwoD()
    {
        var text = "{'descr': [('index', '<i8'), ('llh', '<f8'), ('E_in', '<f8'), ('E_tot', '<f8')], 'fortran_order': False, 'shape': (1, 1), }";
        text += new string(' ', 64 - ((10 + text.Length + 1) % 64)) + "\n";
        var bytes = new byte[10 + text.Length + 32];
        bytes[0] = 0x93;
        Encoding.ASCII.GetBytes("NUMPY", bytes.AsSpan(1));
        bytes[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)text.Length);
        Encoding.ASCII.GetBytes(text, bytes.AsSpan(10));
        return bytes;
    }

    [Theory]
    [MemberData(nameof(Bad))]
    public void Invalid_archives_throw_SkyScanResultFormatException(string what, Func<byte[]> make, string fragment)
    {
        var e = Assert.Throws<SkyScanResultFormatException>(() => SkyScanResultNpz.FromBytes(make()));
        Assert.True(e.Message.Contains(fragment, StringComparison.Ordinal), $"{what}: message \"{e.Message}\" lacks \"{fragment}\"");
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }

        return ~crc;
    }
}
