using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skymap.Driver.Api;

/// <summary>
/// The arguments of one request (SERVICE.md §2): the query string first, then the JSON body. Typed getters validate
/// and name the argument in their errors; <see cref="RejectUnknown"/> turns every argument no getter asked for into a 400.
/// </summary>
internal sealed class ApiArgs
{
    private readonly Dictionary<string, JsonNode?> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _fromQuery = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private ApiArgs()
    {
    }

    public static async Task<ApiArgs> ReadAsync(HttpRequest request, CancellationToken ct)
    {
        var args = new ApiArgs();
        foreach (var (key, values) in request.Query)
        {
            args._fromQuery.Add(key);
            args._values[key] = values.Count == 1
                ? JsonValue.Create(values[0])
                : new JsonArray(values.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray());
        }

        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.ContainsKey("Transfer-Encoding")))
        {
            return args;
        }

        JsonNode? body;
        try
        {
            body = await JsonNode.ParseAsync(request.Body, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"request body is not valid JSON: {e.Message}");
        }

        if (body is null)
        {
            return args;
        }

        if (body is not JsonObject o)
        {
            throw ApiException.BadRequest("request body must be a JSON object");
        }

        foreach (var (key, value) in o)
        {
            args._values.TryAdd(key, value?.DeepClone());
        }

        return args;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>Marks an argument as known and returns its raw value (null when absent or JSON null).</summary>
    public JsonNode? Raw(string name)
    {
        _used.Add(name);
        return _values.GetValueOrDefault(name);
    }

    public bool IsNull(string name) => _values.TryGetValue(name, out var v) && v is null;

    public bool GetBool(string name, bool defaultValue)
    {
        var v = Raw(name);
        if (v is null)
        {
            return defaultValue;
        }

        if (v is JsonValue jv)
        {
            if (jv.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
            {
                return jv.GetValue<bool>();
            }

            if (jv.TryGetValue(out string? s))
            {
                if (string.Equals(s, "true", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                if (string.Equals(s, "false", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }
        }

        throw ApiException.BadRequest($"argument {name}: must be a bool (true/false), got {Show(v)}");
    }

    public long? GetInt(string name)
    {
        var v = Raw(name);
        if (v is null)
        {
            return null;
        }

        if (v is JsonValue jv)
        {
            if (jv.GetValueKind() == JsonValueKind.Number)
            {
                if (jv.TryGetValue(out long l))
                {
                    return l;
                }

                var d = jv.GetValue<double>();
                if (d == Math.Floor(d) && Math.Abs(d) < 9e15)
                {
                    return (long)d;
                }
            }
            else if (jv.TryGetValue(out string? s) && _fromQuery.Contains(name) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var q))
            {
                return q;
            }
        }

        throw ApiException.BadRequest($"argument {name}: must be an integer, got {Show(v)}");
    }

    public long GetInt(string name, long defaultValue, long min, long max)
    {
        var v = GetInt(name) ?? defaultValue;
        return v >= min && v <= max ? v : throw ApiException.BadRequest($"argument {name}: must be in [{min}, {max}], got {v}");
    }

    public double? GetDouble(string name)
    {
        var v = Raw(name);
        if (v is null)
        {
            return null;
        }

        if (v is JsonValue jv)
        {
            if (jv.GetValueKind() == JsonValueKind.Number)
            {
                return jv.GetValue<double>();
            }

            if (jv.TryGetValue(out string? s) && _fromQuery.Contains(name) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var q))
            {
                return q;
            }
        }

        throw ApiException.BadRequest($"argument {name}: must be a number, got {Show(v)}");
    }

    public string? GetString(string name)
    {
        var v = Raw(name);
        if (v is null)
        {
            return null;
        }

        return v is JsonValue jv && jv.TryGetValue(out string? s) ? s : throw ApiException.BadRequest($"argument {name}: must be a string, got {Show(v)}");
    }

    public string RequireString(string name) =>
        GetString(name) ?? throw ApiException.BadRequest($"argument {name}: missing required argument");

    public JsonObject? GetObject(string name, bool allowJsonString = false)
    {
        var v = Raw(name);
        switch (v)
        {
            case null:
                return null;
            case JsonObject o:
                return o;
            case JsonValue jv when allowJsonString && jv.TryGetValue(out string? s):
                try
                {
                    return JsonNode.Parse(s) as JsonObject ?? throw ApiException.BadRequest($"argument {name}: must be a JSON object");
                }
                catch (JsonException e)
                {
                    throw ApiException.BadRequest($"argument {name}: not a JSON object ({e.Message})");
                }

            default:
                throw ApiException.BadRequest($"argument {name}: must be a JSON object, got {Show(v)}");
        }
    }

    /// <summary>A projection: a list of top-level keys, a pipe-delimited string, or "*" (null: all).</summary>
    public IReadOnlyList<string>? GetProjection(string name)
    {
        var v = Raw(name);
        switch (v)
        {
            case null:
                return null;
            case JsonValue jv when jv.TryGetValue(out string? s):
                return s == "*" ? null : s.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            case JsonArray a:
                var keys = new List<string>();
                foreach (var item in a)
                {
                    if (item is not JsonValue iv || !iv.TryGetValue(out string? k))
                    {
                        throw ApiException.BadRequest($"argument {name}: must be a list of strings or \"*\"");
                    }

                    if (k == "*")
                    {
                        return null;
                    }

                    keys.Add(k);
                }

                return keys;
            default:
                throw ApiException.BadRequest($"argument {name}: must be a list of strings or \"*\", got {Show(v)}");
        }
    }

    /// <summary>Rejects every argument that no getter asked for, except the tolerated ones, which are returned.</summary>
    public IReadOnlyList<string> RejectUnknown(IReadOnlyCollection<string>? tolerated = null)
    {
        var ignored = new List<string>();
        foreach (var key in _values.Keys.Order(StringComparer.Ordinal))
        {
            if (_used.Contains(key))
            {
                continue;
            }

            if (tolerated is not null && tolerated.Contains(key))
            {
                ignored.Add(key);
                continue;
            }

            throw ApiException.BadRequest($"unknown argument: {key}");
        }

        return ignored;
    }

    private static string Show(JsonNode? v)
    {
        var s = v?.ToJsonString() ?? "null";
        return s.Length > 60 ? s[..60] + "..." : s;
    }
}
