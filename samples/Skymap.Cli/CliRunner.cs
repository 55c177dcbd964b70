using Spectre.Console;

namespace Skymap.Cli;

/// <summary>Runs a command body and turns user errors into one clear line and a non-zero exit code.</summary>
internal static class CliRunner
{
    public static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (CliException e)
        {
            WriteError(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            WriteError("cancelled; the partial result written so far is kept");
            return 130;
        }
    }

    public static int Run(Func<int> body) => RunAsync(() => Task.FromResult(body())).GetAwaiter().GetResult();

    public static void WriteError(string message) =>
        Console.Error.WriteLine($"skymap: error: {message}");
}

/// <summary>Output directory checks done before a scan writes anything.</summary>
internal static class OutputDirectory
{
    /// <summary>Creates the directory if needed and proves it writable; returns the full path.</summary>
    public static string EnsureWritable(string path)
    {
        try
        {
            var full = Path.GetFullPath(path);
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".skymap-write-test-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
            return full;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliException($"--output-dir: cannot write to '{path}': {e.Message}");
        }
    }
}
