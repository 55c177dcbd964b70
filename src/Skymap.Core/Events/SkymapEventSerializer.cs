using System.Globalization;
using System.Text;
using System.Text.Json;
using Skymap.Core.Simulation;

namespace Skymap.Core.Events;

/// <summary>Reads and writes <c>skymap-event/1</c> documents with the validation of PHYSICS.md §1.2.</summary>
public static class SkymapEventSerializer
{
    /// <summary>Reads and validates an event file.</summary>
    /// <exception cref="EventFormatException">The file is missing, unreadable, not JSON or violates a rule.</exception>
    public static SkymapEvent ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.UTF8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new EventFormatException($"cannot read event file '{path}': {e.Message}", e);
        }

        try
        {
            return Parse(text);
        }
        catch (EventFormatException e)
        {
            throw new EventFormatException($"event file '{path}': {e.Message}", e);
        }
    }

    /// <summary>Parses and validates an event document.</summary>
    /// <exception cref="EventFormatException">The text is not JSON or violates a rule.</exception>
    public static SkymapEvent Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = false });
        }
        catch (JsonException e)
        {
            throw new EventFormatException($"not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            return Parse(doc.RootElement);
        }
    }

    /// <summary>Parses and validates an event held in a JSON element.</summary>
    /// <exception cref="EventFormatException">A rule is violated.</exception>
    public static SkymapEvent Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new EventFormatException("the document must be a JSON object");
        }

        var format = RequireString(root, "format");
        if (format != SkymapEvent.FormatName)
        {
            throw new EventFormatException($"field 'format' must be \"{SkymapEvent.FormatName}\", got \"{format}\"");
        }

        var runId = RequireInteger(root, "run_id");
        var eventId = RequireInteger(root, "event_id");
        if (runId < 0)
        {
            throw new EventFormatException($"field 'run_id' must be ≥ 0, got {runId}");
        }

        if (eventId < 0)
        {
            throw new EventFormatException($"field 'event_id' must be ≥ 0, got {eventId}");
        }

        var eventType = RequireString(root, "event_type");
        if (eventType.Length == 0)
        {
            throw new EventFormatException("field 'event_type' must not be empty");
        }

        var mjd = RequireFinite(root, "mjd");
        var isReal = root.TryGetProperty("is_real_event", out var realEl) ? RequireBool(realEl, "is_real_event") : false;
        if (isReal && (runId < 100_000 || runId >= 1_000_000))
        {
            throw new EventFormatException($"field 'run_id' must be in [100000, 1000000) for a real event (is_real_event = true), got {runId}");
        }

        var geometryName = root.TryGetProperty("geometry", out _) ? RequireString(root, "geometry") : DetectorGeometry.IC86Name;
        if (!DetectorGeometry.BuiltinNames.Contains(geometryName, StringComparer.Ordinal))
        {
            throw new EventFormatException($"field 'geometry': unknown geometry \"{geometryName}\" (known: {string.Join(", ", DetectorGeometry.BuiltinNames)})");
        }

        var geometry = DetectorGeometry.Get(geometryName);
        var pulses = ParsePulses(Require(root, "pulses"), geometry.Count);

        EventSeed? seed = null;
        if (root.TryGetProperty("seed", out var seedEl) && seedEl.ValueKind != JsonValueKind.Null)
        {
            RequireObject(seedEl, "seed");
            seed = new EventSeed(
                RequireFinite(seedEl, "x", "seed."), RequireFinite(seedEl, "y", "seed."),
                RequireFinite(seedEl, "z", "seed."), RequireFinite(seedEl, "time", "seed."));
        }

        EventTruth? truth = null;
        if (root.TryGetProperty("truth", out var tEl) && tEl.ValueKind != JsonValueKind.Null)
        {
            RequireObject(tEl, "truth");
            var kind = RequireString(tEl, "kind", "truth.");
            if (kind is not ("track" or "cascade"))
            {
                throw new EventFormatException($"field 'truth.kind' must be \"track\" or \"cascade\", got \"{kind}\"");
            }

            truth = new EventTruth(
                kind,
                RequireFinite(tEl, "zenith", "truth."), RequireFinite(tEl, "azimuth", "truth."),
                RequireFinite(tEl, "ra", "truth."), RequireFinite(tEl, "dec", "truth."),
                RequireFinite(tEl, "x", "truth."), RequireFinite(tEl, "y", "truth."), RequireFinite(tEl, "z", "truth."),
                RequireFinite(tEl, "time", "truth."), RequireFinite(tEl, "energy", "truth."))
            {
                Model = ParseTruthModel(tEl),
            };
        }

        return new SkymapEvent
        {
            Header = new EventHeader(runId, eventId, eventType, mjd, isReal),
            GeometryName = geometryName,
            Pulses = pulses,
            Seed = seed,
            Truth = truth,
        };
    }

    /// <summary>Serialises an event as a <c>skymap-event/1</c> document (indented UTF-8 JSON, round-trip doubles).</summary>
    public static string Serialize(SkymapEvent evt)
    {
        ArgumentNullException.ThrowIfNull(evt);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            Write(w, evt);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>Writes an event as a JSON object to a writer.</summary>
    public static void Write(Utf8JsonWriter w, SkymapEvent evt)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(evt);
        w.WriteStartObject();
        w.WriteString("format", SkymapEvent.FormatName);
        w.WriteNumber("run_id", evt.Header.RunId);
        w.WriteNumber("event_id", evt.Header.EventId);
        w.WriteString("event_type", evt.Header.EventType);
        WriteDouble(w, "mjd", evt.Header.Mjd);
        w.WriteBoolean("is_real_event", evt.Header.IsRealEvent);
        w.WriteString("geometry", evt.GeometryName);
        w.WriteStartObject("pulses");
        w.WriteStartArray("sensor_id");
        foreach (var s in evt.Pulses.SensorId)
        {
            w.WriteNumberValue(s);
        }

        w.WriteEndArray();
        WriteDoubles(w, "time", evt.Pulses.Time);
        WriteDoubles(w, "charge", evt.Pulses.Charge);
        w.WriteEndObject();
        if (evt.Seed is { } s0)
        {
            w.WriteStartObject("seed");
            WriteDouble(w, "x", s0.X);
            WriteDouble(w, "y", s0.Y);
            WriteDouble(w, "z", s0.Z);
            WriteDouble(w, "time", s0.Time);
            w.WriteEndObject();
        }

        if (evt.Truth is { } t)
        {
            w.WriteStartObject("truth");
            w.WriteString("kind", t.Kind);
            WriteDouble(w, "zenith", t.Zenith);
            WriteDouble(w, "azimuth", t.Azimuth);
            WriteDouble(w, "ra", t.Ra);
            WriteDouble(w, "dec", t.Dec);
            WriteDouble(w, "x", t.X);
            WriteDouble(w, "y", t.Y);
            WriteDouble(w, "z", t.Z);
            WriteDouble(w, "time", t.Time);
            WriteDouble(w, "energy", t.Energy);
            if (t.Model is { } model)
            {
                WriteTruthModel(w, model);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static void WriteTruthModel(Utf8JsonWriter w, TruthModel m)
    {
        w.WriteStartObject("model");
        w.WriteString("name", m.Name);
        WriteDouble(w, "scattering_scale", m.ScatteringScale);
        WriteDouble(w, "absorption_scale", m.AbsorptionScale);
        WriteDouble(w, "dom_efficiency", m.DomEfficiency);
        WriteDouble(w, "noise_scale", m.NoiseScale);
        WriteDouble(w, "time_jitter", m.TimeJitter);
        WriteDouble(w, "late_tail_fraction", m.LateTailFraction);
        WriteDouble(w, "late_tail_time", m.LateTailTime);
        w.WriteEndObject();
    }

    private static TruthModel? ParseTruthModel(JsonElement truth)
    {
        if (!truth.TryGetProperty("model", out var m) || m.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        RequireObject(m, "truth.model");
        const string p = "truth.model.";
        double Knob(string name, double nominal) => m.TryGetProperty(name, out _) ? RequireFinite(m, name, p) : nominal;
        var model = new TruthModel
        {
            Name = m.TryGetProperty("name", out _) ? RequireString(m, "name", p) : TruthModel.CustomName,
            ScatteringScale = Knob("scattering_scale", 1.0),
            AbsorptionScale = Knob("absorption_scale", 1.0),
            DomEfficiency = Knob("dom_efficiency", 1.0),
            NoiseScale = Knob("noise_scale", 1.0),
            TimeJitter = Knob("time_jitter", EventSimulator.PhotonJitter),
            LateTailFraction = Knob("late_tail_fraction", 0.0),
            LateTailTime = Knob("late_tail_time", 100.0),
        };
        return model.Validate() is { } error ? throw new EventFormatException($"field 'truth.model': {error}") : model;
    }

    private static void WriteDouble(Utf8JsonWriter w, string name, double value)
    {
        w.WritePropertyName(name);
        w.WriteRawValue(value.ToString("R", CultureInfo.InvariantCulture), skipInputValidation: true);
    }

    private static void WriteDoubles(Utf8JsonWriter w, string name, double[] values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteRawValue(v.ToString("R", CultureInfo.InvariantCulture), skipInputValidation: true);
        }

        w.WriteEndArray();
    }

    private static PulseSeries ParsePulses(JsonElement pulses, int sensorCount)
    {
        RequireObject(pulses, "pulses");
        var ids = RequireArray(pulses, "sensor_id", "pulses.");
        var times = RequireArray(pulses, "time", "pulses.");
        var charges = RequireArray(pulses, "charge", "pulses.");
        var n = ids.GetArrayLength();
        if (n == 0)
        {
            throw new EventFormatException("field 'pulses.sensor_id' must not be empty");
        }

        if (times.GetArrayLength() != n || charges.GetArrayLength() != n)
        {
            throw new EventFormatException(
                $"fields 'pulses.sensor_id', 'pulses.time' and 'pulses.charge' must be equally long (got {n}, {times.GetArrayLength()}, {charges.GetArrayLength()})");
        }

        var sid = new int[n];
        var t = new double[n];
        var q = new double[n];
        var i = 0;
        foreach (var e in ids.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Number || !e.TryGetInt32(out var v))
            {
                throw new EventFormatException($"field 'pulses.sensor_id[{i}]' must be an integer, got {Describe(e)}");
            }

            if (v < 0 || v >= sensorCount)
            {
                throw new EventFormatException($"field 'pulses.sensor_id[{i}]' must be in [0, {sensorCount - 1}], got {v}");
            }

            sid[i++] = v;
        }

        i = 0;
        foreach (var e in times.EnumerateArray())
        {
            t[i] = NumberAt(e, "pulses.time", i);
            i++;
        }

        i = 0;
        foreach (var e in charges.EnumerateArray())
        {
            var v = NumberAt(e, "pulses.charge", i);
            if (!(v > 0))
            {
                throw new EventFormatException($"field 'pulses.charge[{i}]' must be > 0, got {v.ToString("R", CultureInfo.InvariantCulture)}");
            }

            q[i++] = v;
        }

        return new PulseSeries(sid, t, q);
    }

    private static double NumberAt(JsonElement e, string field, int index)
    {
        if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out var v) || !double.IsFinite(v))
        {
            throw new EventFormatException($"field '{field}[{index}]' must be a finite number, got {Describe(e)}");
        }

        return v;
    }

    private static JsonElement Require(JsonElement obj, string name, string prefix = "")
    {
        if (!obj.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            throw new EventFormatException($"field '{prefix}{name}' is missing");
        }

        return el;
    }

    private static void RequireObject(JsonElement el, string name)
    {
        if (el.ValueKind != JsonValueKind.Object)
        {
            throw new EventFormatException($"field '{name}' must be an object, got {Describe(el)}");
        }
    }

    private static JsonElement RequireArray(JsonElement obj, string name, string prefix)
    {
        var el = Require(obj, name, prefix);
        if (el.ValueKind != JsonValueKind.Array)
        {
            throw new EventFormatException($"field '{prefix}{name}' must be an array, got {Describe(el)}");
        }

        return el;
    }

    private static string RequireString(JsonElement obj, string name, string prefix = "")
    {
        var el = Require(obj, name, prefix);
        return el.ValueKind == JsonValueKind.String
            ? el.GetString()!
            : throw new EventFormatException($"field '{prefix}{name}' must be a string, got {Describe(el)}");
    }

    private static bool RequireBool(JsonElement el, string name) => el.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new EventFormatException($"field '{name}' must be true or false, got {Describe(el)}"),
    };

    private static long RequireInteger(JsonElement obj, string name)
    {
        var el = Require(obj, name);
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetInt64(out var v))
        {
            throw new EventFormatException($"field '{name}' must be an integer, got {Describe(el)}");
        }

        return v;
    }

    private static double RequireFinite(JsonElement obj, string name, string prefix = "")
    {
        var el = Require(obj, name, prefix);
        if (el.ValueKind != JsonValueKind.Number || !el.TryGetDouble(out var v) || !double.IsFinite(v))
        {
            throw new EventFormatException($"field '{prefix}{name}' must be a finite number, got {Describe(el)}");
        }

        return v;
    }

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{e.GetString()}\"",
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };
}
