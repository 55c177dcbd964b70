using Microsoft.Extensions.DependencyInjection;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>Registers the built-in reconstructions.</summary>
public static class RecosServiceCollectionExtensions
{
    /// <summary>Registers every reconstruction in Skymap.Recos (discovered by reflection).</summary>
    public static IServiceCollection AddSkymapBuiltinRecos(this IServiceCollection services) =>
        services.AddRecosFromAssemblies(typeof(DummyReco).Assembly);
}
