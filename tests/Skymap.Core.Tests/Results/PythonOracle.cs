using System.Diagnostics;
using System.Globalization;
using System.Text;
using Skymap.Core.Results;
using Skymap.Core.Results.Internal;

namespace Skymap.Core.Tests.Results;

/// <summary>
/// Runs <c>oracle/skyreader_oracle.py</c> with Debian's <c>/usr/bin/python3</c> and its numpy (plain
/// <c>python3</c> may be another interpreter without numpy).
/// </summary>
internal static class PythonOracle
{
    public const string Interpreter = "/usr/bin/python3";

    private static readonly Lazy<string?> WhyUnavailable = new(Probe);

    /// <summary>Null when the oracle can run; otherwise why not.</summary>
    public static string? Unavailable => WhyUnavailable.Value;

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var psi = new ProcessStartInfo(Interpreter)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(ResultTestData.OracleScript);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("the Python oracle did not finish within 60 s");
        }

        return (p.ExitCode, stdout, stderr.Result);
    }

    /// <summary>The oracle's canonical dump, computed from our model.</summary>
    public static string CanonicalDump(SkyScanResult result)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"version {result.Version}\n");
        foreach (var block in result.Blocks)
        {
            var m = block.Metadata;
            sb.Append(CultureInfo.InvariantCulture, $"block {block.Key} rows {block.Rows.Count}\n");
            sb.Append(CultureInfo.InvariantCulture, $"meta nside={m.Nside}\n");
            sb.Append(CultureInfo.InvariantCulture, $"meta complete={(m.Complete ? "true" : "false")}\n");
            sb.Append(CultureInfo.InvariantCulture, $"meta run_id={m.RunId}\n");
            sb.Append(CultureInfo.InvariantCulture, $"meta event_id={m.EventId}\n");
            sb.Append(CultureInfo.InvariantCulture, $"meta event_type=s:{JsonString(m.EventType)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"meta mjd={Float(m.Mjd)}\n");
            sb.Append(CultureInfo.InvariantCulture, $"meta is_real_event={(m.IsRealEvent ? "true" : "false")}\n");
            sb.Append(CultureInfo.InvariantCulture, $"meta version={m.Version}\n");
            foreach (var row in block.Rows)
            {
                sb.Append("row ").Append(row.Index.ToString(CultureInfo.InvariantCulture));
                for (var c = 1; c < block.Columns.Count; c++)
                {
                    sb.Append(' ').Append(Float(row[c]));
                }

                sb.Append('\n');
            }
        }

        return sb.ToString();
    }

    private static string Float(double x) =>
        double.IsNaN(x) ? "nan" : "f:" + BitConverter.DoubleToUInt64Bits(x).ToString("x16", CultureInfo.InvariantCulture);

    private static string JsonString(string s)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture);
        new PythonJsonWriter(w, 0, NonFiniteStyle.PythonTokens).Value(s);
        return w.ToString();
    }

    private static string? Probe()
    {
        if (!File.Exists(Interpreter))
        {
            return $"{Interpreter} is not installed";
        }

        try
        {
            using var p = Process.Start(new ProcessStartInfo(Interpreter, ["-c", "import numpy"])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            p.StandardOutput.ReadToEnd();
            p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"numpy is not importable by {Interpreter}";
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"{Interpreter} cannot be started: {e.Message}";
        }
    }
}

/// <summary>A fact that is skipped when the Python oracle (Debian python3 + numpy) is missing.</summary>
public sealed class PythonOracleFactAttribute : FactAttribute
{
    public PythonOracleFactAttribute()
    {
        if (PythonOracle.Unavailable is { } why && Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1")
        {
            Skip = "Python oracle unavailable: " + why;
        }
    }
}

/// <summary>A theory that is skipped when the Python oracle (Debian python3 + numpy) is missing.</summary>
public sealed class PythonOracleTheoryAttribute : TheoryAttribute
{
    public PythonOracleTheoryAttribute()
    {
        if (PythonOracle.Unavailable is { } why && Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1")
        {
            Skip = "Python oracle unavailable: " + why;
        }
    }
}
