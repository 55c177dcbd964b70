using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;

namespace Skymap.Core.Tests.Healpix;

/// <summary>
/// Reader for the "HPXF" fixture container written by tools/healpy-fixtures/generate.py
/// (gzip; magic, version, then named little-endian arrays of float64 / int64 / int32 with their shapes).
/// </summary>
internal sealed class HpxfFile
{
    private static readonly ConcurrentDictionary<string, HpxfFile> Cache = new();
    private readonly Dictionary<string, (Array Data, long[] Shape)> _arrays = new(StringComparer.Ordinal);

    private HpxfFile(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var r = new BinaryReader(gz, Encoding.ASCII);
        var magic = Encoding.ASCII.GetString(r.ReadBytes(4));
        Assert.Equal("HPXF", magic);
        Assert.Equal(1u, r.ReadUInt32());
        var count = r.ReadUInt32();
        for (var i = 0; i < count; i++)
        {
            var name = Encoding.ASCII.GetString(r.ReadBytes(r.ReadUInt16()));
            var kind = (char)r.ReadByte();
            var ndim = r.ReadByte();
            var shape = new long[ndim];
            long n = 1;
            for (var d = 0; d < ndim; d++)
            {
                shape[d] = (long)r.ReadUInt64();
                n *= shape[d];
            }

            Array data = kind switch
            {
                'd' => ReadAll<double>(r, n),
                'q' => ReadAll<long>(r, n),
                'i' => ReadAll<int>(r, n),
                _ => throw new InvalidDataException($"unknown kind {kind}"),
            };
            _arrays.Add(name, (data, shape));
        }
    }

    /// <summary>Loads (once per process) a fixture file from the test output's Fixtures/healpix folder.</summary>
    public static HpxfFile Load(string fileName) =>
        Cache.GetOrAdd(fileName, f => new HpxfFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "healpix", f)));

    public bool Contains(string name) => _arrays.ContainsKey(name);

    public long[] Shape(string name) => Get(name).Shape;

    public double[] Doubles(string name) => (double[])Get(name).Data;

    /// <summary>int64 or int32 arrays, widened to long.</summary>
    public long[] Longs(string name) => Get(name).Data switch
    {
        long[] l => l,
        int[] i => Array.ConvertAll(i, x => (long)x),
        _ => throw new InvalidDataException($"{name} is not an integer array"),
    };

    /// <summary>Decodes an array stored as the XOR of its IEEE bits with <paramref name="baseValues"/>.</summary>
    public double[] XorDoubles(string name, double[] baseValues)
    {
        var x = Longs(name);
        Assert.Equal(baseValues.Length, x.Length);
        var result = new double[x.Length];
        for (var i = 0; i < x.Length; i++)
        {
            result[i] = BitConverter.Int64BitsToDouble(x[i] ^ BitConverter.DoubleToInt64Bits(baseValues[i]));
        }

        return result;
    }

    private (Array Data, long[] Shape) Get(string name) =>
        _arrays.TryGetValue(name, out var a) ? a : throw new KeyNotFoundException($"fixture array '{name}' not found");

    private static T[] ReadAll<T>(BinaryReader r, long n)
        where T : unmanaged
    {
        var result = new T[n];
        var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan());
        var read = 0;
        while (read < bytes.Length)
        {
            var k = r.Read(bytes[read..]);
            if (k == 0)
            {
                throw new EndOfStreamException();
            }

            read += k;
        }

        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("fixtures are little-endian");
        }

        return result;
    }
}
