using System.Buffers.Binary;

namespace Skymap.Transport.Internal;

/// <summary>A length-prefixed frame stream is broken (truncated frame or impossible length).</summary>
internal sealed class FrameFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FrameFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public FrameFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public FrameFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// Length-prefixed frames over a byte stream (the multi-process transport, SCANNER.md §9): a uint32 little-endian
/// payload length, then the payload (one MessagePack message, docs/wire-format.md). A zero-length frame is the worker's "ready" signal.
/// </summary>
internal static class Framing
{
    /// <summary>Largest accepted payload (tasks and replies are a few hundred bytes).</summary>
    public const int MaxFrameLength = 16 * 1024 * 1024;

    /// <summary>Writes one frame and flushes.</summary>
    public static async Task WriteAsync(Stream stream, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, (uint)payload.Length);
        payload.CopyTo(buffer.AsMemory(4));
        await stream.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads one frame; null at a clean end of stream (between frames).</summary>
    /// <exception cref="FrameFormatException">The stream ended inside a frame or announced an impossible length.</exception>
    public static async Task<byte[]?> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var header = new byte[4];
        var n = await ReadFullyAsync(stream, header, cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            return null;
        }

        if (n < 4)
        {
            throw new FrameFormatException($"stream ended inside a frame header ({n} of 4 bytes)");
        }

        var length = BinaryPrimitives.ReadUInt32LittleEndian(header);
        if (length > MaxFrameLength)
        {
            throw new FrameFormatException($"frame length {length} exceeds the limit of {MaxFrameLength} bytes (not a Skymap frame stream?)");
        }

        var payload = new byte[length];
        n = await ReadFullyAsync(stream, payload, cancellationToken).ConfigureAwait(false);
        if (n < length)
        {
            throw new FrameFormatException($"stream ended inside a frame ({n} of {length} bytes)");
        }

        return payload;
    }

    private static async Task<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }
}
