namespace Skymap.Transport.Processes;

/// <summary>
/// How the multi-process transport starts one worker process: a program and its arguments. The dispatcher appends
/// <c>--startup-json PATH</c> (and <c>--concurrency N</c> when a worker takes more than one task at a time).
/// </summary>
/// <param name="FileName">The program, e.g. the <c>skymap</c> executable or <c>dotnet</c>.</param>
/// <param name="Arguments">Arguments before the appended ones, e.g. <c>worker --stdio</c>.</param>
public sealed record WorkerLaunch(string FileName, IReadOnlyList<string> Arguments)
{
    /// <summary>The arguments that select the stdio worker in the <c>skymap</c> CLI.</summary>
    public static IReadOnlyList<string> StdioWorkerArguments { get; } = ["worker", "--stdio"];

    /// <summary>Extra environment variables for the worker (null values remove a variable).</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>Working directory (null: the current one).</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>
    /// The current program as a stdio worker: <see cref="System.Environment.ProcessPath"/> plus <c>worker --stdio</c>; when
    /// the current process is the <c>dotnet</c> host (<c>dotnet skymap.dll</c>), the entry assembly is passed first.
    /// </summary>
    /// <exception cref="InvalidOperationException">The process path or entry assembly is unknown.</exception>
    public static WorkerLaunch CurrentProcess()
    {
        var path = System.Environment.ProcessPath ?? throw new InvalidOperationException("the current process path is unknown");
        if (string.Equals(Path.GetFileNameWithoutExtension(path), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Under the dotnet host the first command-line argument is the application's assembly (skymap.dll).
            var args = System.Environment.GetCommandLineArgs();
            var entry = args.Length > 0 && args[0].EndsWith(".dll", StringComparison.OrdinalIgnoreCase) ? Path.GetFullPath(args[0]) : null;
            if (string.IsNullOrEmpty(entry))
            {
                throw new InvalidOperationException("running under the dotnet host but the entry assembly is unknown; pass a WorkerLaunch");
            }

            return new WorkerLaunch(path, [entry, .. StdioWorkerArguments]);
        }

        return new WorkerLaunch(path, StdioWorkerArguments);
    }

    /// <summary>A framework-dependent assembly run by the <c>dotnet</c> host: <c>dotnet ASSEMBLY worker --stdio</c>.</summary>
    public static WorkerLaunch Dotnet(string assemblyPath)
    {
        ArgumentNullException.ThrowIfNull(assemblyPath);
        return new WorkerLaunch(DotnetHostPath(), [Path.GetFullPath(assemblyPath), .. StdioWorkerArguments]);
    }

    /// <inheritdoc />
    public override string ToString() => $"{FileName} {string.Join(' ', Arguments)}";

    private static string DotnetHostPath()
    {
        var current = System.Environment.ProcessPath;
        if (current is not null && string.Equals(Path.GetFileNameWithoutExtension(current), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            return current;
        }

        var root = System.Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(root))
        {
            var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return "dotnet";
    }
}
