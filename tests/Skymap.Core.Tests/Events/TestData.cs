namespace Skymap.Core.Tests.Events;

/// <summary>Locates the shared reference data (<c>shared/data</c>, a sibling of the repository root).</summary>
internal static class TestData
{
    private static readonly Lazy<string> Dir = new(FindSharedDataDir);

    /// <summary>The <c>shared/data</c> directory; walks up from the test assembly directory.</summary>
    public static string SharedDataDir => Dir.Value;

    /// <summary>A file of <c>shared/data</c>.</summary>
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
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(candidate, "oscnext_genie_5events_truth.csv")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"shared/data not found above {AppContext.BaseDirectory}; the repository must sit beside the 'shared' folder");
    }
}
