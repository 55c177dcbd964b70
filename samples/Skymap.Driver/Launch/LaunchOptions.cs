using System.Globalization;

namespace Skymap.Driver.Launch;

/// <summary>How scans are launched and run (SERVICE.md §8, §10), read from configuration.</summary>
internal sealed record LaunchOptions
{
    public const string InProcess = "InProcess";
    public const string RabbitMq = "RabbitMq";

    public string Mode { get; init; } = InProcess;

    public int LocalWorkers { get; init; } = Environment.ProcessorCount;

    public int MaxRunningScans { get; init; } = 1;

    public TimeSpan BacklogShortDelay { get; init; } = TimeSpan.FromSeconds(15);

    public TimeSpan BacklogDelay { get; init; } = TimeSpan.FromSeconds(300);

    public TimeSpan ReviveTtl { get; init; } = TimeSpan.FromSeconds(300);

    public int MaxAttempts { get; init; } = 3;

    public TimeSpan TeardownDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Times a scan interrupted by service restarts is resumed before it is marked failed.</summary>
    public int MaxResumes { get; init; } = 3;

    public TimeSpan ProgressInterval { get; init; } = TimeSpan.FromSeconds(60);

    public TimeSpan ResultInterval { get; init; } = TimeSpan.FromSeconds(120);

    public TimeSpan ServerSilenceTimeout { get; init; } = TimeSpan.FromSeconds(7200);

    /// <summary>Where checkpoints, startup documents and rendered products of scans live.</summary>
    public required string DataDirectory { get; init; }

    public string? BrokerAddress { get; init; }

    public string? BrokerAuth { get; init; }

    public static LaunchOptions From(IConfiguration c)
    {
        var mode = (c["Launch:Mode"] ?? InProcess).Trim();
        mode = mode.ToUpperInvariant() switch
        {
            "INPROCESS" => InProcess,
            "RABBITMQ" => RabbitMq,
            _ => throw new InvalidOperationException($"Launch:Mode must be InProcess or RabbitMq, got '{mode}'"),
        };
        var sqlite = Path.GetFullPath(c["Storage:SqlitePath"] is { Length: > 0 } p ? p : "skymap-driver.db");
        var o = new LaunchOptions
        {
            Mode = mode,
            LocalWorkers = Int(c, "Launch:LocalWorkers", Environment.ProcessorCount, 1),
            MaxRunningScans = Int(c, "Launch:MaxRunningScans", 1, 1),
            BacklogShortDelay = Seconds(c, "Launch:BacklogShortDelaySeconds", 15),
            BacklogDelay = Seconds(c, "Launch:BacklogDelaySeconds", 300),
            ReviveTtl = Seconds(c, "Launch:ReviveSeconds", 300),
            MaxAttempts = Int(c, "Launch:MaxAttempts", 3, 1),
            TeardownDelay = Seconds(c, "Launch:TeardownDelaySeconds", 60),
            MaxResumes = Int(c, "Launch:MaxResumes", 3, 0),
            ProgressInterval = Seconds(c, "Scanner:ProgressIntervalSeconds", 60),
            ResultInterval = Seconds(c, "Scanner:ResultIntervalSeconds", 120),
            ServerSilenceTimeout = Seconds(c, "Scanner:ServerSilenceTimeoutSeconds", 7200),
            DataDirectory = Path.GetFullPath(c["Storage:DataDirectory"] is { Length: > 0 } d ? d : sqlite + ".data"),
            BrokerAddress = c["RabbitMq:Address"] ?? Environment.GetEnvironmentVariable("SKYMAP_BROKER_ADDRESS"),
            BrokerAuth = c["RabbitMq:Auth"] ?? Environment.GetEnvironmentVariable("SKYMAP_BROKER_AUTH"),
        };
        if (o.Mode == RabbitMq && string.IsNullOrWhiteSpace(o.BrokerAddress))
        {
            throw new InvalidOperationException("Launch:Mode RabbitMq needs RabbitMq:Address (or SKYMAP_BROKER_ADDRESS)");
        }

        return o;
    }

    private static int Int(IConfiguration c, string key, int def, int min)
    {
        if (c[key] is not { Length: > 0 } s)
        {
            return def;
        }

        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= min
            ? v : throw new InvalidOperationException($"{key} must be an integer >= {min}, got '{s}'");
    }

    private static TimeSpan Seconds(IConfiguration c, string key, double def)
    {
        if (c[key] is not { Length: > 0 } s)
        {
            return TimeSpan.FromSeconds(def);
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && v > 0 && double.IsFinite(v)
            ? TimeSpan.FromSeconds(v) : throw new InvalidOperationException($"{key} must be a positive number of seconds, got '{s}'");
    }
}
