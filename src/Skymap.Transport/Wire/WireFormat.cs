using Google.Protobuf;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using WirePixelResult = Skymap.Transport.Wire.Internal.PixelResult;
using WirePixelTask = Skymap.Transport.Wire.Internal.PixelTask;
using WireSeed = Skymap.Transport.Wire.Internal.Seed;

namespace Skymap.Transport.Wire;

/// <summary>
/// The protobuf wire format of pixel tasks and replies (package <c>skymap.v1</c>, SCANNER.md §9): encoding, decoding and
/// the version check shared by every out-of-process transport. Doubles round-trip bit for bit (NaN and −0.0 included).
/// </summary>
public static class WireFormat
{
    /// <summary>The wire version this build writes and the only one it reads (field 20 of every message).</summary>
    public const uint Version = 1;

    /// <summary>The AMQP content type of every message.</summary>
    public const string ContentType = "application/x-protobuf";

    /// <summary>The message name of a task (AMQP <c>type</c> property).</summary>
    public const string TaskMessageType = "PixelTask";

    /// <summary>The message name of a reply (AMQP <c>type</c> property).</summary>
    public const string ResultMessageType = "PixelResult";

    /// <summary>Encodes a task as a <c>skymap.v1.PixelTask</c>.</summary>
    public static byte[] EncodeTask(PixelVariation task) => ToWire(task).ToByteArray();

    /// <summary>Encodes a reply as a <c>skymap.v1.PixelResult</c>.</summary>
    public static byte[] EncodeResult(RecoPixelVariation result) => ToWire(result).ToByteArray();

    /// <summary>Decodes a <c>skymap.v1.PixelTask</c>.</summary>
    /// <exception cref="WireFormatException">The bytes are not a valid task or carry an unknown wire version.</exception>
    public static PixelVariation DecodeTask(ReadOnlySpan<byte> bytes)
    {
        WirePixelTask m;
        try
        {
            m = WirePixelTask.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new WireFormatException($"malformed {TaskMessageType}: {e.Message}", e);
        }

        PixelVariation? partial = null;
        try
        {
            partial = FromWire(m);
        }
        catch (WireFormatException) when (m.WireVersion != Version)
        {
            // Reported below as a version error, which explains the bad content.
        }

        if (m.WireVersion != Version)
        {
            throw new WireFormatException(
                $"unsupported wire version {m.WireVersion} in {TaskMessageType} (this build speaks version {Version})", partial);
        }

        return partial!;
    }

    /// <summary>Decodes a <c>skymap.v1.PixelResult</c>.</summary>
    /// <exception cref="WireFormatException">The bytes are not a valid reply or carry an unknown wire version.</exception>
    public static RecoPixelVariation DecodeResult(ReadOnlySpan<byte> bytes)
    {
        WirePixelResult m;
        try
        {
            m = WirePixelResult.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new WireFormatException($"malformed {ResultMessageType}: {e.Message}", e);
        }

        if (m.WireVersion != Version)
        {
            throw new WireFormatException($"unsupported wire version {m.WireVersion} in {ResultMessageType} (this build speaks version {Version})");
        }

        return FromWire(m);
    }

    /// <summary>The AMQP message id of a task or reply: <c>nside:pixel:posvar:attempt</c>.</summary>
    public static string MessageId(PixelVariationId id, int attempt) => $"{id.Nside}:{id.PixelId}:{id.PosvarId}:{attempt}";

    internal static WirePixelTask ToWire(PixelVariation task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var m = new WirePixelTask
        {
            ScanId = task.ScanId,
            Nside = checked((uint)task.Nside),
            PixelId = checked((ulong)task.PixelId),
            PosvarId = checked((uint)task.PosvarId),
            RecoAlgo = task.RecoAlgo,
            Zenith = task.Direction.Zenith,
            Azimuth = task.Direction.Azimuth,
            Ra = task.Ra,
            Dec = task.Dec,
            Seed = ToWire(task.Seed),
            Attempt = checked((uint)task.Attempt),
            SentTime = task.SentTime,
            StartupSha256 = task.StartupSha256,
            WireVersion = Version,
        };
        if (task.FallbackSeed is { } fb)
        {
            m.FallbackSeed = ToWire(fb);
        }

        return m;
    }

    internal static PixelVariation FromWire(WirePixelTask m)
    {
        if (m.Seed is null)
        {
            throw new WireFormatException($"malformed {TaskMessageType}: no seed");
        }

        return new PixelVariation
        {
            ScanId = m.ScanId,
            Id = new PixelVariationId(
                ToInt(m.Nside, "nside"),
                m.PixelId <= long.MaxValue ? (long)m.PixelId : throw new WireFormatException($"malformed {TaskMessageType}: pixel_id {m.PixelId} out of range"),
                ToInt(m.PosvarId, "posvar_id")),
            RecoAlgo = m.RecoAlgo,
            Direction = new LocalDirection(m.Zenith, m.Azimuth),
            Ra = m.Ra,
            Dec = m.Dec,
            Seed = FromWire(m.Seed),
            FallbackSeed = m.FallbackSeed is null ? null : FromWire(m.FallbackSeed),
            Attempt = ToInt(m.Attempt, "attempt"),
            SentTime = m.SentTime,
            StartupSha256 = m.StartupSha256,
        };
    }

    internal static WirePixelResult ToWire(RecoPixelVariation r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new WirePixelResult
        {
            ScanId = r.ScanId,
            Nside = checked((uint)r.Nside),
            PixelId = checked((ulong)r.PixelId),
            PosvarId = checked((uint)r.PosvarId),
            Status = r.Status switch
            {
                PixelVariationStatus.Ok => WirePixelResult.Types.Status.Ok,
                PixelVariationStatus.Failed => WirePixelResult.Types.Status.Failed,
                PixelVariationStatus.Timeout => WirePixelResult.Types.Status.Timeout,
                PixelVariationStatus.DeadLettered => WirePixelResult.Types.Status.DeadLettered,
                _ => throw new ArgumentOutOfRangeException(nameof(r), r.Status, "unknown status"),
            },
            Llh = r.Fit.Llh,
            EIn = r.Fit.RecoLossesInside,
            ETot = r.Fit.RecoLossesTotal,
            X = r.Fit.Position.X,
            Y = r.Fit.Position.Y,
            Z = r.Fit.Position.Z,
            T = r.Fit.Time,
            Energy = r.Fit.Energy,
            RuntimeS = r.RuntimeSeconds,
            WorkerId = r.WorkerId,
            Attempt = checked((uint)r.Attempt),
            Error = r.Error,
            WireVersion = Version,
        };
    }

    internal static RecoPixelVariation FromWire(WirePixelResult m) => new()
    {
        ScanId = m.ScanId,
        Id = new PixelVariationId(
            ToInt(m.Nside, "nside"),
            m.PixelId <= long.MaxValue ? (long)m.PixelId : throw new WireFormatException($"malformed {ResultMessageType}: pixel_id {m.PixelId} out of range"),
            ToInt(m.PosvarId, "posvar_id")),
        Status = m.Status switch
        {
            WirePixelResult.Types.Status.Ok => PixelVariationStatus.Ok,
            WirePixelResult.Types.Status.Failed => PixelVariationStatus.Failed,
            WirePixelResult.Types.Status.Timeout => PixelVariationStatus.Timeout,
            WirePixelResult.Types.Status.DeadLettered => PixelVariationStatus.DeadLettered,
            _ => throw new WireFormatException($"malformed {ResultMessageType}: unknown status {(int)m.Status}"),
        },
        Fit = new RecoFitResult(
            Value(m.HasLlh, m.Llh), Value(m.HasEIn, m.EIn), Value(m.HasETot, m.ETot),
            new Vector3D(Value(m.HasX, m.X), Value(m.HasY, m.Y), Value(m.HasZ, m.Z)),
            Value(m.HasT, m.T), Value(m.HasEnergy, m.Energy)),
        RuntimeSeconds = m.RuntimeS,
        WorkerId = m.WorkerId,
        Attempt = ToInt(m.Attempt, "attempt"),
        Error = m.Error,
    };

    private static WireSeed ToWire(RecoSeed s) => new()
    {
        X = s.Position.X,
        Y = s.Position.Y,
        Z = s.Position.Z,
        T = s.Time,
        Energy = s.Energy,
    };

    private static RecoSeed FromWire(WireSeed s) =>
        new(new Vector3D(s.X, s.Y, s.Z), s.T, s.HasEnergy ? s.Energy : double.NaN);

    // A reply value that was never written is unknown, not zero.
    private static double Value(bool has, double value) => has ? value : double.NaN;

    private static int ToInt(uint value, string field) =>
        value <= int.MaxValue ? (int)value : throw new WireFormatException($"malformed message: {field} {value} out of range");
}

/// <summary>A message could not be decoded: malformed bytes, a missing field, or an unknown wire version.</summary>
public sealed class WireFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WireFormatException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WireFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public WireFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for a task whose identity could still be read (e.g. a wire-version mismatch).</summary>
    public WireFormatException(string message, PixelVariation? partialTask)
        : base(message)
    {
        PartialTask = partialTask;
    }

    /// <summary>The task as far as it could be decoded (its ids are trustworthy), or null; lets a worker reply FAILED.</summary>
    public PixelVariation? PartialTask { get; }
}
