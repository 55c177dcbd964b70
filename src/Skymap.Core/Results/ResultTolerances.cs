using System.Collections.Frozen;

namespace Skymap.Core.Results;

/// <summary>Relative tolerances per field for <see cref="SkyScanResult.IsClose"/> (FORMATS.md §5).</summary>
internal static class ResultTolerances
{
    /// <summary>Absolute tolerance added to every relative one (numpy's <c>isclose</c> default).</summary>
    public const double Atol = 1e-8;

    /// <summary>skyreader's defaults: llh 1e-4; E_in, E_tot 1e-2; X, Y, Z, T 1e-3.</summary>
    public static IReadOnlyDictionary<string, double> Skyreader { get; } = new Dictionary<string, double>
    {
        [ResultColumns.Llh] = 1e-4,
        [ResultColumns.EIn] = 1e-2,
        [ResultColumns.ETot] = 1e-2,
        [ResultColumns.X] = 1e-3,
        [ResultColumns.Y] = 1e-3,
        [ResultColumns.Z] = 1e-3,
        [ResultColumns.T] = 1e-3,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The scanner's test tolerances: 0.1 for every field but T (0.01).</summary>
    public static IReadOnlyDictionary<string, double> Scanner { get; } = new Dictionary<string, double>
    {
        [ResultColumns.Llh] = 0.1,
        [ResultColumns.EIn] = 0.1,
        [ResultColumns.ETot] = 0.1,
        [ResultColumns.X] = 0.1,
        [ResultColumns.Y] = 0.1,
        [ResultColumns.Z] = 0.1,
        [ResultColumns.T] = 0.01,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Fields for which a 0.0 on either side makes a pair close (skyreader's zero rule).</summary>
    public static IReadOnlyList<string> ZeroMakesClose { get; } = [ResultColumns.EIn, ResultColumns.ETot];
}
