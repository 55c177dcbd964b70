using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Results;
using Skymap.Core.Scanning;

namespace Skymap.Transport.Driver;

/// <summary>
/// A scan observer that reports to a Skymap Driver through its routes (SCANNER.md §11, SERVICE.md §5), with a
/// <c>system</c>-role token: every progress report is a <c>PATCH /scan/{id}/manifest</c>, every result a
/// <c>PUT /scan/{id}/result</c>. Non-final reports are best effort (one retry, then logged and dropped: the next one
/// replaces them); the final result is retried until <see cref="FinalRetryWindow"/> has passed, then the error is thrown.
/// </summary>
public sealed class DriverScanObserver : IScanObserver
{
    private readonly DriverClient _client;
    private readonly string _scanId;
    private readonly ILogger _logger;

    /// <summary>Creates the observer for one scan.</summary>
    /// <param name="client">A client holding a system-role token.</param>
    /// <param name="scanId">The scan's id in the Driver.</param>
    /// <param name="logger">Where failures of non-final reports are logged.</param>
    public DriverScanObserver(DriverClient client, string scanId, ILogger<DriverScanObserver>? logger = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        ArgumentException.ThrowIfNullOrEmpty(scanId);
        _scanId = scanId;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>How long a final result is retried before the failure is thrown (default 1 h).</summary>
    public TimeSpan FinalRetryWindow { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Number of progress reports and results the Driver accepted.</summary>
    public int Delivered { get; private set; }

    /// <inheritdoc />
    public async Task OnProgressAsync(ScanProgressReport report, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(report);
        var body = (JsonObject)report.Manifest.DeepClone();
        await BestEffortAsync("progress", () => _client.PatchManifestAsync(_scanId, body, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task OnResultAsync(ScanResultSnapshot result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsEmpty)
        {
            return;
        }

        var json = SkyScanResultJson.Serialize(result.ToSkyScanResult());
        if (!result.Complete)
        {
            await BestEffortAsync("partial result", () => _client.PutResultAsync(_scanId, json, false, cancellationToken), cancellationToken).ConfigureAwait(false);
            return;
        }

        var deadline = DateTimeOffset.UtcNow + FinalRetryWindow;
        var delay = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                await _client.PutResultAsync(_scanId, json, true, cancellationToken).ConfigureAwait(false);
                Delivered++;
                return;
            }
            catch (DriverApiException e) when (e.StatusCode is 0 or >= 500 && DateTimeOffset.UtcNow + delay < deadline)
            {
                _logger.LogWarning("Scan {ScanId}: final result not accepted yet ({Reason}); retrying in {Delay} s", _scanId, e.Message, delay.TotalSeconds);
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromMinutes(1).Ticks));
            }
        }
    }

    private async Task BestEffortAsync(string what, Func<Task> send, CancellationToken cancellationToken)
    {
        try
        {
            await send().ConfigureAwait(false);
            Delivered++;
        }
        catch (DriverApiException e) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogWarning("Scan {ScanId}: the Driver did not take the {What} ({Reason}); the next report replaces it", _scanId, what, e.Message);
        }
    }
}
