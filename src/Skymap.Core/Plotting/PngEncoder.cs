using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Skymap.Core.Plotting;

/// <summary>A minimal PNG encoder: 8-bit RGB, IHDR / IDAT (zlib, filter "Sub" per row) / IEND, CRC-32 computed here.</summary>
internal static class PngEncoder
{
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>Encodes an RGB image (3 bytes per pixel, rows top to bottom).</summary>
    /// <param name="destination">The stream (left open).</param>
    /// <param name="width">Width in pixels, ≥ 1.</param>
    /// <param name="height">Height in pixels, ≥ 1.</param>
    /// <param name="rgb">width·height·3 bytes.</param>
    public static void Write(Stream destination, int width, int height, ReadOnlySpan<byte> rgb)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        var stride = width * 3;
        if (rgb.Length != (long)stride * height)
        {
            throw new ArgumentException("rgb must hold width·height·3 bytes.", nameof(rgb));
        }

        destination.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);

        Span<byte> ihdr = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr[4..], height);
        ihdr[8] = 8;  // bit depth
        ihdr[9] = 2;  // colour type: truecolour
        ihdr[10] = 0; // deflate
        ihdr[11] = 0; // adaptive filtering
        ihdr[12] = 0; // no interlace
        WriteChunk(destination, "IHDR", ihdr);

        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            var row = new byte[stride + 1];
            row[0] = 1; // filter type Sub
            for (var y = 0; y < height; y++)
            {
                var line = rgb.Slice(y * stride, stride);
                for (var i = 0; i < stride; i++)
                {
                    row[i + 1] = (byte)(line[i] - (i >= 3 ? line[i - 3] : 0));
                }

                zlib.Write(row);
            }
        }

        WriteChunk(destination, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(destination, "IEND", []);
    }

    /// <summary>CRC-32 (ISO-HDLC, as PNG and zlib's crc32) of bytes, continuing from <paramref name="crc"/>.</summary>
    public static uint Crc32(ReadOnlySpan<byte> data, uint crc = 0)
    {
        var c = ~crc;
        foreach (var b in data)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return ~c;
    }

    private static void WriteChunk(Stream destination, string type, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32BigEndian(header, data.Length);
        Encoding.ASCII.GetBytes(type, header[4..]);
        destination.Write(header);
        destination.Write(data);
        var crc = Crc32(data, Crc32(header[4..]));
        Span<byte> trailer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(trailer, crc);
        destination.Write(trailer);
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
