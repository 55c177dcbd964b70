using Skymap.Transport.Contract;
using Skymap.Core.Scanning;
using Skymap.Transport.RabbitMq;
using Skymap.Transport.Startup;
using Skymap.Transport.Tests.Support;
using Skymap.Transport.Workers;

namespace Skymap.Transport.Tests;

/// <summary>The contract against the RabbitMQ transport (real broker) with two workers in this process.</summary>
[RequiresBroker]
public sealed class RabbitMqContractTests : DispatcherContractTests
{
    private readonly List<(Task<int> Run, CancellationTokenSource Stop)> _workers = [];

    protected override IPixelDispatcher CreateDispatcher(ScanStartup startup) =>
        new RabbitMqDispatcher(new RabbitMqDispatcherOptions { Broker = Broker.Settings });

    protected override async Task StartWorkersAsync(IPixelDispatcher dispatcher, ScanStartup startup)
    {
        var path = ((RabbitMqDispatcher)dispatcher).StartupPath!;
        var doc = await StartupDocument.ReadFileAsync(path, TimeSpan.FromSeconds(5), CancellationToken.None);
        for (var i = 0; i < 2; i++)
        {
            var scan = doc.CreateHost(TestScans.Registry);
            var worker = new RabbitMqWorker(scan, new RabbitMqWorkerOptions
            {
                Broker = Broker.Settings,
                FirstMessageTimeout = TimeSpan.FromSeconds(60),
                IdleTimeout = TimeSpan.FromSeconds(60),
            });
            var stop = new CancellationTokenSource();
            _workers.Add((Task.Run(() => worker.RunAsync(stop.Token)), stop));
        }
    }

    protected override async Task StopWorkersAsync()
    {
        foreach (var (run, stop) in _workers)
        {
            // The queues are gone after CompleteAsync, so the workers end by themselves; cancel those that did not.
            if (await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(10))) != run)
            {
                await stop.CancelAsync();
            }

            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
            }

            stop.Dispose();
        }

        _workers.Clear();
    }
}
