using System.Globalization;
using System.Reflection;
using Skymap.Core.Results;

namespace Skymap.Cli.Tests;

public sealed class PlotCommandTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-plotcmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // The handler is internal to the sample: call it through reflection.
    private static int Run(string resultPath, string? outDir, bool systematics, TextWriter stdout)
    {
        var type = Assembly.Load("skymap").GetType("Skymap.Cli.Commands.PlotCommandHandler", throwOnError: true)!;
        var method = type.GetMethod("Run", BindingFlags.Static | BindingFlags.NonPublic)!;
        try
        {
            return (int)method.Invoke(null, [resultPath, outDir, systematics, stdout])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    private static string SharedData()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "data");
            if (File.Exists(Path.Combine(dir.FullName, "Skymap.Core.sln")) && Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("the repository's data folder, above " + AppContext.BaseDirectory);
    }

    private static SkyScanResult Gold()
    {
        var rows = File.ReadLines(Path.Combine(SharedData(), "skymap_reference_GOLD_run136766_evt7637140.csv")).Skip(1)
            .Select(l => l.Split(','))
            .GroupBy(f => long.Parse(f[0], CultureInfo.InvariantCulture));
        return SkyScanResult.Create(136766, 7637140, "GOLD", 59726.88, true,
            rows.Select(g => (g.Key, g.Select(f => ResultRow.V0(
                long.Parse(f[1], CultureInfo.InvariantCulture), double.Parse(f[2], CultureInfo.InvariantCulture),
                double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture))))),
            complete: true);
    }

    [Fact]
    public void Plot_writes_products_next_to_the_result_and_prints_the_summary()
    {
        var files = ResultFiles.Write(Gold(), _dir);
        using var stdout = new StringWriter();
        Assert.Equal(0, Run(files.Npz, null, systematics: false, stdout));
        var text = stdout.ToString();
        output.WriteLine(text);
        Assert.Contains("Best fit  RA 224.12 deg, Dec -41.31 deg (nside 512", text, StringComparison.Ordinal);
        Assert.Contains("50%", text, StringComparison.Ordinal);
        Assert.Contains("3sigma", text, StringComparison.Ordinal);
        var stem = Path.Combine(_dir, "run00136766.evt000007637140.GOLD_8_64_512");
        Assert.True(File.Exists(stem + ".skymap_nside_512_llh.fits.gz"));
        Assert.True(File.Exists(stem + ".skymap.svg"));
        Assert.True(File.Exists(stem + ".skymap.png"));
    }

    [Fact]
    public void Plot_with_systematics_into_another_directory()
    {
        var files = ResultFiles.Write(Gold(), _dir);
        var outDir = Path.Combine(_dir, "out");
        using var stdout = new StringWriter();
        Assert.Equal(0, Run(files.Json, outDir, systematics: true, stdout));
        Assert.Contains("IC160427A", stdout.ToString(), StringComparison.Ordinal);
        Assert.Contains("22.2000", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal(3, Directory.GetFiles(outDir).Length);
    }

    [Fact]
    public void Plot_of_a_missing_file_is_a_cli_error()
    {
        using var stdout = new StringWriter();
        var e = Assert.ThrowsAny<Exception>(() => Run(Path.Combine(_dir, "nope.json"), null, false, stdout));
        Assert.Equal("CliException", e.GetType().Name);
    }
}
