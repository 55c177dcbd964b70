namespace Skymap.Core.Tests.Events;

/// <summary>Locates the reference data the repository carries (<c>data/</c> at the repository root).</summary>
internal static class TestData
{
    private static readonly Lazy<string> Dir = new(FindSharedDataDir);

    /// <summary>The repository's <c>data</c> directory.</summary>
    public static string SharedDataDir => Dir.Value;

    /// <summary>A file of <c>data/</c>.</summary>
    public static string SharedFile(string name) => Path.Combine(SharedDataDir, name);

    /// <summary>The repository root (the directory holding <c>Directory.Build.props</c>).</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directory.Build.props")) && Directory.Exists(Path.Combine(dir.FullName, "src")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"no repository root above {AppContext.BaseDirectory}");
    }

    private static string FindSharedDataDir()
    {
        var candidate = Path.Combine(RepositoryRoot(), "data");
        if (File.Exists(Path.Combine(candidate, "oscnext_genie_5events_truth.csv")))
        {
            return candidate;
        }

        throw new DirectoryNotFoundException($"the repository's data folder is missing or incomplete: {candidate}");
    }
}
