using System.Diagnostics;
using Skymap.Core.Recos;

namespace Skymap.Core.Scanning;

/// <summary>The worker side shared by every transport: runs one task on a reco worker and turns the outcome into a reply.</summary>
public static class PixelTaskRunner
{
    /// <summary>
    /// Runs a task: an exception becomes a <see cref="PixelTaskStatus.Failed"/> reply naming it, a fit that honours its
    /// token past <paramref name="taskTimeout"/> becomes <see cref="PixelTaskStatus.Timeout"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the scan or worker stops).</exception>
    public static PixelTaskResult Run(IRecoWorker worker, PixelTask task, string workerId, TimeSpan taskTimeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(worker);
        ArgumentNullException.ThrowIfNull(task);
        using var timeout = new CancellationTokenSource(taskTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        var sw = Stopwatch.StartNew();
        try
        {
            var fit = worker.Fit(task.ToFitRequest(), linked.Token);
            return PixelTaskResult.Success(task, fit, sw.Elapsed.TotalSeconds, workerId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return PixelTaskResult.Failure(task, PixelTaskStatus.Timeout, $"task timeout after {taskTimeout.TotalSeconds:0.###} s", sw.Elapsed.TotalSeconds, workerId);
        }
#pragma warning disable CA1031 // A reco failure of any kind is reported as a FAILED reply, never thrown at the transport.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return PixelTaskResult.Failure(task, PixelTaskStatus.Failed, $"{e.GetType().Name}: {e.Message}", sw.Elapsed.TotalSeconds, workerId);
        }
    }
}
