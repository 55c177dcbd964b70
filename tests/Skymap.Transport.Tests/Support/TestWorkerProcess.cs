using System.Diagnostics;
using Skymap.Transport.Contract;
using Skymap.Transport.Processes;

namespace Skymap.Transport.Tests.Support;

/// <summary>The test worker host (<c>Skymap.Transport.TestWorker.dll</c>), run as a real process.</summary>
internal static class TestWorkerProcess
{
    public static string AssemblyPath { get; } = Path.Combine(AppContext.BaseDirectory, "Skymap.Transport.TestWorker.dll");

    public static WorkerLaunch StdioLaunch => WorkerLaunch.Dotnet(AssemblyPath) with
    {
        Environment = new Dictionary<string, string?> { ["SKYMAP_WORKER_LOG_LEVEL"] = "Warning" },
    };

    static TestWorkerProcess()
    {
        _ = typeof(TestDummyReco);
    }

    /// <summary>Starts <c>worker --transport rabbitmq</c> for a startup document.</summary>
    public static Process StartRabbitMq(string startupPath, params string[] extra)
    {
        var psi = new ProcessStartInfo(WorkerLaunch.Dotnet(AssemblyPath).FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { AssemblyPath, "worker", "--transport", "rabbitmq", "--startup-json", startupPath, "--first-message-timeout", "120", "--idle-timeout", "120" }.Concat(extra))
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    public static void KillHard(int pid)
    {
        // kill -9: no chance to clean up, as a crashed or preempted node.
        using var kill = Process.Start("kill", ["-9", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public static void Stop(Process p)
    {
        try
        {
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        p.Dispose();
    }
}
