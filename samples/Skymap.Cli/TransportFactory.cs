using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Skymap.Core.Recos;
using Skymap.Core.Scanning;
using Skymap.Transport.InProcess;

namespace Skymap.Cli;

/// <summary>Creates the dispatcher selected by <c>--transport</c>.</summary>
internal static class TransportFactory
{
    public static IPixelDispatcher Create(string transport, IRecoAlgorithm reco, int? workers, IServiceProvider services) => transport switch
    {
        "inprocess" => new InProcessDispatcher(reco, workers, services.GetRequiredService<ILogger<InProcessDispatcher>>()),
        _ => throw new CliException($"--transport: unknown transport '{transport}' (known: inprocess)"),
    };
}
