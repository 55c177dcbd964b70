using Skymap.Core.Pixels;
using Skymap.Core.Scanning;

namespace Skymap.Transport.Contract;

/// <summary>
/// The one contract every transport honours (SCANNER.md §9): every task is answered, failures and timeouts are reported
/// (never swallowed), duplicates are tolerated, attempts are echoed, values travel bit for bit, and ReceiveAsync returns
/// null on silence. Each transport runs it through a subclass in its own test project: override
/// <see cref="CreateDispatcher"/> (and <see cref="StartWorkersAsync"/> / <see cref="StopWorkersAsync"/> when the workers are
/// not started by the transport itself). Workers must know the contract reco <see cref="TestDummyReco"/>
/// (<c>AddRecosFromAssemblies(typeof(TestDummyReco).Assembly)</c>).
/// </summary>
public abstract class DispatcherContractTests : IAsyncLifetime
{
    private readonly List<IPixelDispatcher> _dispatchers = [];

    protected string WorkDirectory { get; } = Directory.CreateTempSubdirectory("skymap-contract-").FullName;

    /// <summary>Creates the transport for a startup (not started).</summary>
    protected abstract IPixelDispatcher CreateDispatcher(ScanStartup startup);

    /// <summary>Starts whatever workers the transport does not start itself (after StartAsync).</summary>
    protected virtual Task StartWorkersAsync(IPixelDispatcher dispatcher, ScanStartup startup) => Task.CompletedTask;

    /// <summary>Stops those workers (after CompleteAsync).</summary>
    protected virtual Task StopWorkersAsync() => Task.CompletedTask;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var d in _dispatchers)
        {
            await d.DisposeAsync();
        }

        await StopWorkersAsync();
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    protected async Task<(IPixelDispatcher Dispatcher, ScanStartup Startup)> StartAsync(
        IReadOnlyDictionary<string, string>? settings = null, TimeSpan? taskTimeout = null)
    {
        var startup = TestScans.Startup(settings: settings, taskTimeout: taskTimeout, directory: WorkDirectory);
        var d = CreateDispatcher(startup);
        _dispatchers.Add(d);
        await d.StartAsync(startup, CancellationToken.None);
        await StartWorkersAsync(d, startup);
        return (d, startup);
    }

    [TransportFact]
    public async Task Every_task_is_answered_with_the_workers_fit()
    {
        var (d, s) = await StartAsync();
        var tasks = TestScans.Tasks(s, 12, nside: 1).Concat(TestScans.Tasks(s, 20, nside: 2)).ToList();
        await d.SendAsync(tasks, CancellationToken.None);
        var replies = await TestScans.CollectAsync(d, tasks.Select(t => t.Id), TimeSpan.FromSeconds(60));

        Assert.Equal(tasks.Select(t => t.Id).ToHashSet(), replies.Select(r => r.Id).ToHashSet());
        Assert.All(replies, r =>
        {
            Assert.Equal(PixelVariationStatus.Ok, r.Status);
            Assert.Equal(s.ScanId, r.ScanId);
            Assert.Equal(TestScans.ExpectedLlh(r.Id), r.Fit.Llh);
            Assert.True(double.IsNaN(r.Fit.RecoLossesInside));
            Assert.True(double.IsNaN(r.Fit.Energy));
            Assert.True(double.IsNegative(r.Fit.Position.Z) && r.Fit.Position.Z == 0, "−0.0 must survive the trip");
            Assert.NotEmpty(r.WorkerId);
        });
        await d.CompleteAsync(CancellationToken.None);
    }

    [TransportFact]
    public async Task A_failing_fit_is_reported_as_failed_with_its_reason()
    {
        var (d, s) = await StartAsync(TestScans.Settings(("fail", "2:3:0")));
        var tasks = TestScans.Tasks(s, 5);
        await d.SendAsync(tasks, CancellationToken.None);
        var replies = await TestScans.CollectAsync(d, tasks.Select(t => t.Id), TimeSpan.FromSeconds(60));

        var failed = Assert.Single(replies, r => r.Status != PixelVariationStatus.Ok);
        Assert.Equal(new Core.Pixels.PixelVariationId(2, 3, 0), failed.Id);
        Assert.Equal(PixelVariationStatus.Failed, failed.Status);
        Assert.Contains("on purpose", failed.Error, StringComparison.Ordinal);
        Assert.True(double.IsNaN(failed.Fit.Llh));
        await d.CompleteAsync(CancellationToken.None);
    }

    [TransportFact]
    public async Task A_fit_past_the_task_timeout_is_reported_as_timeout()
    {
        var (d, s) = await StartAsync(TestScans.Settings(("hang", "2:1:1")), taskTimeout: TimeSpan.FromSeconds(1));
        var tasks = TestScans.Tasks(s, 3);
        await d.SendAsync(tasks, CancellationToken.None);
        var replies = await TestScans.CollectAsync(d, tasks.Select(t => t.Id), TimeSpan.FromSeconds(60));

        var timedOut = Assert.Single(replies, r => r.Status != PixelVariationStatus.Ok);
        Assert.Equal(new Core.Pixels.PixelVariationId(2, 1, 1), timedOut.Id);
        Assert.Equal(PixelVariationStatus.Timeout, timedOut.Status);
        await d.CompleteAsync(CancellationToken.None);
    }

    [TransportFact]
    public async Task Duplicate_tasks_are_tolerated_and_attempts_echoed()
    {
        var (d, s) = await StartAsync();
        var t = TestScans.Task(s, 2, 7, 0);
        await d.SendAsync([t, t, t with { Attempt = 3 }], CancellationToken.None);
        var replies = new List<RecoPixelVariation>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!replies.Any(r => r.Attempt == 3) && DateTime.UtcNow < deadline)
        {
            if (await d.ReceiveAsync(TimeSpan.FromSeconds(5), CancellationToken.None) is { } r)
            {
                await d.AcknowledgeAsync(r, CancellationToken.None);
                replies.Add(r);
            }
        }

        Assert.Contains(replies, r => r.Attempt == 3);
        Assert.All(replies, r => Assert.Equal((t.Id, PixelVariationStatus.Ok, TestScans.ExpectedLlh(t.Id)), (r.Id, r.Status, r.Fit.Llh)));

        // The transport keeps working after duplicates.
        var next = TestScans.Task(s, 2, 8, 1);
        await d.SendAsync([next], CancellationToken.None);
        await TestScans.CollectAsync(d, [next.Id], TimeSpan.FromSeconds(60));
        await d.CompleteAsync(CancellationToken.None);
    }

    [TransportFact]
    public async Task Receive_returns_null_when_nothing_arrives_within_the_timeout()
    {
        var (d, _) = await StartAsync();
        var started = DateTime.UtcNow;
        var r = await d.ReceiveAsync(TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.Null(r);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        await d.CompleteAsync(CancellationToken.None);
    }

    [TransportFact]
    public async Task Retries_of_failed_attempts_follow_the_engine_rule()
    {
        var (d, s) = await StartAsync(TestScans.Settings(("fail", "2:0:1")));
        var tasks = TestScans.Tasks(s, 4);
        var final = await TestScans.RunWithRetriesAsync(d, tasks, k: 3, TimeSpan.FromSeconds(60));
        var poison = final[new Core.Pixels.PixelVariationId(2, 0, 1)];
        Assert.Equal(PixelVariationStatus.Failed, poison.Status);
        Assert.Equal(3, poison.Attempt);
        Assert.Equal(7, final.Values.Count(r => r.Status == PixelVariationStatus.Ok));
        await d.CompleteAsync(CancellationToken.None);
    }

    [TransportFact]
    public async Task Many_tasks_flow_through()
    {
        var (d, s) = await StartAsync();
        var tasks = TestScans.Tasks(s, 48, nside: 2).Concat(TestScans.Tasks(s, 100, nside: 4)).ToList();
        await d.SendAsync(tasks, CancellationToken.None);
        var replies = await TestScans.CollectAsync(d, tasks.Select(t => t.Id), TimeSpan.FromSeconds(120));
        Assert.All(replies, r => Assert.Equal(PixelVariationStatus.Ok, r.Status));
        await d.CompleteAsync(CancellationToken.None);
    }
}
