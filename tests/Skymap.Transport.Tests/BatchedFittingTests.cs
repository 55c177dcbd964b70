using Skymap.Core.Events;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;
using Skymap.Core.Results;
using Skymap.Core.Scanning;
using Skymap.Recos;
using Skymap.Transport.Contract;
using Skymap.Transport.InProcess;
using Skymap.Transport.Processes;
using Skymap.Transport.Tests.Support;

namespace Skymap.Transport.Tests;

/// <summary>
/// Batched fitting: the worker host hands a batch-capable reco worker several requests per call (checks, per-request
/// failures and the timeout kept), and the transports use it; a batched pandel_mpe scan (ILGPU CPU accelerator, fits in
/// lockstep) gives the same result whatever the worker count or transport, and the one-at-a-time SIMD scan's llh.
/// </summary>
public sealed class BatchedFittingTests
{
    [Fact]
    public void RunBatch_answers_each_request_refuses_strangers_and_fails_only_the_request_that_failed()
    {
        var startup = TestScans.Startup(settings: TestScans.Settings(("fail", "2:3:0")));
        var host = ScanWorkerHost.ForStartup(startup);
        var worker = new CountingBatchWorker(host.CreateWorker());
        var tasks = TestScans.Tasks(startup, 6);
        tasks[4] = tasks[4] with { ScanId = "another-scan" };

        var replies = host.RunBatch(worker, tasks, "w", CancellationToken.None);

        Assert.Equal(tasks.Select(t => t.Id), replies.Select(r => r.Id));
        Assert.Equal([11], worker.BatchSizes);
        Assert.Equal(PixelVariationStatus.Failed, replies[4].Status);
        Assert.Contains("another-scan", replies[4].Error, StringComparison.Ordinal);
        var failed = replies.Single(r => r.Id == new PixelVariationId(2, 3, 0));
        Assert.Equal(PixelVariationStatus.Failed, failed.Status);
        Assert.Contains("on purpose", failed.Error, StringComparison.Ordinal);
        Assert.All(replies.Where(r => r.Status == PixelVariationStatus.Ok), r => Assert.Equal(TestScans.ExpectedLlh(r.Id), r.Fit.Llh));
        Assert.Equal(10, replies.Count(r => r.Status == PixelVariationStatus.Ok));
    }

    [Fact]
    public void A_batch_past_the_task_timeout_is_answered_timeout_for_each_request()
    {
        var startup = TestScans.Startup(settings: TestScans.Settings(("hang", "2:1:1")), taskTimeout: TimeSpan.FromMilliseconds(300));
        var host = ScanWorkerHost.ForStartup(startup);
        var replies = host.RunBatch(new CountingBatchWorker(host.CreateWorker()), TestScans.Tasks(startup, 3), "w", CancellationToken.None);
        Assert.All(replies, r => Assert.Equal(PixelVariationStatus.Timeout, r.Status));
        Assert.Equal(6, replies.Count);
    }

    [Fact]
    public async Task The_in_process_transport_hands_a_batch_worker_the_requests_at_hand()
    {
        var reco = new BatchingReco();
        var startup = TestScans.Startup() with { Reco = reco };
        await using var d = new InProcessDispatcher(1);
        var tasks = TestScans.Tasks(startup, 100, nside: 4);
        await d.SendAsync(tasks, CancellationToken.None);
        await d.StartAsync(startup, CancellationToken.None);
        var replies = await TestScans.CollectAsync(d, tasks.Select(t => t.Id), TimeSpan.FromSeconds(60));

        Assert.All(replies, r => Assert.Equal(TestScans.ExpectedLlh(r.Id), r.Fit.Llh));
        var sizes = reco.Workers.Single().BatchSizes;
        Assert.True(sizes.Max() > 1, $"batches of {string.Join(",", sizes)}");
        Assert.True(sizes.Max() <= CountingBatchWorker.Preferred);
        Assert.Equal(200, sizes.Sum());
    }

    [Fact]
    public async Task A_lockstep_pandel_scan_is_the_same_for_any_worker_count_and_through_processes_and_matches_simd()
    {
        var one = await Scan(new InProcessDispatcher(1), "ilgpu-cpu");
        var two = await Scan(new InProcessDispatcher(2), "ilgpu-cpu");
        var processes = await Scan(
            new ProcessPoolDispatcher(new ProcessPoolOptions { Workers = 2, BatchSize = 16, Launch = TestWorkerProcess.StdioLaunch }), "ilgpu-cpu");
        var simd = await Scan(new InProcessDispatcher(2), "simd");

        Assert.Equal(PandelScans.Fingerprint(one), PandelScans.Fingerprint(two));
        Assert.Equal(PandelScans.Fingerprint(one), PandelScans.Fingerprint(processes));
        var batched = one.Blocks.Single().Rows.ToDictionary(r => r.Index, r => r.Llh);
        var single = simd.Blocks.Single().Rows.ToDictionary(r => r.Index, r => r.Llh);
        Assert.Equal(single.Keys.Order(), batched.Keys.Order());
        Assert.All(single, kv => Assert.True(Math.Abs(batched[kv.Key] - kv.Value) <= 1e-6 * Math.Abs(kv.Value), $"pixel {kv.Key}: {batched[kv.Key]} vs {kv.Value}"));
        Assert.Equal(simd.BestFit()!.Value.Index, one.BestFit()!.Value.Index);
    }

    /// <summary>The scan of these tests: nsides 1:0, seed 3, with a kernel.</summary>
    internal static Task<SkyScanResult> Scan(IPixelDispatcher dispatcher, string kernel, string? directory = null) =>
        PandelScans.RunAsync(dispatcher, "1:0", 3, kernel, directory);

    /// <summary>The contract reco with batch-capable workers that record their batch sizes.</summary>
    private sealed class BatchingReco : IRecoAlgorithm
    {
        private readonly TestDummyReco _inner = new();

        public List<CountingBatchWorker> Workers { get; } = [];

        public string Name => _inner.Name;

        public IReadOnlyList<Core.Geometry.Vector3D> VertexVariations => _inner.VertexVariations;

        public RecoFlags Flags => _inner.Flags;

        public void ValidateSettings(RecoContext context) => _inner.ValidateSettings(context);

        public PreparedEvent Prepare(SkymapEvent evt, RecoContext context) => _inner.Prepare(evt, context);

        public IRecoWorker CreateWorker(PreparedEvent prepared, RecoContext context)
        {
            var w = new CountingBatchWorker(_inner.CreateWorker(prepared, context));
            Workers.Add(w);
            return w;
        }
    }

    /// <summary>Fits a batch one request after another with an inner worker (per-request exceptions become items).</summary>
    private sealed class CountingBatchWorker(IRecoWorker inner) : IBatchRecoWorker
    {
        public const int Preferred = 32;

        public List<int> BatchSizes { get; } = [];

        public int PreferredBatchSize => Preferred;

        public RecoFitResult Fit(PixelVariation request, CancellationToken cancellationToken) => inner.Fit(request, cancellationToken);

        public IReadOnlyList<RecoBatchItem> FitBatch(IReadOnlyList<PixelVariation> requests, CancellationToken cancellationToken)
        {
            BatchSizes.Add(requests.Count);
            return requests.Select(r =>
            {
                try
                {
                    return new RecoBatchItem(inner.Fit(r, cancellationToken), null);
                }
                catch (InvalidOperationException e)
                {
                    return new RecoBatchItem(null, e);
                }
            }).ToArray();
        }
    }
}

/// <summary>Batched fitting through RabbitMQ: two worker processes with prefetch 16 fit the deliveries at hand in lockstep.</summary>
[RequiresBroker]
public sealed class BatchedRabbitMqTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("skymap-batch-rmq-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [TransportFact]
    public async Task A_lockstep_pandel_scan_through_rabbitmq_with_prefetch_equals_the_in_process_scan()
    {
        var reference = await BatchedFittingTests.Scan(new InProcessDispatcher(2), "ilgpu-cpu");
        var path = Path.Combine(_dir, "startup.json");
        var workers = new[]
        {
            TestWorkerProcess.StartRabbitMq(path, "--startup-wait", "60", "--prefetch", "16"),
            TestWorkerProcess.StartRabbitMq(path, "--startup-wait", "60", "--prefetch", "16"),
        };
        try
        {
            var rabbit = new RabbitMq.RabbitMqDispatcher(new RabbitMq.RabbitMqDispatcherOptions { Broker = Broker.Settings });
            var result = await BatchedFittingTests.Scan(rabbit, "ilgpu-cpu", _dir);
            Assert.Equal(PandelScans.Fingerprint(reference), PandelScans.Fingerprint(result));
        }
        finally
        {
            foreach (var p in workers)
            {
                TestWorkerProcess.Stop(p);
            }
        }
    }
}
