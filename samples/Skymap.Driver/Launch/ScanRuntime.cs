using System.Collections.Concurrent;
using Skymap.Core.Scanning;

namespace Skymap.Driver.Launch;

/// <summary>The coordinators running in this process, and what the status route reports of them.</summary>
internal sealed class ScanRuntime
{
    private readonly ConcurrentDictionary<string, Handle> _scans = new(StringComparer.Ordinal);

    public int Count => _scans.Count;

    public IReadOnlyCollection<string> ScanIds => _scans.Keys.ToArray();

    public bool TryAdd(string scanId, CancellationTokenSource cts, int workers) => _scans.TryAdd(scanId, new Handle(cts, workers));

    public void SetTask(string scanId, Task task)
    {
        if (_scans.TryGetValue(scanId, out var h))
        {
            h.Task = task;
        }
    }

    public void Remove(string scanId) => _scans.TryRemove(scanId, out _);

    public bool Cancel(string scanId)
    {
        if (_scans.TryGetValue(scanId, out var h))
        {
            h.Cts.Cancel();
            return true;
        }

        return false;
    }

    public void OnCollected(string scanId, ScanTallies tallies)
    {
        if (_scans.TryGetValue(scanId, out var h))
        {
            h.Tallies = tallies;
        }
    }

    public void OnError(string scanId, string message)
    {
        if (_scans.TryGetValue(scanId, out var h))
        {
            lock (h.Errors)
            {
                h.Errors[message] = h.Errors.GetValueOrDefault(message) + 1;
            }
        }
    }

    public (int Running, long InFlight, IReadOnlyDictionary<string, int> TopErrors) Workforce(string scanId)
    {
        if (!_scans.TryGetValue(scanId, out var h))
        {
            return (0, 0, new Dictionary<string, int>());
        }

        var t = h.Tallies;
        var inFlight = t is null ? 0 : Math.Max(0, t.Generated - t.Done - t.Failed);
        lock (h.Errors)
        {
            return (h.Workers, inFlight, h.Errors.OrderByDescending(kv => kv.Value).Take(10).ToDictionary(kv => kv.Key, kv => kv.Value));
        }
    }

    public async Task StopAllAsync(TimeSpan wait)
    {
        var tasks = _scans.Values.Select(h => h.Task).OfType<Task>().ToArray();
        foreach (var h in _scans.Values)
        {
            h.Cts.Cancel();
        }

        await Task.WhenAny(Task.WhenAll(tasks), Task.Delay(wait)).ConfigureAwait(false);
    }

    private sealed class Handle(CancellationTokenSource cts, int workers)
    {
        public CancellationTokenSource Cts { get; } = cts;

        public int Workers { get; } = workers;

        public Task? Task { get; set; }

        public ScanTallies? Tallies { get; set; }

        public Dictionary<string, int> Errors { get; } = new(StringComparer.Ordinal);
    }
}

/// <summary>Feeds the runtime's live counts from the engine.</summary>
internal sealed class RuntimeObserver(ScanRuntime runtime, string scanId) : IScanObserver
{
    public Task OnProgressAsync(ScanProgressReport report, CancellationToken cancellationToken)
    {
        runtime.OnCollected(scanId, report.Tallies);
        return Task.CompletedTask;
    }

    public Task OnResultAsync(ScanResultSnapshot result, CancellationToken cancellationToken) => Task.CompletedTask;

    public void OnCollected(ScanTallies tallies) => runtime.OnCollected(scanId, tallies);
}
