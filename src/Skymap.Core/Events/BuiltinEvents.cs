namespace Skymap.Core.Events;

/// <summary>Events shipped inside the library, addressed as <c>builtin:NAME</c>.</summary>
public static class BuiltinEvents
{
    /// <summary>Prefix selecting a built-in event in an event specification.</summary>
    public const string Prefix = "builtin:";

    private const string ResourcePrefix = "Skymap.Core.Events.Resources.event-";

    /// <summary>Names of the built-in events.</summary>
    public static IReadOnlyList<string> Names { get; } = typeof(BuiltinEvents).Assembly.GetManifestResourceNames()
        .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".json", StringComparison.Ordinal))
        .Select(n => n[ResourcePrefix.Length..^".json".Length])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>Loads a built-in event by name.</summary>
    /// <exception cref="EventFormatException">No built-in event has that name.</exception>
    public static SkymapEvent Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        using var stream = typeof(BuiltinEvents).Assembly.GetManifestResourceStream($"{ResourcePrefix}{name}.json")
            ?? throw new EventFormatException($"unknown built-in event '{name}' (known: {string.Join(", ", Names)})");
        using var reader = new StreamReader(stream);
        return SkymapEventSerializer.Parse(reader.ReadToEnd());
    }

    /// <summary>Loads an event from a specification: <c>builtin:NAME</c> or a path to a <c>skymap-event/1</c> file.</summary>
    /// <exception cref="EventFormatException">Unknown built-in, unreadable or invalid file.</exception>
    public static SkymapEvent Load(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.StartsWith(Prefix, StringComparison.Ordinal) ? Get(spec[Prefix.Length..]) : SkymapEventSerializer.ReadFile(spec);
    }
}
