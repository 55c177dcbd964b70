using MessagePack;
using MessagePack.Resolvers;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;

namespace Skymap.Transport.Wire;

/// <summary>
/// The MessagePack wire format of pixel tasks and replies (docs/wire-format.md, SCANNER.md §9): encoding, decoding and
/// the version check shared by every out-of-process transport. Each message is one MessagePack array with integer keys
/// without gaps, <c>wire_version</c> first; every read uses <see cref="MessagePackSecurity.UntrustedData"/>. Doubles are
/// always written as float 64 and round-trip bit for bit (NaN payloads and −0.0 included).
/// </summary>
public static class WireFormat
{
    /// <summary>The wire version this build writes and the only one it reads (key 0 of every message).</summary>
    public const uint Version = 1;

    /// <summary>The AMQP content type of every message.</summary>
    public const string ContentType = "application/x-msgpack";

    /// <summary>The message name of a task (AMQP <c>type</c> property).</summary>
    public const string TaskMessageType = "PixelTask";

    /// <summary>The message name of a reply (AMQP <c>type</c> property).</summary>
    public const string ResultMessageType = "PixelResult";

    /// <summary>
    /// The serializer options of every write and read: the resolver that handles the internal message types, and the
    /// untrusted-data security profile (hash-collision resistant maps, bounded depth), since messages come off pipes and
    /// queues that other programs can write to.
    /// </summary>
    internal static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(StandardResolverAllowPrivate.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Encodes a task as a <c>PixelTask</c> array.</summary>
    public static byte[] EncodeTask(PixelTask task) => MessagePackSerializer.Serialize(ToWire(task), Options);

    /// <summary>Encodes a reply as a <c>PixelResult</c> array.</summary>
    public static byte[] EncodeResult(PixelTaskResult result) => MessagePackSerializer.Serialize(ToWire(result), Options);

    /// <summary>Decodes a <c>PixelTask</c>.</summary>
    /// <exception cref="WireFormatException">
    /// The bytes are not a valid task or carry an unknown wire version; for a version mismatch whose ids are still readable,
    /// <see cref="WireFormatException.PartialTask"/> lets the worker reply FAILED instead of dropping the task.
    /// </exception>
    public static PixelTask DecodeTask(ReadOnlySpan<byte> bytes)
    {
        var memory = new ReadOnlyMemory<byte>(bytes.ToArray());
        var (version, count) = CheckLayout(memory, TaskMessageType, WireTask.KeyCount);
        if (version != Version)
        {
            PixelTask? partial = null;
            if (count == WireTask.KeyCount)
            {
                try
                {
                    partial = FromWire(Deserialize<WireTask>(memory, TaskMessageType));
                }
                catch (WireFormatException)
                {
                    // The ids are not readable either; the version error below explains the bad content.
                }
            }

            throw new WireFormatException(
                $"unsupported wire version {version} in {TaskMessageType} (this build speaks version {Version})", partial);
        }

        return FromWire(Deserialize<WireTask>(memory, TaskMessageType));
    }

    /// <summary>Decodes a <c>PixelResult</c>.</summary>
    /// <exception cref="WireFormatException">The bytes are not a valid reply or carry an unknown wire version.</exception>
    public static PixelTaskResult DecodeResult(ReadOnlySpan<byte> bytes)
    {
        var memory = new ReadOnlyMemory<byte>(bytes.ToArray());
        var (version, _) = CheckLayout(memory, ResultMessageType, WireResult.KeyCount);
        if (version != Version)
        {
            throw new WireFormatException($"unsupported wire version {version} in {ResultMessageType} (this build speaks version {Version})");
        }

        return FromWire(Deserialize<WireResult>(memory, ResultMessageType));
    }

    /// <summary>The AMQP message id of a task or reply: <c>nside:pixel:posvar:attempt</c>.</summary>
    public static string MessageId(PixelVariationId id, int attempt) => $"{id.Nside}:{id.PixelId}:{id.PosvarId}:{attempt}";

    /// <summary>Serializes a message as it is (tests write messages of other versions with it).</summary>
    internal static byte[] Serialize<T>(T message) => MessagePackSerializer.Serialize(message, Options);

    internal static WireTask ToWire(PixelTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new WireTask
        {
            WireVersion = Version,
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
            FallbackSeed = task.FallbackSeed is { } fb ? ToWire(fb) : null,
            Attempt = checked((uint)task.Attempt),
            SentTime = task.SentTime,
            StartupSha256 = task.StartupSha256,
        };
    }

    internal static PixelTask FromWire(WireTask m)
    {
        const string name = TaskMessageType;
        return new PixelTask
        {
            ScanId = Text(m.ScanId, name, "scan_id"),
            Nside = ToInt(m.Nside, name, "nside"),
            PixelId = m.PixelId <= long.MaxValue ? (long)m.PixelId : throw Malformed(name, $"pixel_id {m.PixelId} out of range"),
            PosvarId = ToInt(m.PosvarId, name, "posvar_id"),
            RecoAlgo = Text(m.RecoAlgo, name, "reco_algo"),
            Direction = new LocalDirection(m.Zenith, m.Azimuth),
            Ra = m.Ra,
            Dec = m.Dec,
            Seed = m.Seed is null ? throw Malformed(name, "seed is nil") : FromWire(m.Seed),
            FallbackSeed = m.FallbackSeed is null ? null : FromWire(m.FallbackSeed),
            Attempt = ToInt(m.Attempt, name, "attempt"),
            SentTime = m.SentTime,
            StartupSha256 = Text(m.StartupSha256, name, "startup_sha256"),
        };
    }

    internal static WireResult ToWire(PixelTaskResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new WireResult
        {
            WireVersion = Version,
            ScanId = r.ScanId,
            Nside = checked((uint)r.Nside),
            PixelId = checked((ulong)r.PixelId),
            PosvarId = checked((uint)r.PosvarId),
            Status = r.Status switch
            {
                PixelTaskStatus.Ok or PixelTaskStatus.Failed or PixelTaskStatus.Timeout or PixelTaskStatus.DeadLettered => (int)r.Status,
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
            LogTail = "",
        };
    }

    internal static PixelTaskResult FromWire(WireResult m)
    {
        const string name = ResultMessageType;
        return new PixelTaskResult
        {
            ScanId = Text(m.ScanId, name, "scan_id"),
            Nside = ToInt(m.Nside, name, "nside"),
            PixelId = m.PixelId <= long.MaxValue ? (long)m.PixelId : throw Malformed(name, $"pixel_id {m.PixelId} out of range"),
            PosvarId = ToInt(m.PosvarId, name, "posvar_id"),
            Status = m.Status switch
            {
                0 => PixelTaskStatus.Ok,
                1 => PixelTaskStatus.Failed,
                2 => PixelTaskStatus.Timeout,
                3 => PixelTaskStatus.DeadLettered,
                _ => throw Malformed(name, $"unknown status {m.Status}"),
            },
            Fit = new RecoFitResult(m.Llh, m.EIn, m.ETot, new Vector3D(m.X, m.Y, m.Z), m.T, m.Energy),
            RuntimeSeconds = m.RuntimeS,
            WorkerId = Text(m.WorkerId, name, "worker_id"),
            Attempt = ToInt(m.Attempt, name, "attempt"),
            Error = Text(m.Error, name, "error"),
        };
    }

    // Walks the message once before it is deserialized: one array, an unsigned integer wire_version first, and for the
    // version this build speaks exactly the keys of that version (scalars; seeds arrays of 5 scalars, the fallback seed
    // nil or a seed) and nothing after the array. Returns the version and the array length. Only scalars are skipped, so
    // hostile nesting never reaches a recursive skip or the deserializer.
    private static (uint Version, int Count) CheckLayout(ReadOnlyMemory<byte> bytes, string name, int keyCount)
    {
        try
        {
            var reader = new MessagePackReader(bytes);
            if (reader.End)
            {
                throw Malformed(name, "empty message");
            }

            if (reader.NextMessagePackType != MessagePackType.Array)
            {
                throw Malformed(name, $"expected an array, found {reader.NextMessagePackType}");
            }

            var count = reader.ReadArrayHeader();
            if (count == 0 || reader.NextMessagePackType != MessagePackType.Integer)
            {
                throw Malformed(name, "key 0 (wire_version) is not an integer");
            }

            var version = reader.ReadUInt32();
            if (version != Version)
            {
                return (version, count);
            }

            if (count != keyCount)
            {
                throw Malformed(name, $"{count} keys, wire version {Version} has {keyCount}");
            }

            for (var key = 1; key < count; key++)
            {
                var isSeed = name == TaskMessageType && key is WireTask.SeedKey or WireTask.FallbackSeedKey;
                if (isSeed && !(key == WireTask.FallbackSeedKey && reader.IsNil))
                {
                    if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != WireSeed.KeyCount)
                    {
                        throw Malformed(name, $"key {key} ({(key == WireTask.SeedKey ? "seed" : "fallback_seed")}) is not a seed of {WireSeed.KeyCount} keys");
                    }

                    for (var i = 0; i < WireSeed.KeyCount; i++)
                    {
                        SkipScalar(ref reader, name, $"key {key}.{i}");
                    }
                }
                else
                {
                    SkipScalar(ref reader, name, $"key {key}");
                }
            }

            if (!reader.End)
            {
                throw Malformed(name, $"{bytes.Length - reader.Consumed} bytes after the message");
            }

            return (version, count);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            throw new WireFormatException($"malformed {name}: {e.Message}", e);
        }
    }

    private static void SkipScalar(ref MessagePackReader reader, string name, string key)
    {
        if (reader.NextMessagePackType is MessagePackType.Array or MessagePackType.Map)
        {
            throw Malformed(name, $"{key} is a{(reader.NextMessagePackType == MessagePackType.Array ? "n array" : " map")}, expected a value");
        }

        reader.Skip();
    }

    private static T Deserialize<T>(ReadOnlyMemory<byte> bytes, string name)
    {
        try
        {
            return MessagePackSerializer.Deserialize<T>(bytes, Options);
        }
        catch (MessagePackSerializationException e)
        {
            // The serializer wraps the cause (a wrong type, an integer out of range) in a generic message.
            throw new WireFormatException($"malformed {name}: {e.InnerException?.Message ?? e.Message}", e);
        }
    }

    private static WireSeed ToWire(RecoSeed s) => new()
    {
        X = s.Position.X,
        Y = s.Position.Y,
        Z = s.Position.Z,
        T = s.Time,
        Energy = s.Energy,
    };

    private static RecoSeed FromWire(WireSeed s) => new(new Vector3D(s.X, s.Y, s.Z), s.T, s.Energy);

    private static string Text(string? value, string name, string field) => value ?? throw Malformed(name, $"{field} is nil");

    private static int ToInt(uint value, string name, string field) =>
        value <= int.MaxValue ? (int)value : throw Malformed(name, $"{field} {value} out of range");

    private static WireFormatException Malformed(string name, string reason) => new($"malformed {name}: {reason}");
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
    public WireFormatException(string message, PixelTask? partialTask)
        : base(message)
    {
        PartialTask = partialTask;
    }

    /// <summary>The task as far as it could be decoded (its ids are trustworthy), or null; lets a worker reply FAILED.</summary>
    public PixelTask? PartialTask { get; }
}
