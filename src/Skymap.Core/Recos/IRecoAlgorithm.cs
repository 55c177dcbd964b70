using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;

namespace Skymap.Core.Recos;

/// <summary>How a reconstruction's vertex variations are seeded (SCANNER.md §6).</summary>
[Flags]
public enum RecoFlags
{
    /// <summary>No flag.</summary>
    None = 0,

    /// <summary>Rotate the canonical offsets into the track frame for each pixel.</summary>
    RotateVertex = 1,

    /// <summary>Refine the seed time with <c>refine_vertex_time</c>.</summary>
    RefineTime = 2,

    /// <summary>Add a second seed at the fallback position when it differs from the inherited one.</summary>
    AddFallbackPosition = 4,
}

/// <summary>A seed for one fit: vertex, time, energy (NaN = unknown).</summary>
/// <param name="Position">Vertex [m].</param>
/// <param name="Time">Time [ns].</param>
/// <param name="Energy">Energy [GeV], NaN when unknown.</param>
public readonly record struct RecoSeed(Vector3D Position, double Time, double Energy);

/// <summary>The direction of a pixel in local detector coordinates, fixed during the fit.</summary>
/// <param name="Zenith">Zenith the particle comes from [rad].</param>
/// <param name="Azimuth">Azimuth the particle comes from [rad].</param>
public readonly record struct LocalDirection(double Zenith, double Azimuth)
{
    /// <summary>Direction of travel d = (−sinθ cosφ, −sinθ sinφ, −cosθ) (PHYSICS.md §2).</summary>
    public Vector3D Travel
    {
        get
        {
            var st = Math.Sin(Zenith);
            return new Vector3D(-st * Math.Cos(Azimuth), -st * Math.Sin(Azimuth), -Math.Cos(Zenith));
        }
    }
}

/// <summary>The outcome of one fit.</summary>
/// <param name="Llh">Minimised −ln L.</param>
/// <param name="RecoLossesInside">E_in [GeV] (NaN when the reco has none).</param>
/// <param name="RecoLossesTotal">E_tot [GeV] (NaN when the reco has none).</param>
/// <param name="Position">Reported vertex [m].</param>
/// <param name="Time">Reported vertex time [ns].</param>
/// <param name="Energy">Energy [GeV] (NaN when the reco has none).</param>
public readonly record struct RecoFitResult(
    double Llh, double RecoLossesInside, double RecoLossesTotal, Vector3D Position, double Time, double Energy);

/// <summary>Everything a reconstruction sees of the scan it runs in.</summary>
public sealed record RecoContext
{
    /// <summary>The scan seed (<c>--seed</c>), for recos that draw random numbers deterministically.</summary>
    public ulong ScanSeed { get; init; }

    /// <summary>Reco-specific settings as key/value strings (CLI <c>--reco-setting key=value</c>; <c>reco_settings</c> in startup.json).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Returns a setting parsed as a double, or the default.</summary>
    /// <exception cref="FormatException">The value is not a number.</exception>
    public double GetDouble(string key, double defaultValue)
    {
        if (!Settings.TryGetValue(key, out var s))
        {
            return defaultValue;
        }

        return double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new FormatException($"reco setting '{key}' must be a number, got '{s}'");
    }

    /// <summary>Returns a setting as a string, or the default.</summary>
    public string GetString(string key, string defaultValue) => Settings.TryGetValue(key, out var s) ? s : defaultValue;
}

/// <summary>
/// A reconstruction that can be run per pixel variation (upstream <c>RecoInterface</c>). Implementations are
/// discovered by reflection (<see cref="RecoAlgorithmAttribute"/>) or registered explicitly, and selected by name.
/// </summary>
public interface IRecoAlgorithm
{
    /// <summary>The registered name, e.g. <c>pandel_mpe</c>.</summary>
    string Name { get; }

    /// <summary>Canonical vertex offsets (SCANNER.md §6.1); the count is the number of variations M.</summary>
    IReadOnlyList<Vector3D> VertexVariations { get; }

    /// <summary>Seeding flags of the default seeding strategy (SCANNER.md §6).</summary>
    RecoFlags Flags { get; }

    /// <summary>
    /// The seeding rule of this reco's variations (SCANNER.md §6), used by the refiner: the default is
    /// <see cref="SeedingStrategy.FromFlags"/> of <see cref="Flags"/> (offset, optionally rotated into the track frame,
    /// optional time refinement and fallback-position seed). A reco with another rule returns its own strategy.
    /// </summary>
    ISeedingStrategy Seeding => SeedingStrategy.FromFlags(Flags);

    /// <summary>Validates the settings of a scan before it starts (unknown keys, bad values).</summary>
    /// <exception cref="ArgumentException">A setting is invalid; the message names it.</exception>
    void ValidateSettings(RecoContext context);

    /// <summary>Prepares an event once, on the scan server (cleaning, seed vertex/time).</summary>
    PreparedEvent Prepare(SkymapEvent evt, RecoContext context);

    /// <summary>Creates the per-worker state for a scan (once per scan and worker).</summary>
    IRecoWorker CreateWorker(PreparedEvent prepared, RecoContext context);
}

/// <summary>The per-worker side of a reconstruction: fits pixel variations, one at a time per instance.</summary>
public interface IRecoWorker
{
    /// <summary>Fits one pixel variation with its direction fixed.</summary>
    /// <param name="request">The pixel variation (upstream <c>SentPixelVariation</c>): identity, direction and seeds.</param>
    /// <param name="cancellationToken">Cancels the fit (task timeout or scan cancellation).</param>
    /// <returns>The fit result; a thrown exception marks the attempt as failed.</returns>
    RecoFitResult Fit(PixelVariation request, CancellationToken cancellationToken);
}

/// <summary>Marks a class as a reconstruction discoverable by reflection under the given name.</summary>
/// <param name="name">The registered name.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class RecoAlgorithmAttribute(string name) : Attribute
{
    /// <summary>The registered name.</summary>
    public string Name { get; } = name;
}

/// <summary>Standard vertex-variation generators (SCANNER.md §6.1).</summary>
public static class VertexVariationSets
{
    /// <summary>Only the origin (1).</summary>
    public static IReadOnlyList<Vector3D> Point { get; } = [Vector3D.Zero];

    /// <summary>Origin and ±r along x, y, z (7).</summary>
    public static IReadOnlyList<Vector3D> Octahedron(double r) =>
        [Vector3D.Zero, new(-r, 0, 0), new(r, 0, 0), new(0, -r, 0), new(0, r, 0), new(0, 0, -r), new(0, 0, r)];

    /// <summary>Upstream "cylinder": origin; z = −40 at 0°, 120°, 240°; z = +40 at 60°, 180°, 300°; radius 150 m (7).</summary>
    public static IReadOnlyList<Vector3D> Cylinder { get; } = BuildCylinder();

    /// <summary>Upstream "mini_test": origin and (−d, 0, 0) (2).</summary>
    public static IReadOnlyList<Vector3D> MiniTest(double d) => [Vector3D.Zero, new(-d, 0, 0)];

    private static Vector3D[] BuildCylinder()
    {
        var list = new List<Vector3D> { Vector3D.Zero };
        foreach (var (z, deg) in new[] { (-40.0, 0.0), (-40.0, 120.0), (-40.0, 240.0), (40.0, 60.0), (40.0, 180.0), (40.0, 300.0) })
        {
            var a = deg * Math.PI / 180.0;
            list.Add(new Vector3D(150.0 * Math.Cos(a), 150.0 * Math.Sin(a), z));
        }

        return list.ToArray();
    }
}
