using System.Diagnostics;

namespace Skymap.Cli.Tests;

/// <summary>
/// The three libraries are packed with <c>dotnet pack</c> into a temporary local feed and the InProcessScan sample is
/// built against them as NuGet package references and run: the packages work as packages.
/// </summary>
public class PackagingTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    [Fact]
    public void Packed_packages_restore_build_and_run_a_sample_scan()
    {
        var root = CliProcess.RepoRoot;
        var feed = CliProcess.TempDir();
        var output = CliProcess.TempDir();
        var version = $"0.1.0-test{DateTime.UtcNow:yyyyMMddHHmmssfff}";
        foreach (var project in new[] { "src/Skymap.Core", "src/Skymap.Recos", "src/Skymap.Transport", "src/Skymap.Plotting" })
        {
            Run(root, "pack", project, "-c", Configuration, "--no-build", "-o", feed, $"-p:SkymapPackageVersion={version}");
        }

        var packages = Directory.GetFiles(feed, "*.nupkg").Select(Path.GetFileName).Order().ToArray();
        Assert.Equal(new[] { $"Skymap.Core.{version}.nupkg", $"Skymap.Plotting.{version}.nupkg", $"Skymap.Recos.{version}.nupkg", $"Skymap.Transport.{version}.nupkg" }, packages);

        Run(root, "build", "samples/InProcessScan", "-c", Configuration, "-o", output,
            $"-p:SkymapPackageVersion={version}", $"-p:RestoreAdditionalProjectSources={feed}");
        var assets = File.ReadAllText(Path.Combine(root, "samples/InProcessScan/obj/project.assets.json"));
        Assert.Contains($"\"Skymap.Core/{version}\"", assets, StringComparison.Ordinal);
        Assert.Contains("\"type\": \"package\"", assets, StringComparison.Ordinal);

        var (code, stdout) = Run(output, "InProcessScan.dll");
        Assert.Equal(0, code);
        Assert.Contains("Completed", stdout, StringComparison.Ordinal);
    }

    private static (int Code, string Stdout) Run(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        Assert.True(p.WaitForExit(TimeSpan.FromMinutes(8)), $"dotnet {string.Join(' ', args)} timed out");
        Assert.True(p.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed:\n{stdout.Result}\n{stderr.Result}");
        return (p.ExitCode, stdout.Result);
    }
}
