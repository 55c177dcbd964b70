using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Skymap.Driver.Api;

namespace Skymap.Driver.Storage;

/// <summary>
/// The safe find-filter language of SERVICE.md §6: a flat object of ANDed terms, each turned into SQL with its values
/// bound as parameters (classifier keys are validated before they become a JSON path). Anything else is a 400.
/// </summary>
internal static partial class FindFilter
{
    public const int MaxTerms = 16;
    public const int MaxInValues = 1000;

    public static (string Where, List<(string Name, object? Value)> Parameters) Build(JsonObject filter, bool includeDeleted, bool postgres)
    {
        if (filter.Count > MaxTerms)
        {
            throw ApiException.BadRequest($"filter has {filter.Count} terms; at most {MaxTerms} are allowed");
        }

        var terms = new List<string>();
        var ps = new List<(string, object?)>();
        var deletedGiven = false;
        string P(object? value)
        {
            var name = "f" + ps.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            ps.Add((name, value));
            return "@" + name;
        }

        foreach (var (rawKey, value) in filter)
        {
            var key = rawKey;
            if (key.StartsWith('$'))
            {
                throw ApiException.BadRequest($"unsupported filter key: {key}");
            }

            switch (key)
            {
                case "run_id" or "event_metadata.run_id":
                    terms.Add("m.run_id = " + P(Int(key, value)));
                    break;
                case "event_id" or "event_metadata.event_id":
                    terms.Add("m.event_id = " + P(Int(key, value)));
                    break;
                case "event_type" or "event_metadata.event_type":
                    terms.Add("m.event_type = " + P(Str(key, value)));
                    break;
                case "is_real_event" or "event_metadata.is_real_event":
                    terms.Add("m.is_real_event = " + P(Bool(key, value) ? 1 : 0));
                    break;
                case "is_final":
                    terms.Add(Bool(key, value) ? "COALESCE(r.is_final, 0) = 1" : "COALESCE(r.is_final, 0) = 0");
                    break;
                case "is_deleted":
                    deletedGiven = true;
                    terms.Add("m.is_deleted = " + P(Bool(key, value) ? 1 : 0));
                    break;
                case "scan_id":
                    if (value is JsonObject inObj)
                    {
                        if (inObj.Count != 1 || inObj["$in"] is not JsonArray list)
                        {
                            throw ApiException.BadRequest(inObj.Count == 1 ? $"unsupported operator: {inObj.First().Key}" : "scan_id: use a string or {\"$in\": [...]}");
                        }

                        if (list.Count == 0 || list.Count > MaxInValues)
                        {
                            throw ApiException.BadRequest($"scan_id: $in takes 1 to {MaxInValues} ids, got {list.Count}");
                        }

                        terms.Add("m.scan_id IN (" + string.Join(", ", list.Select(v => P(Str("scan_id", v)))) + ")");
                    }
                    else
                    {
                        terms.Add("m.scan_id = " + P(Str(key, value)));
                    }

                    break;
                case "timestamp" or "last_updated":
                    terms.Add(Range(key, value, P));
                    break;
                default:
                    if (key.StartsWith("classifiers.", StringComparison.Ordinal))
                    {
                        var ck = key["classifiers.".Length..];
                        if (!ClassifierKey().IsMatch(ck))
                        {
                            throw ApiException.BadRequest($"unsupported filter key: {key}");
                        }

                        terms.Add(Classifier(ck, key, value, postgres, P));
                        break;
                    }

                    throw ApiException.BadRequest($"unsupported filter key: {key}");
            }
        }

        if (!deletedGiven && !includeDeleted)
        {
            terms.Add("m.is_deleted = 0");
        }

        return (terms.Count == 0 ? "1 = 1" : string.Join(" AND ", terms), ps);
    }

    private static string Classifier(string ck, string key, JsonNode? value, bool postgres, Func<object?, string> p)
    {
        if (value is JsonObject or JsonArray)
        {
            throw ApiException.BadRequest($"{key}: must be a scalar (string, number, bool or null)");
        }

        if (postgres)
        {
            return $"(m.classifiers -> '{ck}') = CAST({p(value?.ToJsonString() ?? "null")} AS jsonb)";
        }

        var path = $"'$.\"{ck}\"'";
        var type = $"json_type(m.classifiers, {path})";
        if (value is null)
        {
            return $"{type} = 'null'";
        }

        var v = (JsonValue)value;
        return v.GetValueKind() switch
        {
            JsonValueKind.True => $"{type} = 'true'",
            JsonValueKind.False => $"{type} = 'false'",
            JsonValueKind.Number => $"({type} IN ('integer', 'real') AND json_extract(m.classifiers, {path}) = {p(v.GetValue<double>())})",
            _ => $"({type} = 'text' AND json_extract(m.classifiers, {path}) = {p(v.GetValue<string>())})",
        };
    }

    private static string Range(string key, JsonNode? value, Func<object?, string> p)
    {
        if (value is not JsonObject o || o.Count is < 1 or > 2)
        {
            throw ApiException.BadRequest($"{key}: must be a range object with 1 or 2 of $gte, $gt, $lte, $lt");
        }

        var parts = new List<string>();
        foreach (var (op, bound) in o)
        {
            var sql = op switch
            {
                "$gte" => ">=",
                "$gt" => ">",
                "$lte" => "<=",
                "$lt" => "<",
                _ => throw ApiException.BadRequest($"unsupported operator: {op}"),
            };
            if (bound is not JsonValue bv || bv.GetValueKind() != JsonValueKind.Number)
            {
                throw ApiException.BadRequest($"{key}.{op}: must be a number (epoch seconds)");
            }

            parts.Add($"m.{key} {sql} {p(bv.GetValue<double>())}");
        }

        return "(" + string.Join(" AND ", parts) + ")";
    }

    private static long Int(string key, JsonNode? v)
    {
        if (v is JsonValue jv && jv.GetValueKind() == JsonValueKind.Number)
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

        throw ApiException.BadRequest(v is JsonObject o && o.Count > 0 ? $"unsupported operator: {o.First().Key}" : $"{key}: must be an integer");
    }

    private static string Str(string key, JsonNode? v) =>
        v is JsonValue jv && jv.TryGetValue(out string? s) ? s
            : throw ApiException.BadRequest(v is JsonObject o && o.Count > 0 ? $"unsupported operator: {o.First().Key}" : $"{key}: must be a string");

    private static bool Bool(string key, JsonNode? v) =>
        v is JsonValue jv && jv.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? jv.GetValue<bool>()
            : throw ApiException.BadRequest(v is JsonObject o && o.Count > 0 ? $"unsupported operator: {o.First().Key}" : $"{key}: must be a bool");

    [GeneratedRegex("^[A-Za-z0-9_-]{1,25}$")]
    private static partial Regex ClassifierKey();
}
