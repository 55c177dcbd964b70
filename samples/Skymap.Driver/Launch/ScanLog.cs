using System.Globalization;
using System.Threading.Channels;
using Skymap.Driver.Storage;

namespace Skymap.Driver.Launch;

/// <summary>
/// The coordinator's own log lines of one scan (GET /scan/{id}/logs): buffered and written to the store about once a
/// second, so they survive a restart.
/// </summary>
internal sealed class ScanLogSink : IAsyncDisposable
{
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    public ScanLogSink(DriverStore store, string scanId, ILogger logger)
    {
        _writer = Task.Run(async () =>
        {
            var batch = new List<string>();
            while (await _lines.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    batch.Add(line);
                }

                try
                {
                    await store.AppendLogsAsync(scanId, batch, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // logs are best effort; the scan goes on
                catch (Exception e)
#pragma warning restore CA1031
                {
                    logger.LogWarning(e, "Scan {ScanId}: could not store {Count} log line(s)", scanId, batch.Count);
                }

                batch.Clear();
                await Task.Delay(500).ConfigureAwait(false);
            }
        });
    }

    public void Write(string line) => _lines.Writer.TryWrite(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} {line}"));

    public async ValueTask DisposeAsync()
    {
        _lines.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
    }
}

/// <summary>A logger of one scan: forwards to the service log and copies Information and above into the scan's log.</summary>
internal sealed class ScanLogger<T>(ILogger<T> inner, ScanLogSink sink) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information || inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (inner.IsEnabled(logLevel))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }

        if (logLevel >= LogLevel.Information)
        {
            var text = formatter(state, exception);
            sink.Write($"{Level(logLevel)} {typeof(T).Name}: {text}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
        }
    }

    private static string Level(LogLevel l) => l switch
    {
        LogLevel.Information => "INFO",
        LogLevel.Warning => "WARN",
        LogLevel.Error => "ERROR",
        LogLevel.Critical => "CRIT",
        _ => l.ToString().ToUpperInvariant(),
    };
}
