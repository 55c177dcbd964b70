using System.Threading.Channels;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;

namespace Skymap.Transport.Internal;

/// <summary>The receive-with-timeout shared by the dispatchers.</summary>
internal static class ChannelReceive
{
    /// <summary>The next item, or null after <paramref name="timeout"/>; a faulted channel rethrows its exception.</summary>
    /// <exception cref="InvalidOperationException">The channel completed normally (the dispatcher is completed).</exception>
    public static async Task<RecoPixelVariation?> ReceiveAsync(ChannelReader<RecoPixelVariation> reader, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (reader.TryRead(out var ready))
        {
            return ready;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            cts.CancelAfter(timeout < TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Min(timeout.TotalMilliseconds, int.MaxValue - 1)));
        }

        try
        {
            while (await reader.WaitToReadAsync(cts.Token).ConfigureAwait(false))
            {
                if (reader.TryRead(out var item))
                {
                    return item;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        throw new InvalidOperationException("the dispatcher is completed");
    }
}
