using System.Globalization;
using System.Text.Json.Nodes;
using RabbitMQ.Client;
using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Driver.Api;
using Skymap.Driver.Storage;
using Skymap.Transport.Checkpoints;
using Skymap.Transport.Driver;
using Skymap.Transport.InProcess;
using Skymap.Transport.RabbitMq;

namespace Skymap.Driver.Launch;

/// <summary>
/// The backlog runner and launcher (SERVICE.md §8) and the coordinators it starts: each launched scan runs Skymap's
/// <see cref="ScanEngine"/> in this process, with in-process workers or RabbitMQ queues for external worker pools, and
/// reports through the service's own routes with a system token. At start-up, scans a crash or restart interrupted are
/// resumed from their checkpoint (up to <see cref="LaunchOptions.MaxResumes"/> times), else marked failed.
/// </summary>
internal sealed class Launcher(
    DriverStore store, LaunchOptions options, ScanRuntime runtime, RecoRegistry registry, SelfClientFactory selfClients,
    ILoggerFactory loggers, ILogger<Launcher> logger) : BackgroundService
{
    public const int AsapPriority = 100;

    private readonly SemaphoreSlim _wake = new(0, int.MaxValue);
    private CancellationToken _stopping;
    private double _lastLowLaunch = double.NegativeInfinity;

    public static string ModeName(IServiceProvider services) => services.GetRequiredService<LaunchOptions>().Mode;

    public static string RenderArgs(JsonObject request, NSideProgression progression, long? seed)
    {
        var real = ((string?)request["real_or_simulated_event"] ?? "").StartsWith("real", StringComparison.Ordinal);
        var pst = ((double?)request["predictive_scanning_threshold"] ?? 1.0).ToString("R", CultureInfo.InvariantCulture);
        var settings = string.Concat(ScanRoutes.RecoSettings(request).Select(kv => $" --reco-setting {kv.Key}={kv.Value}"));
        return $"--reco-algo {(string?)request["reco_algo"]} --nsides {progression} {(real ? "--real-event" : "--simulated-event")} --predictive-scanning-threshold {pst}{settings}"
            + (seed is { } s ? string.Create(CultureInfo.InvariantCulture, $" --seed {s}") : "");
    }

    /// <summary>Runs the backlog loop now (a new scan, a priority scan).</summary>
    public void Wake() => _wake.Release();

    /// <summary>Aborts a scan: deactivated ABORTED (and deleted when asked), coordinator cancelled, backlog entry and queues removed.</summary>
    public async Task<JsonObject?> AbortAsync(string scanId, string reason, bool markDeleted, CancellationToken ct)
    {
        var m = await store.UpdateManifestAsync(scanId, m =>
        {
            if (markDeleted)
            {
                m["is_deleted"] = true;
            }

            if (m["deactivated"] is null)
            {
                m["deactivated"] = "ABORTED";
                m["failure_reason"] = reason;
            }

            return true;
        }, ct);
        if (m is null)
        {
            return null;
        }

        runtime.Cancel(scanId);
        await store.RemoveBacklogAsync(scanId, ct);
        await store.AddTeardownAsync(scanId, DriverStore.Now(), ct);
        await store.AppendLogsAsync(scanId, [$"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} INFO Driver: scan aborted ({reason})"], ct);
        return m;
    }

    /// <summary>SERVICE.md §7 rescan: the same request again, with classifiers marking it; null when no request is found.</summary>
    public async Task<JsonObject?> RescanAsync(string scanId, bool abortFirst, bool replace, CancellationToken ct)
    {
        if (!ScanDocs.IsScanIdShaped(scanId) || await store.FindRequestForRescanAsync(scanId, ct) is not { } request)
        {
            return null;
        }

        var old = await store.GetManifestAsync(scanId, ct);
        var classifiers = (JsonObject)((old?["classifiers"] as JsonObject) ?? (request["classifiers"] as JsonObject) ?? []).DeepClone();
        classifiers["rescan"] = true;
        classifiers["origin_scan_id"] = scanId;
        var now = DateTimeOffset.UtcNow;
        var newId = ScanDocs.NewScanId(now);
        var external = (bool?)request["external_scanner"] ?? false;
        var manifest = ScanRoutes.NewManifest(newId, now, (int?)request["priority"] ?? 0, classifiers, (string)request["event_ref"]!, external ? "External" : options.Mode);
        var progression = NSideProgression.Parse(string.Join(' ', ((JsonObject)request["nsides"]!).Select(kv => $"{kv.Key}:{(int)kv.Value!}")));
        manifest["scanner_server_args"] = RenderArgs(request, progression, (long?)request["seed"]);
        await store.InsertScanAsync(new ScanInsert(null, manifest, (string)request["event_ref"]!, null, Backlog: !external, null), ct);
        await store.AddRescanIdAsync((string)request["scan_id"]!, newId, ct);
        if (abortFirst)
        {
            await AbortAsync(scanId, $"aborted for rescan {newId}", markDeleted: true, ct);
        }

        if (replace)
        {
            await store.UpdateManifestAsync(scanId, m =>
            {
                m["replaced_by_scan_id"] = newId;
                return true;
            }, ct);
        }

        Wake();
        return manifest;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        await Task.Yield();
        try
        {
            await RecoverAsync(stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Recovery of interrupted scans failed; they are retried at the next start");
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
#pragma warning disable CA1031 // the loop restarts itself after any exception (SERVICE.md §8)
            catch (Exception e)
#pragma warning restore CA1031
            {
                logger.LogError(e, "Backlog runner failed; retrying");
            }

            try
            {
                await _wake.WaitAsync(options.BacklogShortDelay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await runtime.StopAllAsync(TimeSpan.FromSeconds(10));
    }

    private async Task TickAsync(CancellationToken ct)
    {
        await TeardownAsync(ct);
        if (await store.CountBacklogAsync(ct) == 0)
        {
            _lastLowLaunch = double.NegativeInfinity;
            return;
        }

        while (!ct.IsCancellationRequested)
        {
            var now = DriverStore.Now();
            var lowAllowed = runtime.Count < options.MaxRunningScans && now - _lastLowLaunch >= options.BacklogDelay.TotalSeconds;
            var entry = await store.ClaimBacklogAsync(now, now - options.ReviveTtl.TotalSeconds, lowAllowed ? int.MinValue : AsapPriority, ct);
            if (entry is null)
            {
                return;
            }

            var m = await store.GetManifestAsync(entry.ScanId, ct);
            if (m is null || (bool)m["is_deleted"]! || m["deactivated"] is not null)
            {
                await store.RemoveBacklogAsync(entry.ScanId, ct);
                continue;
            }

            if (entry.NextAttempt > options.MaxAttempts)
            {
                await store.RemoveBacklogAsync(entry.ScanId, ct);
                await MarkFailedAsync(entry.ScanId, $"not launched after {options.MaxAttempts} attempts", ct);
                continue;
            }

            try
            {
                await LaunchAsync(entry.ScanId, resumed: false, ct);
                await store.RemoveBacklogAsync(entry.ScanId, ct);
                if (entry.Priority < AsapPriority)
                {
                    _lastLowLaunch = now;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Scan {ScanId}: launch attempt {Attempt} failed", entry.ScanId, entry.NextAttempt);
                await store.AppendLogsAsync(entry.ScanId, [$"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} ERROR Driver: launch attempt {entry.NextAttempt} failed: {e.Message}"], ct);
            }
        }
    }

    private async Task RecoverAsync(CancellationToken ct)
    {
        foreach (var m in await store.ListInterruptedAsync(ct))
        {
            var id = (string)m["scan_id"]!;
            var launches = (int?)m["launch_count"] ?? 1;
            if (launches > options.MaxResumes)
            {
                await MarkFailedAsync(id, $"interrupted by {launches} service restarts; not resumed again", ct);
                continue;
            }

            logger.LogWarning("Scan {ScanId} was running when the service stopped; resuming it from its checkpoint", id);
            await store.AppendLogsAsync(id, [$"{DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm:ss} WARN Driver: the service restarted; resuming from the checkpoint"], ct);
            try
            {
                await LaunchAsync(id, resumed: true, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await MarkFailedAsync(id, $"could not be resumed after a restart: {e.Message}", ct);
            }
        }
    }

    private async Task LaunchAsync(string scanId, bool resumed, CancellationToken ct)
    {
        var request = await store.FindRequestForRescanAsync(scanId, ct) ?? throw new InvalidOperationException("no scan request");
        var progression = NSideProgression.Parse(string.Join(' ', ((JsonObject)request["nsides"]!).Select(kv => $"{kv.Key}:{(int)kv.Value!}")));
        var m = await store.UpdateManifestAsync(scanId, m =>
        {
            var seed = (long?)m["seed"] ?? (long?)request["seed"] ?? (long)ScanEngine.NewSeed();
            m["seed"] = seed;
            m["launched_at"] ??= DriverStore.Now();
            m["launch_mode"] = options.Mode;
            m["scanner_server_args"] = RenderArgs(request, progression, seed);
            m["launch_count"] = ((int?)m["launch_count"] ?? 0) + 1;
            return true;
        }, ct) ?? throw new InvalidOperationException("no manifest");

        var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        var workers = options.Mode == LaunchOptions.InProcess ? options.LocalWorkers : 0;
        if (!runtime.TryAdd(scanId, cts, workers))
        {
            cts.Dispose();
            return;
        }

        var task = Task.Run(() => RunAsync(scanId, request, m, progression, resumed, cts), CancellationToken.None);
        runtime.SetTask(scanId, task);
    }

    private async Task RunAsync(string scanId, JsonObject request, JsonObject manifest, NSideProgression progression, bool resumed, CancellationTokenSource cts)
    {
        var ct = cts.Token;
        var sink = new ScanLogSink(store, scanId, logger);
        var dir = Path.Combine(options.DataDirectory, "scans", scanId);
        Directory.CreateDirectory(dir);
        FileScanCheckpoint? checkpoint = null;
        try
        {
            var evtJson = await store.GetEventAsync((string)manifest["event_ref"]!, ct) ?? throw new InvalidOperationException("the scan's event is not stored");
            var evt = SkymapEventSerializer.Parse(evtJson);
            var reco = registry.Get((string)request["reco_algo"]!);
            var seed = (ulong)(long)manifest["seed"]!;
            var isReal = ((string?)request["real_or_simulated_event"] ?? "").StartsWith("real", StringComparison.Ordinal);
            var scanOptions = new ScanOptions
            {
                Progression = progression,
                PredictiveScanningThreshold = (double?)request["predictive_scanning_threshold"] ?? 1.0,
                Seed = seed,
                ScanId = scanId,
                IsRealEvent = isReal,
                TaskTimeout = TimeSpan.FromSeconds((long?)request["max_pixel_reco_time"] ?? 1800),
                ProgressInterval = options.ProgressInterval,
                ResultInterval = options.ResultInterval,
                ServerSilenceTimeout = options.ServerSilenceTimeout,
                StartupDirectory = dir,
                RecoSettings = ScanRoutes.RecoSettings(request),
            };
            var identity = FileScanCheckpoint.ComputeScanIdentity(evt, reco.Name, scanOptions.RecoSettings, progression, seed);
            checkpoint = new FileScanCheckpoint(dir, identity, new ScanLogger<FileScanCheckpoint>(loggers.CreateLogger<FileScanCheckpoint>(), sink));
            IPixelDispatcher inner = options.Mode == LaunchOptions.RabbitMq
                ? new RabbitMqDispatcher(
                    new RabbitMqDispatcherOptions
                    {
                        Broker = BrokerSettings.Parse(options.BrokerAddress, options.BrokerAuth),
                        StartupPath = Path.Combine(dir, "startup.json"),
                    },
                    new ScanLogger<RabbitMqDispatcher>(loggers.CreateLogger<RabbitMqDispatcher>(), sink))
                : new InProcessDispatcher(reco, options.LocalWorkers, new ScanLogger<InProcessDispatcher>(loggers.CreateLogger<InProcessDispatcher>(), sink));
            using var client = selfClients.Create();
            var observer = new DriverScanObserver(client, scanId, new ScanLogger<DriverScanObserver>(loggers.CreateLogger<DriverScanObserver>(), sink));
            sink.Write($"INFO Driver: {(resumed ? "resuming" : "starting")} scan ({options.Mode}, {(options.Mode == LaunchOptions.InProcess ? options.LocalWorkers + " local workers" : "external workers via RabbitMQ")}): {(string?)manifest["scanner_server_args"]}");
            var engine = new ScanEngine(reco, new RecordingDispatcher(inner, store), scanOptions, [observer, new RuntimeObserver(runtime, scanId)], checkpoint,
                new ScanLogger<ScanEngine>(loggers.CreateLogger<ScanEngine>(), sink));
            ScanOutcome outcome;
            await using (inner)
            {
                outcome = await engine.RunAsync(evt, ct);
            }

            if (outcome.Status == ScanStatus.Failed)
            {
                sink.Write($"ERROR Driver: scan failed: {outcome.Error}");
                await MarkFailedAsync(scanId, outcome.Error ?? "the scan failed", CancellationToken.None);
            }
            else
            {
                sink.Write(string.Create(CultureInfo.InvariantCulture, $"INFO Driver: scan completed in {outcome.Elapsed.TotalSeconds:0.0} s ({outcome.Tallies.Done} recos)"));
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            sink.Write(_stopping.IsCancellationRequested ? "WARN Driver: service stopping; the scan resumes at the next start" : "INFO Driver: coordinator cancelled");
        }
#pragma warning disable CA1031 // any coordinator failure marks the scan failed with its reason
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Scan {ScanId}: coordinator failed", scanId);
            sink.Write($"ERROR Driver: coordinator failed: {e.GetType().Name}: {e.Message}");
            await MarkFailedAsync(scanId, $"{e.GetType().Name}: {e.Message}", CancellationToken.None);
        }
        finally
        {
            checkpoint?.Dispose();
            await sink.DisposeAsync();
            runtime.Remove(scanId);
            cts.Dispose();
            Wake();
        }
    }

    private async Task MarkFailedAsync(string scanId, string reason, CancellationToken ct)
    {
        try
        {
            await store.UpdateManifestAsync(scanId, m =>
            {
                if (m["deactivated"] is not null)
                {
                    return false;
                }

                m["deactivated"] = "FAILED";
                m["failure_reason"] = reason.Length > 500 ? reason[..500] : reason;
                return true;
            }, ct);
            await store.AddTeardownAsync(scanId, DriverStore.Now() + options.TeardownDelay.TotalSeconds, ct);
        }
#pragma warning disable CA1031
        catch (Exception e)
#pragma warning restore CA1031
        {
            logger.LogError(e, "Scan {ScanId}: could not record the failure ({Reason})", scanId, reason);
        }
    }

    private async Task TeardownAsync(CancellationToken ct)
    {
        foreach (var id in await store.DueTeardownsAsync(DriverStore.Now(), ct))
        {
            if (runtime.ScanIds.Contains(id))
            {
                continue;
            }

            if (options.Mode == LaunchOptions.RabbitMq)
            {
                await DeleteQueuesAsync(id, ct);
            }

            await store.RemoveTeardownAsync(id, ct);
        }
    }

    private async Task DeleteQueuesAsync(string scanId, CancellationToken ct)
    {
        var factory = new ConnectionFactory { Uri = new Uri(options.BrokerAddress!), ClientProvidedName = "skymap-driver teardown" };
        if (options.BrokerAuth is { } auth && auth.IndexOf(':', StringComparison.Ordinal) is > 0 and var i)
        {
            factory.UserName = auth[..i];
            factory.Password = auth[(i + 1)..];
        }

        var names = new QueueNames(scanId);
        await using var connection = await factory.CreateConnectionAsync(ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        foreach (var q in new[] { names.ToClients, names.FromClients, names.DeadLetters })
        {
            await channel.QueueDeleteAsync(q, false, false, cancellationToken: ct);
        }

        logger.LogInformation("Scan {ScanId}: queues deleted", scanId);
    }
}
