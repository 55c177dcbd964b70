using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;
using Skymap.Transport.Internal;
using Skymap.Transport.Startup;
using Skymap.Transport.Wire;

namespace Skymap.Transport.Processes;

/// <summary>Options of the multi-process transport.</summary>
public sealed record ProcessPoolOptions
{
    /// <summary>Worker processes (default: logical CPU count).</summary>
    public int Workers { get; init; } = Environment.ProcessorCount;

    /// <summary>How to start a worker (null: <see cref="WorkerLaunch.CurrentProcess"/>).</summary>
    public WorkerLaunch? Launch { get; init; }

    /// <summary>Tasks in flight per worker process (the worker fits them concurrently); default 1.</summary>
    public int TasksPerWorker { get; init; } = 1;

    /// <summary>
    /// For a batch-capable reco (e.g. <c>--kernel ilgpu</c>): requests sent ahead to each of the worker's slots, which fits
    /// the ones it holds in one batch call; default 1 (no batching). Tasks in flight per worker are
    /// <see cref="TasksPerWorker"/> × this.
    /// </summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>How long a new worker may take to set up the scan and send its ready frame.</summary>
    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Consecutive worker starts of one slot that die before becoming ready, after which the dispatcher fails.</summary>
    public int MaxStartFailures { get; init; } = 5;

    /// <summary>How long <see cref="ProcessPoolDispatcher.CompleteAsync"/> waits for workers to exit after closing their input.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);
}

/// <summary>Worker processes keep dying before they become ready; the message carries the last lines of their stderr.</summary>
public sealed class WorkerStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    public WorkerStartException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public WorkerStartException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public WorkerStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// The multi-process transport (SCANNER.md §9): spawns N local worker processes (<c>skymap worker --stdio
/// --startup-json PATH</c>) and exchanges length-prefixed MessagePack frames with them over stdin/stdout; their stderr is
/// forwarded to the logger. Each worker holds at most <see cref="ProcessPoolOptions.TasksPerWorker"/> tasks. A worker
/// that exits fails its in-flight attempts (FAILED "worker exited with code X") and is respawned; a malformed frame gets
/// the worker killed, its attempts failed and a new worker started. The engine's retry rule decides what happens next.
/// </summary>
public sealed class ProcessPoolDispatcher : IPixelDispatcher
{
    private readonly ProcessPoolOptions _options;
    private readonly WorkerLaunch _launch;
    private readonly ILogger _logger;
    private readonly Channel<PixelVariation> _pending = Channel.CreateUnbounded<PixelVariation>();
    private readonly Channel<RecoPixelVariation> _results = Channel.CreateUnbounded<RecoPixelVariation>();
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, WorkerSession> _sessions = new();
    private Task[] _slots = [];
    private string _sha = "";
    private string? _startupPath;
    private string? _ownedDirectory;
    private volatile bool _completing;
    private int _restarts;

    /// <summary>Creates the dispatcher; nothing starts before <see cref="StartAsync"/>.</summary>
    public ProcessPoolDispatcher(ProcessPoolOptions? options = null, ILogger<ProcessPoolDispatcher>? logger = null)
    {
        _options = options ?? new ProcessPoolOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.Workers, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.TasksPerWorker, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.BatchSize, 1, nameof(options));
        _launch = _options.Launch ?? WorkerLaunch.CurrentProcess();
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public string Name => "processes";

    /// <summary>The path of the startup document given to the workers (after <see cref="StartAsync"/>).</summary>
    public string? StartupPath => _startupPath;

    /// <summary>Process ids of the live workers (diagnostics and fault tests).</summary>
    public IReadOnlyList<int> WorkerProcessIds => _sessions.Values.Select(s => s.ProcessId).Where(id => id > 0).ToArray();

    /// <summary>Workers started again after one exited.</summary>
    public int Restarts => Volatile.Read(ref _restarts);

    /// <inheritdoc />
    public Task StartAsync(ScanStartup startup, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(startup);
        if (_slots.Length > 0)
        {
            throw new InvalidOperationException("the dispatcher is already started");
        }

        var bytes = StartupDocument.Serialize(startup);
        _sha = StartupDocument.ComputeSha256(bytes);
        var dir = startup.StartupDirectory;
        if (dir is null)
        {
            dir = _ownedDirectory = Directory.CreateTempSubdirectory("skymap-processes-").FullName;
        }

        _startupPath = StartupDocument.WriteFile(Path.Combine(dir, StartupDocument.FileName), bytes);
        _logger.LogInformation(
            "Starting {Workers} worker processes ({Launch}) for scan {ScanId}, startup {Path} (sha256 {Sha})",
            _options.Workers, _launch, startup.ScanId, _startupPath, _sha);
        _slots = Enumerable.Range(0, _options.Workers).Select(i => Task.Run(() => RunSlotAsync(i))).ToArray();
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SendAsync(IReadOnlyList<PixelVariation> tasks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (_slots.Length == 0)
        {
            throw new InvalidOperationException("StartAsync must be called first");
        }

        foreach (var t in tasks)
        {
            var task = t.StartupSha256.Length == 0 ? t with { StartupSha256 = _sha } : t;
            if (!_pending.Writer.TryWrite(task))
            {
                throw new InvalidOperationException("the dispatcher is completed");
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <exception cref="WorkerStartException">Workers keep dying before they become ready (a broken installation).</exception>
    public Task<RecoPixelVariation?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        ChannelReceive.ReceiveAsync(_results.Reader, timeout, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Replies of worker processes are not durable: nothing to settle.</remarks>
    public Task AcknowledgeAsync(RecoPixelVariation reply, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completing)
        {
            return;
        }

        _completing = true;
        _pending.Writer.TryComplete();
        foreach (var s in _sessions.Values)
        {
            await s.CloseInputAsync().ConfigureAwait(false);
        }

        try
        {
            await Task.WhenAll(_slots).WaitAsync(_options.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _logger.LogWarning("Workers did not exit within {Timeout} s of closing their input; killing them", _options.ShutdownTimeout.TotalSeconds);
        }
        finally
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }

        await Task.WhenAll(_slots).ConfigureAwait(false);
        _results.Writer.TryComplete();
        if (_ownedDirectory is not null)
        {
            try
            {
                Directory.Delete(_ownedDirectory, recursive: true);
            }
            catch (IOException e)
            {
                _logger.LogDebug("Could not delete {Dir}: {Error}", _ownedDirectory, e.Message);
            }
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (!_completing)
        {
            _completing = true;
            _pending.Writer.TryComplete();
            await _stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_slots).ConfigureAwait(false);
        }

        _stop.Dispose();
    }

    private async Task RunSlotAsync(int slot)
    {
        var startFailures = 0;
        var first = true;
        while (!_completing && !_stop.IsCancellationRequested)
        {
            if (!first)
            {
                Interlocked.Increment(ref _restarts);
            }

            first = false;
            WorkerSession session;
            try
            {
                session = WorkerSession.Start(slot, _launch, BuildArguments(), _logger);
            }
            catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
            {
                _results.Writer.TryComplete(new WorkerStartException($"cannot start worker process '{_launch}': {e.Message}", e));
                return;
            }

            _sessions[slot] = session;
            bool ready;
            try
            {
                ready = await RunSessionAsync(session).ConfigureAwait(false);
            }
            finally
            {
                _sessions.TryRemove(slot, out _);
                session.Dispose();
            }

            if (_completing || _stop.IsCancellationRequested)
            {
                return;
            }

            startFailures = ready ? 0 : startFailures + 1;
            if (startFailures >= _options.MaxStartFailures)
            {
                var message = $"worker slot {slot}: {startFailures} consecutive worker processes died before becoming ready ({_launch}); last stderr:\n{session.StderrTail}";
                _logger.LogError("{Message}", message);
                _results.Writer.TryComplete(new WorkerStartException(message));
                return;
            }

            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * (1 << Math.Min(startFailures, 6)))), _stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private List<string> BuildArguments()
    {
        var args = new List<string>(_launch.Arguments) { "--startup-json", _startupPath! };
        if (_options.TasksPerWorker > 1)
        {
            args.Add("--concurrency");
            args.Add(_options.TasksPerWorker.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return args;
    }

    /// <summary>Runs one worker process until it exits or breaks; returns whether it became ready.</summary>
    private async Task<bool> RunSessionAsync(WorkerSession session)
    {
        using var sessionCts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var inFlight = new ConcurrentDictionary<(Core.Pixels.PixelVariationId Id, int Attempt), PixelVariation>();
        var inFlightLimit = _options.TasksPerWorker * _options.BatchSize;
        using var window = new SemaphoreSlim(inFlightLimit, inFlightLimit);
        var ready = false;
        string? broken = null;
        Task sender = Task.CompletedTask;
        try
        {
            using (var readyCts = CancellationTokenSource.CreateLinkedTokenSource(sessionCts.Token))
            {
                readyCts.CancelAfter(_options.ReadyTimeout);
                var hello = await Framing.ReadAsync(session.Output, readyCts.Token).ConfigureAwait(false);
                if (hello is null)
                {
                    return false;
                }

                if (hello.Length != 0)
                {
                    throw new FrameFormatException($"expected the empty ready frame, got {hello.Length} bytes");
                }
            }

            ready = true;
            _logger.LogDebug("Worker slot {Slot} (pid {Pid}) ready", session.Slot, session.ProcessId);
            sender = Task.Run(() => SendLoopAsync(session, inFlight, window, sessionCts.Token));
            while (true)
            {
                var frame = await Framing.ReadAsync(session.Output, sessionCts.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    break;
                }

                var result = WireFormat.DecodeResult(frame);
                if (inFlight.TryRemove((result.Id, result.Attempt), out _))
                {
                    window.Release();
                }
                else
                {
                    _logger.LogWarning("Worker pid {Pid} answered {Task} attempt {Attempt}, which it did not hold", session.ProcessId, result.Id, result.Attempt);
                }

                _results.Writer.TryWrite(result);
            }
        }
        catch (OperationCanceledException) when (!_stop.IsCancellationRequested && !ready)
        {
            broken = $"worker did not become ready within {_options.ReadyTimeout.TotalSeconds:0.#} s";
            _logger.LogError("Worker slot {Slot} (pid {Pid}): {Reason}; killing it", session.Slot, session.ProcessId, broken);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception e) when (e is FrameFormatException or WireFormatException)
        {
            broken = $"malformed frame from worker: {e.Message}";
            _logger.LogError("Worker slot {Slot} (pid {Pid}) sent a malformed frame ({Reason}); killing it and failing its {Count} task(s)", session.Slot, session.ProcessId, e.Message, inFlight.Count);
        }
        catch (IOException e)
        {
            broken = $"worker output broke: {e.Message}";
        }
        finally
        {
            await sessionCts.CancelAsync().ConfigureAwait(false);
            await sender.ConfigureAwait(false);
        }

        var exitCode = await session.StopAsync(kill: broken is not null || _stop.IsCancellationRequested).ConfigureAwait(false);
        var reason = broken is null ? $"worker exited with code {exitCode}" : $"{broken}; worker killed (exit code {exitCode})";
        if (!_completing && !_stop.IsCancellationRequested)
        {
            var level = inFlight.IsEmpty && broken is null ? LogLevel.Information : LogLevel.Warning;
            _logger.Log(level, "Worker slot {Slot} (pid {Pid}): {Reason}; {Count} task(s) failed; restarting", session.Slot, session.ProcessId, reason, inFlight.Count);
        }

        var workerId = $"{Environment.MachineName}:{session.ProcessId}:*";
        foreach (var task in inFlight.Values.OrderBy(t => t.Id.Nside).ThenBy(t => t.Id.PixelId).ThenBy(t => t.Id.PosvarId))
        {
            _results.Writer.TryWrite(RecoPixelVariation.Failure(task, PixelVariationStatus.Failed, reason, 0, workerId));
        }

        return ready;
    }

    private async Task SendLoopAsync(
        WorkerSession session,
        ConcurrentDictionary<(Core.Pixels.PixelVariationId Id, int Attempt), PixelVariation> inFlight,
        SemaphoreSlim window,
        CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await window.WaitAsync(cancellationToken).ConfigureAwait(false);
                if (!await _pending.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                if (!_pending.Reader.TryRead(out var task))
                {
                    window.Release();
                    continue;
                }

                inFlight[(task.Id, task.Attempt)] = task;
                if (!await session.WriteAsync(WireFormat.EncodeTask(task), cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Session over.
        }
    }
}
