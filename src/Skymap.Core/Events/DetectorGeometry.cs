using System.Collections.Concurrent;
using System.Globalization;
using Skymap.Core.Geometry;

namespace Skymap.Core.Events;

/// <summary>One in-ice digital optical module (DOM) of a detector.</summary>
/// <param name="SensorId">Sensor id, <c>(string − 1)·60 + (dom − 1)</c> for IC86.</param>
/// <param name="String">String number (1..86; 79–86 are DeepCore).</param>
/// <param name="DomNumber">DOM number on the string, counted from the top (1..60).</param>
/// <param name="Position">DOM centre in the IceCube frame [m].</param>
/// <param name="RelativeEfficiency">Relative DOM efficiency (1.0 standard, 1.35 high-QE; 1.0 when unknown).</param>
/// <param name="Active">False for DOMs that are probably dead; they are excluded from the likelihoods.</param>
internal sealed record Dom(int SensorId, int String, int DomNumber, Vector3D Position, double RelativeEfficiency, bool Active)
{
    /// <summary>True for the DeepCore strings 79–86.</summary>
    public bool IsDeepCore => String >= 79;
}

/// <summary>A detector geometry: the DOMs indexed by sensor id (PHYSICS.md §1.1).</summary>
internal sealed class DetectorGeometry
{
    private static readonly ConcurrentDictionary<string, DetectorGeometry> Cache = new(StringComparer.Ordinal);

    /// <summary>Name of the built-in IceCube IC86 geometry.</summary>
    public const string IC86Name = "ic86";

    private DetectorGeometry(string name, IReadOnlyList<Dom> doms)
    {
        Name = name;
        Doms = doms;
    }

    /// <summary>Geometry name as used in event files (<c>"ic86"</c>).</summary>
    public string Name { get; }

    /// <summary>All DOMs; index = sensor id.</summary>
    public IReadOnlyList<Dom> Doms { get; }

    /// <summary>Number of sensors (valid sensor ids are 0..Count−1).</summary>
    public int Count => Doms.Count;

    /// <summary>The built-in IceCube IC86 geometry (5160 in-ice DOMs).</summary>
    public static DetectorGeometry IC86 => Get(IC86Name);

    /// <summary>Names of the built-in geometries.</summary>
    public static IReadOnlyList<string> BuiltinNames { get; } = [IC86Name];

    /// <summary>Returns a built-in geometry by name.</summary>
    /// <exception cref="ArgumentException">No geometry has that name.</exception>
    public static DetectorGeometry Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!BuiltinNames.Contains(name, StringComparer.Ordinal))
        {
            throw new ArgumentException($"unknown geometry '{name}' (known: {string.Join(", ", BuiltinNames)})", nameof(name));
        }

        return Cache.GetOrAdd(name, static n => LoadEmbedded(n));
    }

    /// <summary>Parses a geometry table in the CSV layout of <c>icecube_geometry_ic86.csv</c>.</summary>
    /// <param name="name">Name to give the geometry.</param>
    /// <param name="reader">CSV text with header <c>sensor_id,string,dom,x,y,z,rde,active</c>.</param>
    public static DetectorGeometry ParseCsv(string name, TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine() ?? throw new FormatException("geometry CSV is empty");
        if (!header.StartsWith("sensor_id,string,dom,x,y,z", StringComparison.Ordinal))
        {
            throw new FormatException($"geometry CSV header not recognised: '{header}'");
        }

        var doms = new List<Dom>();
        var lineNo = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split(',');
            if (f.Length < 8)
            {
                throw new FormatException($"geometry CSV line {lineNo}: expected 8 fields, got {f.Length}");
            }

            var id = int.Parse(f[0], CultureInfo.InvariantCulture);
            if (id != doms.Count)
            {
                throw new FormatException($"geometry CSV line {lineNo}: sensor ids must be consecutive from 0 (got {id})");
            }

            doms.Add(new Dom(
                id,
                int.Parse(f[1], CultureInfo.InvariantCulture),
                int.Parse(f[2], CultureInfo.InvariantCulture),
                new Vector3D(
                    double.Parse(f[3], CultureInfo.InvariantCulture),
                    double.Parse(f[4], CultureInfo.InvariantCulture),
                    double.Parse(f[5], CultureInfo.InvariantCulture)),
                f[6].Length == 0 ? 1.0 : double.Parse(f[6], CultureInfo.InvariantCulture),
                f[7].Trim() == "1"));
        }

        return new DetectorGeometry(name, doms);
    }

    private static DetectorGeometry LoadEmbedded(string name)
    {
        var resource = $"Skymap.Core.Events.Resources.{name}.csv";
        using var stream = typeof(DetectorGeometry).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded geometry resource '{resource}' is missing");
        using var reader = new StreamReader(stream);
        return ParseCsv(name, reader);
    }
}
