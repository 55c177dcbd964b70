using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Skymap.Core.Recos;
using Skymap.Transport.RabbitMq;
using Skymap.Transport.Startup;
using Skymap.Transport.Workers;

namespace Skymap.Cli.Commands;

/// <summary>Options of <c>skymap worker</c>.</summary>
public sealed record WorkerCommandOptions
{
    /// <summary><c>--stdio</c>: serve the multi-process transport over stdin/stdout (the server starts such workers itself).</summary>
    public bool Stdio { get; init; }

    /// <summary><c>--transport</c>: <c>rabbitmq</c> (the only networked transport).</summary>
    public string Transport { get; init; } = "rabbitmq";

    /// <summary><c>--startup-json PATH</c>: the scan's startup document (required).</summary>
    public string? StartupJson { get; init; }

    /// <summary><c>--broker ADDR</c>: <c>amqp://host:port/vhost</c> (default <c>SKYMAP_BROKER_ADDRESS</c>, else localhost).</summary>
    public string? Broker { get; init; }

    /// <summary><c>--prefetch N</c> (default = concurrency).</summary>
    public int? Prefetch { get; init; }

    /// <summary><c>--concurrency N</c>: tasks fitted at once (default 1).</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary><c>--first-message-timeout S</c> (default 3600).</summary>
    public double FirstMessageTimeoutSeconds { get; init; } = 3600;

    /// <summary><c>--idle-timeout S</c> (default 1800).</summary>
    public double IdleTimeoutSeconds { get; init; } = 1800;

    /// <summary><c>--startup-wait S</c>: how long to wait for the startup document to appear (default 60).</summary>
    public double StartupWaitSeconds { get; init; } = 60;
}

/// <summary>
/// <c>skymap worker</c>: runs one worker of a scan. <c>--stdio</c> serves the multi-process transport (frames on stdout,
/// logs on stderr); <c>--transport rabbitmq</c> consumes the scan's task queue. The broker address comes from
/// <c>--broker</c> or <c>SKYMAP_BROKER_ADDRESS</c>, credentials from <c>SKYMAP_BROKER_AUTH</c> (<c>user:password</c>, never logged).
/// Exit codes: 0 normal end, 1 setup error, 2 broken frame stream, 3 broker error.
/// </summary>
public static class WorkerCommandHandler
{
    /// <summary>Exit code of a setup error (bad option, missing or invalid startup document, unknown reco).</summary>
    public const int ExitSetupError = 1;

    /// <summary>Runs the worker. <paramref name="services"/> must provide a <see cref="RecoRegistry"/>; its <see cref="ILoggerFactory"/> is used except with <c>--stdio</c>, which logs to stderr.</summary>
    public static async Task<int> RunAsync(WorkerCommandOptions o, IServiceProvider services, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(services);
        using var stdioLoggers = o.Stdio ? CreateStderrLoggerFactory() : null;
        var loggers = stdioLoggers ?? services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var log = loggers.CreateLogger("Skymap.Worker");
        if (string.IsNullOrEmpty(o.StartupJson))
        {
            log.LogError("--startup-json PATH is required");
            return ExitSetupError;
        }

        if (o.Concurrency < 1 || o.Prefetch is < 1 or > ushort.MaxValue || o.FirstMessageTimeoutSeconds <= 0 || o.IdleTimeoutSeconds <= 0)
        {
            log.LogError("--concurrency and --prefetch must be ≥ 1, timeouts > 0");
            return ExitSetupError;
        }

        if (!o.Stdio && !string.Equals(o.Transport, "rabbitmq", StringComparison.OrdinalIgnoreCase))
        {
            log.LogError("unknown worker transport '{Transport}' (use --stdio or --transport rabbitmq)", o.Transport);
            return ExitSetupError;
        }

        var registry = services.GetRequiredService<RecoRegistry>();
        WorkerScan scan;
        try
        {
            var doc = await StartupDocument.ReadFileAsync(o.StartupJson, TimeSpan.FromSeconds(o.StartupWaitSeconds), ct).ConfigureAwait(false);
            scan = WorkerScan.Create(doc, registry, loggers.CreateLogger<WorkerScan>());
        }
        catch (Exception e) when (e is FileNotFoundException or StartupDocumentException or UnknownRecoException or RecoPluginException or ArgumentException or IOException)
        {
            log.LogError("Cannot set up the scan: {Error}", e.Message);
            return ExitSetupError;
        }

        if (o.Stdio)
        {
            // stdout carries frames only: anything else written to Console.Out goes to stderr.
            var stdout = Console.OpenStandardOutput();
            var stdin = Console.OpenStandardInput();
            Console.SetOut(Console.Error);
            var worker = new StdioWorker(scan, o.Concurrency, loggers.CreateLogger<StdioWorker>());
            return await worker.RunAsync(stdin, stdout, ct).ConfigureAwait(false);
        }

        BrokerSettings broker;
        try
        {
            broker = BrokerSettings.FromEnvironment(o.Broker);
        }
        catch (ArgumentException e)
        {
            log.LogError("{Error}", e.Message);
            return ExitSetupError;
        }

        var options = new RabbitMqWorkerOptions
        {
            Broker = broker,
            Concurrency = o.Concurrency,
            Prefetch = o.Prefetch is { } p ? (ushort)p : null,
            FirstMessageTimeout = TimeSpan.FromSeconds(o.FirstMessageTimeoutSeconds),
            IdleTimeout = TimeSpan.FromSeconds(o.IdleTimeoutSeconds),
            StartupPath = o.StartupJson,
            Registry = registry,
        };
        var rabbit = new RabbitMqWorker(scan, options, loggers.CreateLogger<RabbitMqWorker>());
        return await rabbit.RunAsync(ct).ConfigureAwait(false);
    }

    private static ILoggerFactory CreateStderrLoggerFactory() => LoggerFactory.Create(b => b
        .SetMinimumLevel(Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("SKYMAP_WORKER_LOG_LEVEL"), true, out var l) ? l : LogLevel.Information)
        .AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss.fff ";
        })
        .AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace));
}
