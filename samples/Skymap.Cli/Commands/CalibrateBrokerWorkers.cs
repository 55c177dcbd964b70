using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;
using Skymap.Transport.Processes;
using Skymap.Transport.RabbitMq;

namespace Skymap.Cli.Commands;

/// <summary>
/// A RabbitMQ dispatcher that, for one trial scan of <c>skymap calibrate --transport rabbitmq --local-workers K</c>, starts
/// K local <c>skymap worker --transport rabbitmq</c> processes on the trial's startup document (today a broker worker
/// serves one scan and exits when its queue is deleted, so every trial needs its own workers; remote workers can be
/// kept in a loop on the same startup path instead).
/// </summary>
internal sealed class CalibrateBrokerWorkers(RabbitMqDispatcher inner, int workers, string? broker, ILogger logger) : IPixelDispatcher
{
    private readonly List<Process> _processes = [];

    public string Name => inner.Name;

    public async Task StartAsync(ScanStartup startup, CancellationToken cancellationToken)
    {
        await inner.StartAsync(startup, cancellationToken).ConfigureAwait(false);
        var launch = WorkerLaunch.CurrentProcess();
        for (var i = 0; i < workers; i++)
        {
            var psi = new ProcessStartInfo(launch.FileName) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            // CurrentProcess() ends with "worker --stdio": keep what selects the program, ask for a broker worker instead.
            foreach (var arg in launch.Arguments.Take(launch.Arguments.Count - WorkerLaunch.StdioWorkerArguments.Count))
            {
                psi.ArgumentList.Add(arg);
            }

            foreach (var arg in (string[])["worker", "--transport", "rabbitmq", "--startup-json", inner.StartupPath!, "--first-message-timeout", "600", "--idle-timeout", "600"])
            {
                psi.ArgumentList.Add(arg);
            }

            if (broker is not null)
            {
                psi.ArgumentList.Add("--broker");
                psi.ArgumentList.Add(broker);
            }

            var p = Process.Start(psi) ?? throw new WorkerStartException($"could not start a broker worker ({launch.FileName})");
            p.OutputDataReceived += (_, e) => Log(e.Data);
            p.ErrorDataReceived += (_, e) => Log(e.Data);
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            _processes.Add(p);
        }
    }

    public Task SendAsync(IReadOnlyList<PixelVariation> requests, CancellationToken cancellationToken) => inner.SendAsync(requests, cancellationToken);

    public Task<RecoPixelVariation?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken) => inner.ReceiveAsync(timeout, cancellationToken);

    public Task AcknowledgeAsync(RecoPixelVariation reply, CancellationToken cancellationToken) => inner.AcknowledgeAsync(reply, cancellationToken);

    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        await inner.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await StopWorkersAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync().ConfigureAwait(false);
        await StopWorkersAsync().ConfigureAwait(false);
    }

    private async Task StopWorkersAsync()
    {
        foreach (var p in _processes)
        {
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await p.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                logger.LogWarning("Broker worker {Pid} did not exit after the trial; killing it", p.Id);
                p.Kill(entireProcessTree: true);
            }

            p.Dispose();
        }

        _processes.Clear();
    }

    private void Log(string? line)
    {
        if (!string.IsNullOrEmpty(line))
        {
            logger.LogDebug("worker: {Line}", line);
        }
    }
}
