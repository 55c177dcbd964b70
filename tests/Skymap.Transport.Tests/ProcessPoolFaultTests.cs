using Microsoft.Extensions.Logging;
using Skymap.Transport.Contract;
using Skymap.Core.Pixels;
using Skymap.Core.Scanning;
using Skymap.Transport.Processes;
using Skymap.Transport.Tests.Support;

namespace Skymap.Transport.Tests;

/// <summary>Worker deaths, poison tasks, broken frames and broken installations in the multi-process transport.</summary>
public sealed class ProcessPoolFaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-pp-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_worker_killed_mid_scan_fails_its_task_and_is_respawned()
    {
        var s = TestScans.Startup(settings: TestScans.Settings(("sleep_ms", "30")), directory: _dir);
        await using var d = new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 2, Launch = TestWorkerProcess.StdioLaunch });
        await d.StartAsync(s, CancellationToken.None);
        var tasks = TestScans.Tasks(s, 30);
        var replies = 0;
        var killed = false;
        var failures = new List<RecoPixelVariation>();
        var final = await TestScans.RunWithRetriesAsync(d, tasks, k: 3, TimeSpan.FromSeconds(120), r =>
        {
            if (r.Status != PixelVariationStatus.Ok)
            {
                failures.Add(r);
            }

            if (++replies == 10 && !killed)
            {
                TestWorkerProcess.KillHard(d.WorkerProcessIds[0]);
                killed = true;
            }

            return Task.CompletedTask;
        });

        Assert.All(final.Values, r => Assert.Equal(PixelVariationStatus.Ok, r.Status));
        var failure = Assert.Single(failures);
        Assert.Equal("worker exited with code 137", failure.Error);
        Assert.True(d.Restarts >= 1);
        Assert.Equal(2, d.WorkerProcessIds.Count);
        await d.CompleteAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_poison_task_that_kills_every_worker_ends_failed_by_the_K_rule()
    {
        var s = TestScans.Startup(settings: TestScans.Settings(("kill", "2:5:0")), directory: _dir);
        await using var d = new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 2, Launch = TestWorkerProcess.StdioLaunch });
        await d.StartAsync(s, CancellationToken.None);
        var final = await TestScans.RunWithRetriesAsync(d, TestScans.Tasks(s, 8), k: 3, TimeSpan.FromSeconds(120));

        var poison = final[new PixelVariationId(2, 5, 0)];
        Assert.Equal(PixelVariationStatus.Failed, poison.Status);
        Assert.Equal(3, poison.Attempt);
        Assert.Contains("worker exited with code 137", poison.Error, StringComparison.Ordinal);
        Assert.Equal(15, final.Values.Count(r => r.Status == PixelVariationStatus.Ok));
        Assert.True(d.Restarts >= 2, $"restarts: {d.Restarts}");
        await d.CompleteAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_malformed_frame_gets_the_worker_killed_and_its_task_failed()
    {
        // A fake worker: ready frame, then reads a task header and answers with 3 bytes that are no PixelResult.
        const string script = "printf '\\000\\000\\000\\000'; head -c 4 >/dev/null; printf '\\003\\000\\000\\000abc'; exec sleep 60";
        var launch = new WorkerLaunch("/bin/sh", ["-c", script, "fake-worker"]);
        var s = TestScans.Startup(directory: _dir);
        var logs = new ListLoggerProvider();
        using var factory = logs.CreateFactory();
        await using var d = new ProcessPoolDispatcher(
            new ProcessPoolOptions { Workers = 1, Launch = launch, ShutdownTimeout = TimeSpan.FromSeconds(1) },
            factory.CreateLogger<ProcessPoolDispatcher>());
        await d.StartAsync(s, CancellationToken.None);
        var task = TestScans.Task(s, 2, 1, 0);
        await d.SendAsync([task], CancellationToken.None);

        var r = await d.ReceiveAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(r);
        Assert.Equal(task.Id, r.Id);
        Assert.Equal(PixelVariationStatus.Failed, r.Status);
        Assert.StartsWith("malformed frame from worker: malformed PixelResult", r.Error, StringComparison.Ordinal);
        Assert.Contains("worker killed", r.Error, StringComparison.Ordinal);
        Assert.Contains(logs.Lines, l => l.StartsWith("Error", StringComparison.Ordinal) && l.Contains("malformed frame", StringComparison.Ordinal));
        await d.CompleteAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Workers_that_die_before_becoming_ready_fail_the_dispatcher_with_their_stderr()
    {
        var launch = new WorkerLaunch("/bin/sh", ["-c", "echo 'cannot load reco xyz' >&2; exit 1", "broken-worker"]);
        var s = TestScans.Startup(directory: _dir);
        await using var d = new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 1, Launch = launch, MaxStartFailures = 3 });
        await d.StartAsync(s, CancellationToken.None);
        await d.SendAsync([TestScans.Task(s, 1, 0, 0)], CancellationToken.None);
        var e = await Assert.ThrowsAsync<WorkerStartException>(() => d.ReceiveAsync(TimeSpan.FromSeconds(60), CancellationToken.None));
        Assert.Contains("3 consecutive worker processes died before becoming ready", e.Message, StringComparison.Ordinal);
        Assert.Contains("cannot load reco xyz", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_worker_program_fails_the_dispatcher_at_once()
    {
        var s = TestScans.Startup(directory: _dir);
        await using var d = new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 1, Launch = new WorkerLaunch("/nonexistent/skymap", []) });
        await d.StartAsync(s, CancellationToken.None);
        var e = await Assert.ThrowsAsync<WorkerStartException>(() => d.ReceiveAsync(TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Contains("/nonexistent/skymap", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_task_for_another_startup_document_is_refused_naming_the_mismatch()
    {
        var s = TestScans.Startup(directory: _dir);
        await using var d = new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 1, Launch = TestWorkerProcess.StdioLaunch });
        await d.StartAsync(s, CancellationToken.None);
        await d.SendAsync([TestScans.Task(s, 1, 0, 0) with { StartupSha256 = "0123abcd" }], CancellationToken.None);
        var r = await d.ReceiveAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.NotNull(r);
        Assert.Equal(PixelVariationStatus.Failed, r.Status);
        Assert.Contains("startup_sha256 mismatch: task expects 0123abcd", r.Error, StringComparison.Ordinal);
        await d.CompleteAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Several_tasks_per_worker_are_fitted_concurrently()
    {
        var s = TestScans.Startup(settings: TestScans.Settings(("sleep_ms", "200")), directory: _dir);
        await using var d = new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 1, TasksPerWorker = 4, Launch = TestWorkerProcess.StdioLaunch });
        await d.StartAsync(s, CancellationToken.None);
        var tasks = TestScans.Tasks(s, 8);

        // Let the worker start before timing.
        await d.SendAsync([tasks[0]], CancellationToken.None);
        await TestScans.CollectAsync(d, [tasks[0].Id], TimeSpan.FromSeconds(30));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await d.SendAsync(tasks[1..], CancellationToken.None);
        var replies = await TestScans.CollectAsync(d, tasks[1..].Select(t => t.Id), TimeSpan.FromSeconds(30));
        Assert.All(replies, r => Assert.Equal(PixelVariationStatus.Ok, r.Status));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(15 * 0.2 * 0.75), $"15 tasks of 200 ms took {sw.Elapsed.TotalSeconds:0.00} s with 4 in flight");
        Assert.True(replies.Select(r => r.WorkerId).Distinct().Count() > 1, "replies come from several slots of the worker");
        await d.CompleteAsync(CancellationToken.None);
    }
}
