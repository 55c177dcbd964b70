namespace Skymap.Core.Results;

/// <summary>The column (field) names of a result block, per result version (FORMATS.md §1).</summary>
internal static class ResultColumns
{
    /// <summary>Pixel index column: HEALPix RING pixel id (int64).</summary>
    public const string Index = "index";

    /// <summary>−ln L column (lower is better).</summary>
    public const string Llh = "llh";

    /// <summary>Reco losses inside the detector (GeV).</summary>
    public const string EIn = "E_in";

    /// <summary>Total reco losses (GeV).</summary>
    public const string ETot = "E_tot";

    /// <summary>Reco vertex x (m).</summary>
    public const string X = "X";

    /// <summary>Reco vertex y (m).</summary>
    public const string Y = "Y";

    /// <summary>Reco vertex z (m).</summary>
    public const string Z = "Z";

    /// <summary>Reco vertex time (ns).</summary>
    public const string T = "T";

    /// <summary>The latest result version, the one Skymap writes.</summary>
    public const int LatestVersion = 1;

    /// <summary>Version 0 (legacy) columns: index, llh, E_in, E_tot.</summary>
    public static IReadOnlyList<string> V0 { get; } = [Index, Llh, EIn, ETot];

    /// <summary>Version 1 columns: the version-0 columns plus X, Y, Z, T.</summary>
    public static IReadOnlyList<string> V1 { get; } = [Index, Llh, EIn, ETot, X, Y, Z, T];

    /// <summary>Columns of a result version.</summary>
    /// <param name="version">0 or 1.</param>
    /// <returns>The ordered column names.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The version is neither 0 nor 1.</exception>
    public static IReadOnlyList<string> ForVersion(int version) => version switch
    {
        0 => V0,
        1 => V1,
        _ => throw new ArgumentOutOfRangeException(nameof(version), version, "Result version must be 0 or 1."),
    };

    /// <summary>Whether a version is one this library knows (0 or 1).</summary>
    /// <param name="version">The version number.</param>
    /// <returns><see langword="true"/> for 0 and 1.</returns>
    public static bool IsKnownVersion(long version) => version is 0 or 1;

    /// <summary>Position of a column name in the version-1 column order, or −1.</summary>
    internal static int FieldOrdinal(string name) => name switch
    {
        Index => 0,
        Llh => 1,
        EIn => 2,
        ETot => 3,
        X => 4,
        Y => 5,
        Z => 6,
        T => 7,
        _ => -1,
    };
}
