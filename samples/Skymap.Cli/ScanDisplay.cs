using Skymap.Core.Pixels;
using Skymap.Core.Scanning;
using Spectre.Console;

namespace Skymap.Cli;

/// <summary>Live progress of a scan: Spectre.Console bars per nside on a terminal, plain progress lines otherwise.</summary>
internal sealed class ScanDisplay(NSideProgression progression, int variations) : IScanObserver
{
    private readonly Dictionary<int, ProgressTask> _bars = new();
    private readonly object _gate = new();
    private ScanTallies? _latest;
    private DateTime _lastPlain = DateTime.MinValue;

    public async Task<ScanOutcome> RunAsync(Func<CancellationToken, Task<ScanOutcome>> scan, CancellationToken ct)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            return await scan(ct).ConfigureAwait(false);
        }

        return await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async ctx =>
            {
                foreach (var (n, i) in progression.Nsides.Select((n, i) => (n, i)))
                {
                    var bar = ctx.AddTask($"nside {n,4}", autoStart: true, maxValue: Math.Max(1, progression.EstimatedRecos(i, variations)));
                    _bars[n] = bar;
                }

                var outcome = await scan(ct).ConfigureAwait(false);
                lock (_gate)
                {
                    foreach (var t in outcome.Tallies.Nsides)
                    {
                        var bar = _bars[t.Nside];
                        bar.MaxValue = Math.Max(1, t.Generated);
                        bar.Value = t.Done;
                        bar.StopTask();
                    }
                }

                return outcome;
            }).ConfigureAwait(false);
    }

    public Task OnProgressAsync(ScanProgressReport report, CancellationToken cancellationToken)
    {
        if (!AnsiConsole.Profile.Capabilities.Interactive)
        {
            Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] {report.Summary} {Describe(report.Tallies)}");
        }

        return Task.CompletedTask;
    }

    public Task OnResultAsync(ScanResultSnapshot result, CancellationToken cancellationToken) => Task.CompletedTask;

    public void OnCollected(ScanTallies tallies)
    {
        lock (_gate)
        {
            _latest = tallies;
            foreach (var t in tallies.Nsides)
            {
                if (_bars.TryGetValue(t.Nside, out var bar))
                {
                    bar.MaxValue = Math.Max(Math.Max(1, t.Generated), t.Estimated);
                    bar.Value = t.Done;
                    bar.Description = t.Failed > 0 ? $"nside {t.Nside,4} [red]({t.Failed} failed)[/]" : $"nside {t.Nside,4}";
                }
            }

            if (_bars.Count == 0 && DateTime.UtcNow - _lastPlain > TimeSpan.FromSeconds(10))
            {
                _lastPlain = DateTime.UtcNow;
                Console.Error.WriteLine($"[{DateTime.Now:HH:mm:ss}] progress: {Describe(tallies)}");
            }
        }
    }

    private static string Describe(ScanTallies t) =>
        string.Join(", ", t.Nsides.Where(n => n.Generated > 0).Select(n => $"nside {n.Nside}: {n.Done}/{n.Generated}" + (n.Failed > 0 ? $" ({n.Failed} failed)" : "")));
}
