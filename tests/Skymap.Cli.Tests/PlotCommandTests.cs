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
        var method = type.GetMethod("Run", BindingFlags.Static | BindingFlags.NonPublic, [typeof(string), typeof(string), typeof(bool), typeof(TextWriter)])!;
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
        foreach (var ext in new[] { ".png", ".svg", ".pdf", ".plot_zoomed_wilks.png", ".plot_zoomed_wilks.svg", ".plot_zoomed_wilks.pdf",
                     ".skymap_nside_512_llh.multiorder.fits.gz", ".skymap_nside_512_probability.fits.gz", ".contour_50.txt", ".contour_90.txt" })
        {
            Assert.True(File.Exists(stem + ext), stem + ext);
        }
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
        Assert.Equal(12, Directory.GetFiles(outDir).Length);
        Assert.True(File.Exists(Path.Combine(outDir, "run00136766.evt000007637140.GOLD_8_64_512.plot_zoomed.png")));
    }

    [Fact]
    public void Plot_reads_the_upstream_reference_csv()
    {
        var csv = Path.Combine(SharedData(), "skymap_reference_BRONZE_run136662_evt35405932.csv");
        using var stdout = new StringWriter();
        Assert.Equal(0, Run(csv, _dir, systematics: false, stdout));
        output.WriteLine(stdout.ToString());
        Assert.Contains("Event     run00136662.evt000035405932.BRONZE (nsides 8, 64, 512; 3143 pixels)", stdout.ToString(), StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(_dir, "run00136662.evt000035405932.BRONZE_8_64_512.plot_zoomed_wilks.png")));
    }

    [Fact]
    public void Plot_rejects_a_bad_circle_and_a_bad_csv_line()
    {
        var e = Assert.ThrowsAny<Exception>(() => Cli("plot", "x.json", "--circle", "10,100,1"));
        var bad = Path.Combine(_dir, "bad_GOLD_run1_evt2.csv");
        File.WriteAllLines(bad, ["nside,pixel_ring,llh,E_in,E_tot", "8,0,1.0,2.0,3.0", "8,1,oops,2,3"]);
        using var stdout = new StringWriter();
        var e2 = Assert.ThrowsAny<Exception>(() => Run(bad, _dir, false, stdout));
        Assert.Equal("CliException", e2.GetType().Name);
        Assert.Contains("line 3", e2.Message, StringComparison.Ordinal);
        Assert.Contains("--circle '10,100,1'", e.Message, StringComparison.Ordinal);
    }

    // Runs the handler with parsed arguments (as the command line would build them).
    private static int Cli(string command, string result, string option, string value)
    {
        _ = command;
        var args = Assembly.Load("skymap").GetType("Skymap.Cli.Commands.PlotArguments", throwOnError: true)!;
        var instance = Activator.CreateInstance(args)!;
        args.GetProperty("Result")!.SetValue(instance, result);
        if (option == "--circle")
        {
            args.GetProperty("Circles")!.SetValue(instance, new[] { value });
        }

        var type = Assembly.Load("skymap").GetType("Skymap.Cli.Commands.PlotCommandHandler", throwOnError: true)!;
        var method = type.GetMethod("Run", BindingFlags.Static | BindingFlags.NonPublic, [args, typeof(TextWriter)])!;
        try
        {
            return (int)method.Invoke(null, [instance, TextWriter.Null])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }

    [Fact]
    public void Plot_of_a_missing_file_is_a_cli_error()
    {
        using var stdout = new StringWriter();
        var e = Assert.ThrowsAny<Exception>(() => Run(Path.Combine(_dir, "nope.json"), null, false, stdout));
        Assert.Equal("CliException", e.GetType().Name);
    }
}
