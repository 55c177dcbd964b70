using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.InProcess;
using Skymap.Transport.Processes;
using Skymap.Transport.RabbitMq;

namespace Skymap.Cli;

/// <summary>Transport choices of <c>skymap scan</c>.</summary>
internal sealed record TransportChoice
{
    public required string Name { get; init; }
    public int? Workers { get; init; }
    public int BatchSize { get; init; } = 1;
    public string? Broker { get; init; }
    public string? StartupJsonDir { get; init; }
}

/// <summary>Creates the dispatcher selected by <c>--transport</c>.</summary>
internal static class TransportFactory
{
    public static IPixelDispatcher Create(TransportChoice choice, IServiceProvider services)
    {
        switch (choice.Name)
        {
            case "inprocess":
                return new InProcessDispatcher(choice.Workers, services.GetRequiredService<ILogger<InProcessDispatcher>>());
            case "processes":
                return new ProcessPoolDispatcher(
                    new ProcessPoolOptions { Workers = choice.Workers ?? Environment.ProcessorCount, BatchSize = choice.BatchSize },
                    services.GetRequiredService<ILogger<ProcessPoolDispatcher>>());
            case "rabbitmq":
                BrokerSettings broker;
                try
                {
                    broker = BrokerSettings.FromEnvironment(choice.Broker);
                }
                catch (ArgumentException e)
                {
                    throw new CliException($"--broker / SKYMAP_BROKER_ADDRESS / SKYMAP_BROKER_AUTH: {e.Message}");
                }

                return new RabbitMqDispatcher(
                    new RabbitMqDispatcherOptions
                    {
                        Broker = broker,
                        StartupPath = choice.StartupJsonDir is { } dir ? Path.Combine(Path.GetFullPath(dir), "startup.json") : null,
                    },
                    services.GetRequiredService<ILogger<RabbitMqDispatcher>>());
            default:
                throw new CliException($"--transport: unknown transport '{choice.Name}' (known: inprocess, processes, rabbitmq)");
        }
    }
}
