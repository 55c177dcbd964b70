using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace Skymap.Driver.Tests.Support;

/// <summary>
/// The service as a real process (<c>dotnet skymap-driver.dll</c>) on a free loopback port, with the test tokens and a
/// SQLite file in a directory that outlives a kill, so a second process can start on the same database.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Starts the service and waits until it answers (60 s at most).</summary>
    public static async Task<ServiceProcess> StartAsync(string dataDir, int port, IDictionary<string, string?>? settings = null)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "skymap-driver.dll");
        var all = new Dictionary<string, string?>(Tokens.Config())
        {
            ["Urls"] = $"http://127.0.0.1:{port}",
            ["Storage:SqlitePath"] = Path.Combine(dataDir, "driver.db"),
            ["Launch:LocalWorkers"] = "2",
            ["Launch:BacklogShortDelaySeconds"] = "0.2",
            ["Launch:BacklogDelaySeconds"] = "0.2",
            ["Scanner:ProgressIntervalSeconds"] = "0.5",
            ["Scanner:ResultIntervalSeconds"] = "0.5",
        };
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            all[k] = v;
        }

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = dataDir };
        psi.ArgumentList.Add(dll);
        foreach (var (k, v) in all)
        {
            psi.ArgumentList.Add($"--{k}={v}");
        }

        var p = Process.Start(psi)!;
        var s = new ServiceProcess(p, new Uri($"http://127.0.0.1:{port}"));
        p.OutputDataReceived += (_, e) => s.Append(e.Data);
        p.ErrorDataReceived += (_, e) => s.Append(e.Data);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        using var http = s.Http(Tokens.User);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            if (p.HasExited)
            {
                throw new InvalidOperationException($"skymap-driver exited with {p.ExitCode}: {s.Output}");
            }

            try
            {
                using var r = await http.GetAsync("/");
                if (r.StatusCode == HttpStatusCode.OK)
                {
                    return s;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                s.Dispose();
                throw new TimeoutException($"skymap-driver did not answer on port {port}: {s.Output}");
            }

            await Task.Delay(200);
        }
    }

    public HttpClient Http(string token)
    {
        var c = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return c;
    }

    /// <summary>SIGKILL: no shutdown hooks run (as a crash or <c>kill -9</c>).</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(30_000);
        }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
