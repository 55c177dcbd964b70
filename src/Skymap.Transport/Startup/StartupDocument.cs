using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;

namespace Skymap.Transport.Startup;

/// <summary>
/// The startup document (<c>startup.json</c>, SCANNER.md §9): everything a worker needs before its first task. The server
/// writes it once per scan; its SHA-256 (of the exact bytes) travels in every task, and a worker holding a different
/// document refuses the task.
/// </summary>
/// <remarks>
/// Layout (schema 1): <c>schema</c>, <c>scan_id</c>, <c>reco_algo</c>, <c>reco_settings</c> (string values), <c>scan_seed</c>,
/// <c>nsides</c>, <c>task_timeout_s</c>, <c>event</c> (a <c>skymap-event/1</c> document), <c>prepared</c>
/// (<c>seed_vertex</c> {x, y, z}, <c>seed_time</c>, <c>hit_doms</c>), <c>variations</c> [[x, y, z] …], <c>flags</c>
/// {<c>rotate_vertex</c>, <c>refine_time</c>, <c>add_fallback_position</c>}, <c>created</c> (epoch s), and for a plug-in
/// reco <c>reco_assemblies</c> [{<c>path</c>, <c>sha256</c>} …] (absent for a built-in reco). Doubles are written
/// round-trip exact; non-finite values as the strings <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>.
/// </remarks>
public sealed class StartupDocument
{
    /// <summary>The schema number this build writes and reads.</summary>
    public const int Schema = 1;

    /// <summary>The conventional file name.</summary>
    public const string FileName = "startup.json";

    private StartupDocument(byte[] bytes)
    {
        Bytes = bytes;
        Sha256 = ComputeSha256(bytes);
    }

    /// <summary>The exact bytes of the document.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>Lower-case hex SHA-256 of <see cref="Bytes"/>.</summary>
    public string Sha256 { get; }

    /// <summary>The scan id.</summary>
    public required string ScanId { get; init; }

    /// <summary>Reco name.</summary>
    public required string RecoAlgo { get; init; }

    /// <summary>Reco settings and scan seed, as the reco sees them.</summary>
    public required RecoContext RecoContext { get; init; }

    /// <summary>The event.</summary>
    public required SkymapEvent Event { get; init; }

    /// <summary>The server's prepared seed vertex (workers prepare again and compare).</summary>
    public required Vector3D SeedVertex { get; init; }

    /// <summary>The server's prepared seed time [ns].</summary>
    public required double SeedTime { get; init; }

    /// <summary>Canonical vertex variations.</summary>
    public required IReadOnlyList<Vector3D> Variations { get; init; }

    /// <summary>Seeding flags.</summary>
    public required RecoFlags Flags { get; init; }

    /// <summary>The nside progression text (informational).</summary>
    public required string Nsides { get; init; }

    /// <summary>The per-attempt task timeout workers enforce.</summary>
    public required TimeSpan TaskTimeout { get; init; }

    /// <summary>Epoch seconds of creation.</summary>
    public required double Created { get; init; }

    /// <summary>The plug-in assemblies (path and SHA-256) a worker loads for the reco; empty for a built-in reco.</summary>
    internal IReadOnlyList<RecoAssemblyReference> RecoAssemblies { get; init; } = [];

    /// <summary>
    /// The worker host of this document's scan: the reco resolved by name in this worker (loading the plug-in assemblies
    /// the document names), the event prepared again (deterministically, compared with the server's seed), requests
    /// checked against this document's SHA-256.
    /// </summary>
    /// <exception cref="UnknownRecoException">The reco is not registered in this worker.</exception>
    /// <exception cref="RecoPluginException">A plug-in assembly the document names is missing or differs from its SHA-256.</exception>
    /// <exception cref="ArgumentException">The reco settings are invalid for this worker's reco.</exception>
    public ScanWorkerHost CreateHost(RecoRegistry registry, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        if (RecoAssemblies.Count > 0)
        {
            registry = registry.WithAssemblyFiles(RecoAssemblies);
        }

        var reco = registry.Get(RecoAlgo);
        return ScanWorkerHost.Prepare(reco, ScanId, RecoContext, Event, TaskTimeout, Sha256, (SeedVertex, SeedTime), logger);
    }

    /// <summary>Lower-case hex SHA-256 of some bytes.</summary>
    public static string ComputeSha256(ReadOnlyMemory<byte> bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes.Span));

    /// <summary>Serialises a scan's startup (UTF-8 JSON, indented); the same startup always gives the same bytes.</summary>
    public static byte[] Serialize(ScanStartup startup)
    {
        ArgumentNullException.ThrowIfNull(startup);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("schema", Schema);
            w.WriteString("scan_id", startup.ScanId);
            w.WriteString("reco_algo", startup.RecoAlgo);
            w.WriteStartObject("reco_settings");
            foreach (var kv in startup.RecoContext.Settings.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WriteString(kv.Key, kv.Value);
            }

            w.WriteEndObject();
            w.WriteNumber("scan_seed", startup.RecoContext.ScanSeed);
            w.WriteString("nsides", startup.Progression.ToString());
            WriteDouble(w, "task_timeout_s", startup.TaskTimeout.TotalSeconds);
            w.WritePropertyName("event");
            SkymapEventSerializer.Write(w, startup.Event);
            w.WriteStartObject("prepared");
            w.WriteStartObject("seed_vertex");
            WriteDouble(w, "x", startup.Prepared.SeedVertex.X);
            WriteDouble(w, "y", startup.Prepared.SeedVertex.Y);
            WriteDouble(w, "z", startup.Prepared.SeedVertex.Z);
            w.WriteEndObject();
            WriteDouble(w, "seed_time", startup.Prepared.SeedTime);
            w.WriteNumber("hit_doms", startup.Prepared.HitDoms.Count);
            w.WriteEndObject();
            w.WriteStartArray("variations");
            foreach (var v in startup.Variations)
            {
                w.WriteStartArray();
                WriteDoubleValue(w, v.X);
                WriteDoubleValue(w, v.Y);
                WriteDoubleValue(w, v.Z);
                w.WriteEndArray();
            }

            w.WriteEndArray();
            w.WriteStartObject("flags");
            w.WriteBoolean("rotate_vertex", startup.Flags.HasFlag(RecoFlags.RotateVertex));
            w.WriteBoolean("refine_time", startup.Flags.HasFlag(RecoFlags.RefineTime));
            w.WriteBoolean("add_fallback_position", startup.Flags.HasFlag(RecoFlags.AddFallbackPosition));
            w.WriteEndObject();
            WriteDouble(w, "created", startup.Created);
            if (startup.RecoAssemblies.Count > 0)
            {
                w.WriteStartArray("reco_assemblies");
                foreach (var a in startup.RecoAssemblies)
                {
                    w.WriteStartObject();
                    w.WriteString("path", a.Path);
                    w.WriteString("sha256", a.Sha256);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Parses a startup document from its exact bytes.</summary>
    /// <exception cref="StartupDocumentException">Not JSON, an unknown schema, or a missing/invalid field (named).</exception>
    public static StartupDocument Parse(ReadOnlyMemory<byte> bytes)
    {
        var copy = bytes.ToArray();
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(copy);
        }
        catch (JsonException e)
        {
            throw new StartupDocumentException($"startup document is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new StartupDocumentException("startup document must be a JSON object");
            }

            var schema = Get(root, "schema", JsonValueKind.Number).GetInt32();
            if (schema != Schema)
            {
                throw new StartupDocumentException($"startup document schema {schema} is not supported (this build reads schema {Schema})");
            }

            var settings = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in Get(root, "reco_settings", JsonValueKind.Object).EnumerateObject())
            {
                settings[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }

            SkymapEvent evt;
            try
            {
                evt = SkymapEventSerializer.Parse(Get(root, "event", JsonValueKind.Object));
            }
            catch (EventFormatException e)
            {
                throw new StartupDocumentException($"startup document field 'event': {e.Message}", e);
            }

            var prepared = Get(root, "prepared", JsonValueKind.Object);
            var sv = Get(prepared, "seed_vertex", JsonValueKind.Object);
            var variations = new List<Vector3D>();
            foreach (var v in Get(root, "variations", JsonValueKind.Array).EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 3)
                {
                    throw new StartupDocumentException("startup document field 'variations' must hold [x, y, z] triples");
                }

                variations.Add(new Vector3D(ReadDouble(v[0], "variations"), ReadDouble(v[1], "variations"), ReadDouble(v[2], "variations")));
            }

            var flagsEl = Get(root, "flags", JsonValueKind.Object);
            var flags = RecoFlags.None;
            if (GetBool(flagsEl, "rotate_vertex"))
            {
                flags |= RecoFlags.RotateVertex;
            }

            if (GetBool(flagsEl, "refine_time"))
            {
                flags |= RecoFlags.RefineTime;
            }

            if (GetBool(flagsEl, "add_fallback_position"))
            {
                flags |= RecoFlags.AddFallbackPosition;
            }

            var timeout = GetDouble(root, "task_timeout_s");
            if (!(timeout > 0))
            {
                throw new StartupDocumentException($"startup document field 'task_timeout_s' must be > 0, got {timeout}");
            }

            var assemblies = new List<RecoAssemblyReference>();
            if (root.TryGetProperty("reco_assemblies", out _))
            {
                foreach (var a in Get(root, "reco_assemblies", JsonValueKind.Array).EnumerateArray())
                {
                    if (a.ValueKind != JsonValueKind.Object)
                    {
                        throw new StartupDocumentException("startup document field 'reco_assemblies' must hold {path, sha256} objects");
                    }

                    assemblies.Add(new RecoAssemblyReference(
                        Get(a, "path", JsonValueKind.String).GetString()!, Get(a, "sha256", JsonValueKind.String).GetString()!));
                }
            }

            return new StartupDocument(copy)
            {
                ScanId = Get(root, "scan_id", JsonValueKind.String).GetString()!,
                RecoAlgo = Get(root, "reco_algo", JsonValueKind.String).GetString()!,
                RecoContext = new RecoContext { ScanSeed = Get(root, "scan_seed", JsonValueKind.Number).GetUInt64(), Settings = settings },
                Event = evt,
                SeedVertex = new Vector3D(GetDouble(sv, "x"), GetDouble(sv, "y"), GetDouble(sv, "z")),
                SeedTime = GetDouble(prepared, "seed_time"),
                Variations = variations,
                Flags = flags,
                Nsides = Get(root, "nsides", JsonValueKind.String).GetString()!,
                TaskTimeout = TimeSpan.FromSeconds(timeout),
                Created = GetDouble(root, "created"),
                RecoAssemblies = assemblies,
            };
        }
    }

    /// <summary>
    /// Writes the document atomically (temporary file in the same directory, flushed to disk, then renamed), so that a
    /// worker polling for it never reads a partial file. Returns the full path.
    /// </summary>
    public static string WriteFile(string path, ReadOnlySpan<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                fs.Write(bytes);
                fs.Flush(flushToDisk: true);
            }

            File.Move(tmp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }

        return full;
    }

    /// <summary>
    /// Reads and parses a startup document, waiting up to <paramref name="wait"/> for the file to appear (upstream's
    /// startup-json wait, SCANNER.md §9: the server may still be starting).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file did not appear in time.</exception>
    /// <exception cref="StartupDocumentException">The file is not a valid startup document.</exception>
    public static async Task<StartupDocument> ReadFileAsync(string path, TimeSpan wait, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(path);
        var deadline = DateTime.UtcNow + wait;
        while (!File.Exists(path))
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new FileNotFoundException($"startup document '{path}' did not appear within {wait.TotalSeconds:0.#} s", path);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }

        var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        try
        {
            return Parse(bytes);
        }
        catch (StartupDocumentException e)
        {
            throw new StartupDocumentException($"'{path}': {e.Message}", e);
        }
    }

    private static JsonElement Get(JsonElement obj, string name, JsonValueKind kind)
    {
        if (!obj.TryGetProperty(name, out var el))
        {
            throw new StartupDocumentException($"startup document: missing field '{name}'");
        }

        if (el.ValueKind != kind)
        {
            throw new StartupDocumentException($"startup document field '{name}' must be {kind}, got {el.ValueKind}");
        }

        return el;
    }

    private static bool GetBool(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var el) && el.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? el.GetBoolean()
            : throw new StartupDocumentException($"startup document: missing or non-boolean field 'flags.{name}'");

    private static double GetDouble(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var el) ? ReadDouble(el, name) : throw new StartupDocumentException($"startup document: missing field '{name}'");

    private static double ReadDouble(JsonElement el, string name)
    {
        if (el.ValueKind == JsonValueKind.Number)
        {
            return el.GetDouble();
        }

        if (el.ValueKind == JsonValueKind.String
            && double.TryParse(el.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            && !double.IsFinite(v))
        {
            return v;
        }

        throw new StartupDocumentException($"startup document field '{name}' must be a number");
    }

    private static void WriteDouble(Utf8JsonWriter w, string name, double value)
    {
        w.WritePropertyName(name);
        WriteDoubleValue(w, value);
    }

    private static void WriteDoubleValue(Utf8JsonWriter w, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture), skipInputValidation: true);
        }
        else
        {
            w.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
        }
    }
}

/// <summary>A startup document could not be read: not JSON, an unknown schema, or an invalid field.</summary>
public sealed class StartupDocumentException : Exception
{
    /// <summary>Creates the exception.</summary>
    public StartupDocumentException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public StartupDocumentException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public StartupDocumentException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
