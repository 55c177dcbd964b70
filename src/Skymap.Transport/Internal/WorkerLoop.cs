using System.Threading.Channels;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;

namespace Skymap.Transport.Internal;

/// <summary>The worker slot loop shared by the in-process and stdio workers.</summary>
internal static class WorkerLoop
{
    /// <summary>
    /// Serves one reco worker until the request channel completes: each call of <see cref="ScanWorkerHost.RunBatch"/>
    /// takes the requests at hand, up to <see cref="ScanWorkerHost.BatchSize"/> (it never waits to fill a batch), and each
    /// reply goes to <paramref name="reply"/>.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static async Task ServeAsync(
        ChannelReader<PixelVariation> requests, ScanWorkerHost host, IRecoWorker worker, string workerId,
        Func<RecoPixelVariation, CancellationToken, ValueTask> reply, CancellationToken cancellationToken)
    {
        var batchSize = ScanWorkerHost.BatchSize(worker);
        var batch = new List<PixelVariation>(batchSize);
        while (await requests.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            batch.Clear();
            while (batch.Count < batchSize && requests.TryRead(out var request))
            {
                batch.Add(request);
            }

            if (batch.Count == 0)
            {
                continue;
            }

            foreach (var r in host.RunBatch(worker, batch, workerId, cancellationToken))
            {
                await reply(r, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
