using System.Diagnostics;

namespace Skymap.Core.Tests.Maps;

/// <summary>A fact that needs Debian's <c>/usr/bin/python3</c> with healpy and numpy (the outside oracle); skipped without it.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class HealpyFactAttribute : FactAttribute
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            var (code, _) = Run("-c \"import healpy, numpy\"", null);
            return code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public HealpyFactAttribute()
    {
        if (!Available.Value && Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1")
        {
            Skip = $"{Python} with healpy and numpy is not available";
        }
    }

    /// <summary>Runs python with arguments (or a script on stdin when <paramref name="script"/> is given).</summary>
    public static (int ExitCode, string Output) Run(string arguments, string? script)
    {
        var psi = new ProcessStartInfo(Python, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = script is not null,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi)!;
        if (script is not null)
        {
            process.StandardInput.Write(script);
            process.StandardInput.Close();
        }

        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
