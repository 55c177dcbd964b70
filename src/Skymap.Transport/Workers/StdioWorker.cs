using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;
using Skymap.Transport.Internal;
using Skymap.Transport.Wire;

namespace Skymap.Transport.Workers;

/// <summary>
/// The worker loop of the multi-process transport (<c>skymap worker --stdio</c>): reads length-prefixed
/// <c>PixelVariation</c> frames from its input, fits them with up to <c>concurrency</c> reco workers and writes one
/// <c>PixelResult</c> frame per task to its output. The first frame written is an empty "ready" frame, sent once the scan
/// is set up. Logs go to the logger (stderr in the CLI), never to the frame stream.
/// </summary>
public sealed class StdioWorker
{
    /// <summary>Exit code after the server closed the input (normal end).</summary>
    public const int ExitOk = 0;

    /// <summary>Exit code after a broken frame stream from the server.</summary>
    public const int ExitProtocolError = 2;

    /// <summary>The most tasks read ahead of the slots (what a batch-capable reco worker can take in one call).</summary>
    private const int ReadAheadLimit = 4096;

    private readonly ScanWorkerHost _scan;
    private readonly int _concurrency;
    private readonly ILogger _logger;
    private long _completed;

    /// <summary>Creates the loop.</summary>
    /// <param name="scan">The scan, set up from the startup document.</param>
    /// <param name="concurrency">Tasks fitted at once (each with its own reco worker); at least 1.</param>
    /// <param name="logger">Logger (must not write to the output stream).</param>
    public StdioWorker(ScanWorkerHost scan, int concurrency = 1, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(scan);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        _scan = scan;
        _concurrency = concurrency;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Replies written so far.</summary>
    public long TasksCompleted => Interlocked.Read(ref _completed);

    /// <summary>Runs until the input ends (<see cref="ExitOk"/>) or breaks (<see cref="ExitProtocolError"/>).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<int> RunAsync(Stream input, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        using var writeLock = new SemaphoreSlim(1, 1);
        // Tasks read ahead wait here; how many the server sends ahead (its in-flight window) bounds what a batch-capable
        // reco worker can take in one call.
        var tasks = Channel.CreateBounded<PixelVariation>(new BoundedChannelOptions(Math.Max(_concurrency, ReadAheadLimit)) { SingleWriter = true });
        var slots = Enumerable.Range(0, _concurrency)
            .Select(i => Task.Run(() => ProcessAsync(i, tasks.Reader, output, writeLock, cancellationToken), cancellationToken))
            .ToArray();

        await Framing.WriteAsync(output, ReadOnlyMemory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        var exit = ExitOk;
        try
        {
            while (true)
            {
                var frame = await Framing.ReadAsync(input, cancellationToken).ConfigureAwait(false);
                if (frame is null)
                {
                    _logger.LogInformation("Input closed after {Count} tasks; exiting", TasksCompleted);
                    break;
                }

                PixelVariation task;
                try
                {
                    task = WireFormat.DecodeTask(frame);
                }
                catch (WireFormatException e) when (e.PartialTask is not null)
                {
                    _logger.LogError("Refusing task {Task}: {Reason}", e.PartialTask.Id, e.Message);
                    var reply = RecoPixelVariation.Failure(e.PartialTask, PixelVariationStatus.Failed, e.Message, 0, ScanWorkerHost.WorkerId(0));
                    await WriteReplyAsync(output, reply, writeLock, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                await tasks.Writer.WriteAsync(task, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is FrameFormatException or WireFormatException)
        {
            _logger.LogError("Broken frame stream from the server: {Reason}", e.Message);
            exit = ExitProtocolError;
        }
        finally
        {
            tasks.Writer.TryComplete();
        }

        await Task.WhenAll(slots).ConfigureAwait(false);
        return exit;
    }

    private async Task ProcessAsync(int index, ChannelReader<PixelVariation> tasks, Stream output, SemaphoreSlim writeLock, CancellationToken cancellationToken)
    {
        var workerId = ScanWorkerHost.WorkerId(index);
        var reco = _scan.CreateWorker();
        await WorkerLoop.ServeAsync(
            tasks, _scan, reco, workerId, (reply, ct) => new ValueTask(WriteReplyAsync(output, reply, writeLock, ct)), cancellationToken).ConfigureAwait(false);
    }

    private async Task WriteReplyAsync(Stream output, RecoPixelVariation reply, SemaphoreSlim writeLock, CancellationToken cancellationToken)
    {
        var bytes = WireFormat.EncodeResult(reply);
        await writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Framing.WriteAsync(output, bytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            writeLock.Release();
        }

        Interlocked.Increment(ref _completed);
    }
}
