using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Skymap.Core.Recos;

/// <summary>The requested reconstruction is not registered.</summary>
public sealed class UnknownRecoException : Exception
{
    /// <summary>Creates the exception.</summary>
    public UnknownRecoException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public UnknownRecoException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public UnknownRecoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>One registration: a name and how to build the reconstruction.</summary>
/// <param name="Name">The registered name.</param>
/// <param name="ImplementationType">The implementing type.</param>
internal sealed record RecoRegistration(string Name, Type ImplementationType);

/// <summary>Resolves reconstructions by name from the registrations in a service provider.</summary>
public sealed partial class RecoRegistry
{
    private readonly IServiceProvider _services;
    private readonly Dictionary<string, RecoRegistration> _byName;

    /// <summary>Creates the registry over the registrations added with the <see cref="RecoServiceCollectionExtensions"/>.</summary>
    internal RecoRegistry(IServiceProvider services, IEnumerable<RecoRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        _services = services;
        _byName = new Dictionary<string, RecoRegistration>(StringComparer.Ordinal);
        foreach (var r in registrations)
        {
            _byName[r.Name] = r;
        }
    }

    /// <summary>Registered names, sorted.</summary>
    public IReadOnlyList<string> Names => _byName.Keys.Order(StringComparer.Ordinal).ToArray();

    /// <summary>Creates the reconstruction registered under a name.</summary>
    /// <exception cref="UnknownRecoException">No reconstruction has that name.</exception>
    public IRecoAlgorithm Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!_byName.TryGetValue(name, out var r))
        {
            throw new UnknownRecoException($"unknown reco '{name}' (known: {string.Join(", ", Names)})");
        }

        return (IRecoAlgorithm)ActivatorUtilities.GetServiceOrCreateInstance(_services, r.ImplementationType);
    }
}

/// <summary>Registers reconstructions with dependency injection.</summary>
public static partial class RecoServiceCollectionExtensions
{
    /// <summary>Registers one reconstruction type under the name of its <see cref="RecoAlgorithmAttribute"/> (or an explicit name).</summary>
    public static IServiceCollection AddReco<TReco>(this IServiceCollection services, string? name = null)
        where TReco : class, IRecoAlgorithm
    {
        ArgumentNullException.ThrowIfNull(services);
        var n = name ?? typeof(TReco).GetCustomAttribute<RecoAlgorithmAttribute>()?.Name
            ?? throw new ArgumentException($"{typeof(TReco).Name} has no [RecoAlgorithm] attribute; pass a name", nameof(name));
        return services.AddReco(n, typeof(TReco));
    }

    /// <summary>Registers a reconstruction type under a name.</summary>
    public static IServiceCollection AddReco(this IServiceCollection services, string name, Type implementationType)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(implementationType);
        if (!typeof(IRecoAlgorithm).IsAssignableFrom(implementationType) || implementationType.IsAbstract)
        {
            throw new ArgumentException($"{implementationType.FullName} is not a concrete {nameof(IRecoAlgorithm)}", nameof(implementationType));
        }

        services.AddSingleton(new RecoRegistration(name, implementationType));
        TryAddRegistry(services);
        return services;
    }

    /// <summary>Discovers every concrete <see cref="IRecoAlgorithm"/> with a <see cref="RecoAlgorithmAttribute"/> in the assemblies and registers it.</summary>
    public static IServiceCollection AddRecosFromAssemblies(this IServiceCollection services, params Assembly[] assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        foreach (var (name, type) in Discover(assemblies))
        {
            services.AddReco(name, type);
        }

        TryAddRegistry(services);
        return services;
    }

    /// <summary>Registers the <see cref="RecoRegistry"/> over the registrations (once; its constructor is internal).</summary>
    private static void TryAddRegistry(IServiceCollection services) =>
        services.TryAddSingleton(sp => new RecoRegistry(sp, sp.GetServices<RecoRegistration>()));

    /// <summary>The (name, type) pairs of the discoverable reconstructions in the assemblies, sorted by name.</summary>
    public static IReadOnlyList<(string Name, Type Type)> Discover(params Assembly[] assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        return assemblies
            .SelectMany(a => a.GetExportedTypes())
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IRecoAlgorithm).IsAssignableFrom(t))
            .Select(t => (Attr: t.GetCustomAttribute<RecoAlgorithmAttribute>(), Type: t))
            .Where(x => x.Attr is not null)
            .Select(x => (x.Attr!.Name, x.Type))
            .OrderBy(x => x.Name, StringComparer.Ordinal)
            .ToArray();
    }
}
