using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Skymap.Transport.Contract;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;
using Skymap.Transport.RabbitMq;
using Skymap.Transport.Startup;
using Skymap.Transport.Tests.Support;
using Skymap.Transport.Wire;
using Skymap.Transport.Workers;

namespace Skymap.Transport.Tests;

/// <summary>RabbitMQ-specific behaviour against a real broker: queues, dead letters, worker deaths, broker restarts.</summary>
[RequiresBroker]
public sealed class RabbitMqFaultTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-rmq-").FullName;
    private readonly List<Process> _processes = [];
    private readonly List<(Task<int> Run, CancellationTokenSource Stop)> _inProcess = [];
    private IConnection? _admin;

    public async Task InitializeAsync() => _admin = await Broker.Settings.CreateFactory("skymap-tests").CreateConnectionAsync();

    public async Task DisposeAsync()
    {
        foreach (var p in _processes)
        {
            TestWorkerProcess.Stop(p);
        }

        foreach (var (run, stop) in _inProcess)
        {
            await stop.CancelAsync();
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }
        }

        if (_admin is not null)
        {
            await _admin.CloseAsync();
            _admin.Dispose();
        }

        Directory.Delete(_dir, recursive: true);
    }

    [TransportFact]
    public async Task Queues_are_durable_quorum_queues_deleted_when_the_scan_completes()
    {
        var s = TestScans.Startup(directory: _dir) with { MaxAttempts = 4 };
        await using var d = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = Broker.Settings });
        await d.StartAsync(s, CancellationToken.None);
        var names = d.Queues!;
        Assert.Equal($"to-clients-{s.ScanId}", names.ToClients);
        Assert.Equal($"from-clients-{s.ScanId}", names.FromClients);
        Assert.True(File.Exists(Path.Combine(_dir, "startup.json")));

        // Re-declaring with the documented arguments succeeds only if they match (else PRECONDITION_FAILED).
        await using (var ch = await _admin!.CreateChannelAsync())
        {
            await ch.QueueDeclareAsync(names.ToClients, true, false, false, new Dictionary<string, object?>
            {
                ["x-queue-type"] = "quorum",
                ["x-delivery-limit"] = 4,
                ["x-dead-letter-exchange"] = "",
                ["x-dead-letter-routing-key"] = names.FromClients,
            });
            await ch.QueueDeclareAsync(names.FromClients, true, false, false, new Dictionary<string, object?> { ["x-queue-type"] = "quorum" });
        }

        // Task properties as specified.
        await d.SendAsync([TestScans.Task(s, 2, 9, 1, attempt: 2)], CancellationToken.None);
        await using (var ch = await _admin.CreateChannelAsync())
        {
            var m = await ch.BasicGetAsync(names.ToClients, autoAck: true);
            Assert.NotNull(m);
            Assert.Equal("application/x-msgpack", m.BasicProperties.ContentType);
            Assert.Equal("PixelTask", m.BasicProperties.Type);
            Assert.Equal("2:9:1:2", m.BasicProperties.MessageId);
            Assert.True(m.BasicProperties.Persistent);
            Assert.Equal(new PixelVariationId(2, 9, 1), WireFormat.DecodeTask(m.Body.Span).Id);
        }

        await d.CompleteAsync(CancellationToken.None);
        foreach (var q in new[] { names.ToClients, names.FromClients, names.DeadLetters })
        {
            await using var ch = await _admin.CreateChannelAsync();
            var e = await Assert.ThrowsAsync<OperationInterruptedException>(() => ch.QueueDeclarePassiveAsync(q));
            Assert.Equal(404, e.ShutdownReason!.ReplyCode);
        }
    }

    [TransportFact]
    public async Task A_worker_process_killed_mid_task_has_its_task_redelivered_to_another_worker()
    {
        var s = TestScans.Startup(settings: TestScans.Settings(("sleep_ms", "100")), directory: _dir);
        await using var d = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = Broker.Settings });
        await d.StartAsync(s, CancellationToken.None);
        var a = StartWorkerProcess(d.StartupPath!);
        StartWorkerProcess(d.StartupPath!);
        var tasks = TestScans.Tasks(s, 20);
        await d.SendAsync(tasks, CancellationToken.None);
        var n = 0;
        var replies = await TestScans.CollectAsync(d, tasks.Select(t => t.Id), TimeSpan.FromSeconds(120), r =>
        {
            if (++n == 5)
            {
                TestWorkerProcess.KillHard(a.Id);
            }

            return Task.CompletedTask;
        });

        Assert.All(replies, r => Assert.Equal(PixelVariationStatus.Ok, r.Status));
        Assert.True(a.WaitForExit(10_000));
        Assert.Equal(137, a.ExitCode);
        await d.CompleteAsync(CancellationToken.None);
    }

    [TransportFact]
    public async Task A_poison_task_is_dead_lettered_after_the_delivery_limit()
    {
        var s = TestScans.Startup(settings: TestScans.Settings(("kill", "2:2:0")), directory: _dir) with { MaxAttempts = 2 };
        await using var d = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = Broker.Settings });
        await d.StartAsync(s, CancellationToken.None);
        var tasks = TestScans.Tasks(s, 4);
        await d.SendAsync(tasks, CancellationToken.None);

        // A supervisor keeps one worker process alive, as a batch system would restart a dead job.
        var deaths = 0;
        using var stop = new CancellationTokenSource();
        var supervisor = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var p = StartWorkerProcess(d.StartupPath!);
                await p.WaitForExitAsync(stop.Token);
                if (p.ExitCode == 137)
                {
                    Interlocked.Increment(ref deaths);
                }
            }
        });

        var replies = await TestScans.CollectAsync(d, tasks.Select(t => t.Id), TimeSpan.FromSeconds(180));
        await stop.CancelAsync();
        try
        {
            // The supervisor ends either inside WaitForExitAsync (cancelled) or at its loop test.
            await supervisor;
        }
        catch (OperationCanceledException)
        {
        }

        var poison = Assert.Single(replies, r => r.Status != PixelVariationStatus.Ok);
        Assert.Equal(new PixelVariationId(2, 2, 0), poison.Id);
        Assert.Equal(PixelVariationStatus.DeadLettered, poison.Status);
        Assert.Contains("delivery_limit", poison.Error, StringComparison.Ordinal);
        Assert.Equal(7, replies.Count(r => r.Status == PixelVariationStatus.Ok));
        Assert.InRange(deaths, 2, 3); // x-delivery-limit 2: the broker gives up after the limit is exceeded
        await d.CompleteAsync(CancellationToken.None);
    }

    [TransportFact]
    public async Task Undecodable_messages_go_to_the_dead_letter_queue_and_the_scan_goes_on()
    {
        var s = TestScans.Startup(directory: _dir);
        var logs = new ListLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var d = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = Broker.Settings }, factory.CreateLogger<RabbitMqDispatcher>());
        await d.StartAsync(s, CancellationToken.None);
        StartInProcessWorker(d.StartupPath!, factory.CreateLogger<RabbitMqWorker>());
        var names = d.Queues!;
        await using (var ch = await _admin!.CreateChannelAsync())
        {
            await ch.BasicPublishAsync("", names.ToClients, true, new BasicProperties { Type = "PixelTask" }, "not msgpack \xff"u8.ToArray());
            // MessagePack, but a task cut short: still malformed, still dead-lettered.
            await ch.BasicPublishAsync("", names.ToClients, true, new BasicProperties { Type = "PixelTask" }, WireFormat.EncodeTask(TestScans.Task(s, 1, 4, 0))[..^3]);
            await ch.BasicPublishAsync("", names.FromClients, true, new BasicProperties { Type = "PixelResult" }, new byte[] { 0x61, 0x62, 0x63 });
            await ch.BasicPublishAsync("", names.FromClients, true, new BasicProperties { Type = "Bogus" }, new byte[] { 1 });
        }

        var task = TestScans.Task(s, 1, 3, 0);
        await d.SendAsync([task], CancellationToken.None);
        var r = Assert.Single(await TestScans.CollectAsync(d, [task.Id], TimeSpan.FromSeconds(60)));
        Assert.Equal(PixelVariationStatus.Ok, r.Status);

        await using (var ch = await _admin.CreateChannelAsync())
        {
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (await ch.MessageCountAsync(names.DeadLetters) < 4 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            Assert.Equal(4u, await ch.MessageCountAsync(names.DeadLetters));
            var m = await ch.BasicGetAsync(names.DeadLetters, autoAck: true);
            Assert.NotNull(m);
            Assert.NotNull(RabbitMqDispatcher.HeaderText(m.BasicProperties.Headers, "x-skymap-error"));
        }

        Assert.Contains(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("Undecodable message", StringComparison.Ordinal) && l.Contains(names.ToClients, StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("unexpected message type 'Bogus'", StringComparison.Ordinal));
        await d.CompleteAsync(CancellationToken.None);

        // A non-empty dead-letter queue is kept for inspection; clean it up here.
        await using (var ch = await _admin.CreateChannelAsync())
        {
            Assert.Equal(3u, await ch.MessageCountAsync(names.DeadLetters));
            await ch.QueueDeleteAsync(names.DeadLetters);
        }
    }

    [TransportFact]
    public async Task A_broker_restart_mid_scan_loses_no_task()
    {
        if (!Broker.Ctl("status"))
        {
            return; // rabbitmqctl not usable here (remote broker): nothing to restart.
        }

        var s = TestScans.Startup(settings: TestScans.Settings(("sleep_ms", "20")), directory: _dir);
        var logs = new ListLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var d = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = Broker.Settings }, factory.CreateLogger<RabbitMqDispatcher>());
        await d.StartAsync(s, CancellationToken.None);
        StartInProcessWorker(d.StartupPath!, factory.CreateLogger("worker-a"));
        StartInProcessWorker(d.StartupPath!, factory.CreateLogger("worker-b"));
        var first = TestScans.Tasks(s, 60);
        var second = TestScans.Tasks(s, 40, nside: 4);
        await d.SendAsync(first, CancellationToken.None);
        var n = 0;
        Task? sendDuringOutage = null;
        var replies = await TestScans.CollectAsync(d, first.Concat(second).Select(t => t.Id), TimeSpan.FromSeconds(240), async r =>
        {
            if (++n == 20)
            {
                Assert.True(Broker.Ctl("stop_app"));
                sendDuringOutage = d.SendAsync(second, CancellationToken.None);
                await Task.Delay(2000);
                Assert.True(Broker.Ctl("start_app"));
                Assert.True(Broker.Ctl("await_startup"));
            }
        });

        await sendDuringOutage!;
        File.WriteAllLines(Path.Combine(Path.GetTempPath(), "skymap-broker-restart.log"), logs.Lines);
        Assert.Contains(logs.Lines, l => l.Contains("Broker connection lost", StringComparison.Ordinal));
        Assert.Contains(logs.Lines, l => l.Contains("Broker connection recovered", StringComparison.Ordinal));
        Assert.All(replies, r => Assert.Equal(PixelVariationStatus.Ok, r.Status));
        Assert.All(replies, r => Assert.Equal(TestScans.ExpectedLlh(r.Id), r.Fit.Llh));
        await d.CompleteAsync(CancellationToken.None);
    }

    [TransportFact]
    public async Task Workers_end_on_first_message_timeout_idle_timeout_and_scan_end()
    {
        var s = TestScans.Startup(directory: _dir);
        await using var d = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = Broker.Settings });
        await d.StartAsync(s, CancellationToken.None);
        var doc = await StartupDocument.ReadFileAsync(d.StartupPath!, TimeSpan.FromSeconds(1), CancellationToken.None);
        RabbitMqWorker Worker(double first, double idle) => new(doc.CreateHost(TestScans.Registry), new RabbitMqWorkerOptions
        {
            Broker = Broker.Settings,
            FirstMessageTimeout = TimeSpan.FromSeconds(first),
            IdleTimeout = TimeSpan.FromSeconds(idle),
        });

        var sw = Stopwatch.StartNew();
        var lonely = Worker(1, 600);
        Assert.Equal(RabbitMqWorker.ExitOk, await lonely.RunAsync(CancellationToken.None));
        Assert.InRange(sw.Elapsed.TotalSeconds, 0.9, 10);
        Assert.Contains("first-message timeout", lonely.StopReason, StringComparison.Ordinal);

        var idle = Worker(600, 1);
        var idleRun = idle.RunAsync(CancellationToken.None);
        var task = TestScans.Task(s, 1, 0, 0);
        await d.SendAsync([task], CancellationToken.None);
        await TestScans.CollectAsync(d, [task.Id], TimeSpan.FromSeconds(30));
        Assert.Equal(RabbitMqWorker.ExitOk, await idleRun.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("idle", idle.StopReason, StringComparison.Ordinal);
        Assert.Equal(1, idle.TasksCompleted);

        var patient = Worker(600, 600);
        var patientRun = patient.RunAsync(CancellationToken.None);
        await Task.Delay(1000);
        await d.CompleteAsync(CancellationToken.None);
        Assert.Equal(RabbitMqWorker.ExitOk, await patientRun.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("scan finished", patient.StopReason, StringComparison.Ordinal);
    }

    [TransportFact]
    public async Task Broker_credentials_are_never_logged()
    {
        const string user = "skymap-test-user", password = "pw-Zx9-never-logged";
        if (!Broker.Ctl("status"))
        {
            return;
        }

        Broker.Ctl("delete_user", user);
        Assert.True(Broker.Ctl("add_user", user, password));
        Assert.True(Broker.Ctl("set_permissions", "-p", "/", user, ".*", ".*", ".*"));
        try
        {
            var b = Broker.Settings;
            var settings = BrokerSettings.Parse($"amqp://{b.Host}:{b.Port}/", $"{user}:{password}");
            Assert.DoesNotContain(password, settings.ToString(), StringComparison.Ordinal);
            var logs = new ListLoggerProvider();
            using var factory = logs.CreateFactory();
            var s = TestScans.Startup(directory: _dir);
            await using var d = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = settings }, factory.CreateLogger<RabbitMqDispatcher>());
            await d.StartAsync(s, CancellationToken.None);
            var doc = await StartupDocument.ReadFileAsync(d.StartupPath!, TimeSpan.FromSeconds(1), CancellationToken.None);
            var worker = new RabbitMqWorker(doc.CreateHost(TestScans.Registry, factory.CreateLogger("scan")),
                new RabbitMqWorkerOptions { Broker = settings, IdleTimeout = TimeSpan.FromSeconds(1) }, factory.CreateLogger<RabbitMqWorker>());
            var run = worker.RunAsync(CancellationToken.None);
            var task = TestScans.Task(s, 1, 1, 0);
            await d.SendAsync([task], CancellationToken.None);
            await TestScans.CollectAsync(d, [task.Id], TimeSpan.FromSeconds(30));
            await d.CompleteAsync(CancellationToken.None);
            await run;

            var bad = BrokerSettings.Parse($"amqp://{b.Host}:{b.Port}/", $"{user}:wrong-{password}");
            await using var refused = new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = bad }, factory.CreateLogger<RabbitMqDispatcher>());
            var e = await Assert.ThrowsAnyAsync<Exception>(() => refused.StartAsync(TestScans.Startup(directory: _dir), CancellationToken.None));
            Assert.DoesNotContain(password, e.ToString(), StringComparison.Ordinal);

            Assert.NotEmpty(logs.Lines);
            Assert.Contains(logs.Lines, l => l.Contains(user, StringComparison.Ordinal));
            Assert.DoesNotContain(logs.Lines, l => l.Contains(password, StringComparison.Ordinal));
        }
        finally
        {
            Broker.Ctl("delete_user", user);
        }
    }

    private Process StartWorkerProcess(string startupPath)
    {
        var p = TestWorkerProcess.StartRabbitMq(startupPath);
        lock (_processes)
        {
            _processes.Add(p);
        }

        return p;
    }

    private void StartInProcessWorker(string startupPath, ILogger? logger = null)
    {
        var doc = StartupDocument.ReadFileAsync(startupPath, TimeSpan.FromSeconds(5), CancellationToken.None).GetAwaiter().GetResult();
        var worker = new RabbitMqWorker(doc.CreateHost(TestScans.Registry), new RabbitMqWorkerOptions
        {
            Broker = Broker.Settings,
            FirstMessageTimeout = TimeSpan.FromSeconds(120),
            IdleTimeout = TimeSpan.FromSeconds(120),
        }, logger);
        var stop = new CancellationTokenSource();
        _inProcess.Add((Task.Run(() => worker.RunAsync(stop.Token)), stop));
    }
}
