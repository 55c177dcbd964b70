using System.Diagnostics;

namespace Skymap.Cli.Tests;

/// <summary>Runs the real <c>skymap</c> executable (the built skymap.dll) as a child process.</summary>
internal static class CliProcess
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string SkymapDll => Path.Combine(AppContext.BaseDirectory, "skymap.dll");

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args) => RunIn(null, args);

    public static (int ExitCode, string Stdout, string Stderr) RunIn(IDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(SkymapDll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"skymap {string.Join(' ', args)} did not finish in 5 minutes");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    public static string TempDir()
    {
        var d = Path.Combine(Path.GetTempPath(), "skymap-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(d);
        return d;
    }

    private static string FindRepoRoot()
    {
        var d = new DirectoryInfo(AppContext.BaseDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Skymap.Core.sln")))
        {
            d = d.Parent;
        }

        return d?.FullName ?? throw new InvalidOperationException("repository root (Skymap.Core.sln) not found above the test directory");
    }
}
