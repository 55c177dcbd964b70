using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Skymap.Transport.Processes;

/// <summary>One running worker process: its pipes, stderr forwarding and shutdown.</summary>
internal sealed class WorkerSession : IDisposable
{
    private const int StderrLines = 20;
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _stderr = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private bool _inputClosed;

    private WorkerSession(int slot, Process process)
    {
        Slot = slot;
        _process = process;
        ProcessId = process.Id;
        Output = process.StandardOutput.BaseStream;
    }

    public int Slot { get; }

    public int ProcessId { get; }

    public Stream Output { get; }

    public string StderrTail => string.Join('\n', _stderr);

    public static WorkerSession Start(int slot, WorkerLaunch launch, IReadOnlyList<string> arguments, ILogger logger)
    {
        var psi = new ProcessStartInfo(launch.FileName)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (var a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in launch.Environment)
        {
            if (v is null)
            {
                psi.Environment.Remove(k);
            }
            else
            {
                psi.Environment[k] = v;
            }
        }

        if (launch.WorkingDirectory is not null)
        {
            psi.WorkingDirectory = launch.WorkingDirectory;
        }

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException("Process.Start returned false");
        }

        var session = new WorkerSession(slot, process);
        var pid = process.Id;
        process.ErrorDataReceived += (sender, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            session._stderr.Enqueue(e.Data);
            while (session._stderr.Count > StderrLines && session._stderr.TryDequeue(out _))
            {
            }

            logger.LogInformation("worker {Slot} pid {Pid}: {Line}", slot, pid, e.Data);
        };
        process.BeginErrorReadLine();
        return session;
    }

    /// <summary>Writes a frame; false when the worker's input is gone.</summary>
    public async Task<bool> WriteAsync(byte[] payload, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_inputClosed)
            {
                return false;
            }

            await Internal.Framing.WriteAsync(_process.StandardInput.BaseStream, payload, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Closes the worker's input: a stdio worker finishes its tasks and exits.</summary>
    public async Task CloseInputAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_inputClosed)
            {
                _inputClosed = true;
                _process.StandardInput.Close();
            }
        }
        catch (IOException)
        {
            // Already gone.
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Waits for the process to exit (killing it first when asked) and returns its exit code.</summary>
    public async Task<int> StopAsync(bool kill)
    {
        if (kill)
        {
            Kill();
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill();
            await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        return _process.ExitCode;
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
        _writeLock.Dispose();
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Exited meanwhile.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exited meanwhile.
        }
    }
}
