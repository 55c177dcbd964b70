using System.CommandLine;
using Skymap.Core.Results;

namespace Skymap.Cli.Commands;

/// <summary><c>skymap compare A B</c>: upstream <c>is_close</c> between two results; exit 0 when close, 1 when not.</summary>
internal static class CompareCommand
{
    public static Command Create()
    {
        var a = new Argument<string>("actual") { Description = "Result file (.json or .npz)" };
        var b = new Argument<string>("expected") { Description = "Result file to compare against (rtol is relative to this one)" };
        var tol = new Option<string>("--tolerances") { Description = "skyreader | scanner", DefaultValueFactory = _ => "skyreader" };
        var diff = new Option<string?>("--diff-out") { Description = "Write a *.diff.json dump of every row compared" };
        var cmd = new Command("compare", "Compare two skymap results with skyreader's is_close; exit 0 when close, 1 when not.") { a, b, tol, diff };
        cmd.SetAction(pr => CliRunner.Run(() => Run(pr.GetValue(a)!, pr.GetValue(b)!, pr.GetValue(tol)!, pr.GetValue(diff), Console.Out)));
        return cmd;
    }

    internal static int Run(string actualPath, string expectedPath, string tolerances, string? diffOut, TextWriter stdout)
    {
        var rtol = tolerances switch
        {
            "skyreader" => ResultTolerances.Skyreader,
            "scanner" => ResultTolerances.Scanner,
            _ => throw new CliException($"--tolerances: unknown set '{tolerances}' (known: skyreader, scanner)"),
        };
        var actual = Load(actualPath);
        var expected = Load(expectedPath);
        var comparison = actual.Compare(expected, equalNan: true, rtolPerField: rtol);
        var equal = actual.ResultEquals(expected);
        stdout.WriteLine(comparison.Summary());
        if (diffOut is not null)
        {
            comparison.WriteDiffJson(diffOut);
            stdout.WriteLine($"diff written to {diffOut}");
        }

        var close = equal || comparison.IsClose;
        stdout.WriteLine(close ? (equal ? "EQUAL" : "CLOSE") : "NOT CLOSE");
        return close ? 0 : 1;
    }

    private static SkyScanResult Load(string path)
    {
        try
        {
            return ResultFiles.Read(path);
        }
        catch (SkyScanResultFormatException e)
        {
            throw new CliException($"{path}: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            throw new CliException($"cannot read '{path}': {e.Message}");
        }
    }
}
