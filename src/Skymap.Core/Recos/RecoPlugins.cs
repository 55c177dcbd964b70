using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;

namespace Skymap.Core.Recos;

/// <summary>A reco plug-in assembly as a scan names it (startup document <c>reco_assemblies</c>): the file and its digest.</summary>
/// <param name="Path">Full path of the assembly file.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes.</param>
internal sealed record RecoAssemblyReference(string Path, string Sha256);

/// <summary>
/// A reco plug-in assembly could not be used: the file is missing or unreadable, its SHA-256 is not the expected one,
/// it is not a .NET assembly, it defines no reconstruction, or one of its reco names is taken. The message names the file.
/// </summary>
public sealed class RecoPluginException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RecoPluginException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public RecoPluginException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public RecoPluginException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>Plug-in registration: the recos of an assembly file loaded in its own <see cref="AssemblyLoadContext"/>.</summary>
public static partial class RecoServiceCollectionExtensions
{
    /// <summary>
    /// Loads a third-party assembly in its own <see cref="AssemblyLoadContext"/> and registers its <see cref="RecoAlgorithmAttribute"/>
    /// types. Skymap.Core and every other assembly the host already has are shared with the host (so
    /// <see cref="IRecoAlgorithm"/> is the host's type); the plug-in's private dependencies come from its own folder
    /// (its <c>.deps.json</c>). A file is loaded once per process; a scan of a plug-in reco names the file and its
    /// SHA-256 in the startup document so that every worker loads the same build.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="path">The plug-in assembly (<c>.dll</c>).</param>
    /// <param name="expectedSha256">When given, the file's SHA-256 must equal it (hex, any case).</param>
    /// <exception cref="RecoPluginException">The file is missing, differs, is not an assembly, defines no reco, or a reco name is already registered.</exception>
    public static IServiceCollection AddRecosFromAssemblyFile(this IServiceCollection services, string path, string? expectedSha256 = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(path);
        var plugin = RecoPluginLoader.Load(path, expectedSha256);
        var existing = services
            .Where(d => d.ServiceType == typeof(RecoRegistration))
            .Select(d => d.ImplementationInstance)
            .OfType<RecoRegistration>()
            .ToList();
        foreach (var r in plugin.Registrations)
        {
            var clash = existing.Find(e => string.Equals(e.Name, r.Name, StringComparison.Ordinal));
            if (clash is null)
            {
                services.AddReco(r.Name, r.ImplementationType);
            }
            else if (clash.ImplementationType != r.ImplementationType)
            {
                throw RecoPluginLoader.NameTaken(plugin.Reference.Path, r.Name, clash.ImplementationType);
            }
        }

        return services;
    }
}

/// <summary>Plug-in assemblies named by a startup document.</summary>
public sealed partial class RecoRegistry
{
    /// <summary>
    /// Returns a registry that also holds the recos of plug-in assemblies (as a startup document names them). An
    /// assembly whose SHA-256 matches a plug-in this registry already holds (e.g. a worker's own copy at another path)
    /// is not loaded again; any other is loaded from its path and must have the named SHA-256.
    /// </summary>
    /// <exception cref="RecoPluginException">A file is missing or differs from the named digest, or cannot be loaded.</exception>
    internal RecoRegistry WithAssemblyFiles(IEnumerable<RecoAssemblyReference> assemblies)
    {
        ArgumentNullException.ThrowIfNull(assemblies);
        var registrations = _byName.Values.ToList();
        foreach (var a in assemblies)
        {
            if (registrations.Any(r => RecoPluginLoader.ReferenceOf(r.ImplementationType) is { } held
                && string.Equals(held.Sha256, a.Sha256, StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            LoadedRecoPlugin plugin;
            try
            {
                plugin = RecoPluginLoader.Load(a.Path, a.Sha256);
            }
            catch (RecoPluginException e)
            {
                throw new RecoPluginException($"{e.Message} (the scan names this plug-in with SHA-256 {a.Sha256}; give this process the same build, e.g. --reco-assembly PATH)", e);
            }

            foreach (var r in plugin.Registrations)
            {
                var clash = registrations.Find(e => string.Equals(e.Name, r.Name, StringComparison.Ordinal));
                if (clash is null)
                {
                    registrations.Add(r);
                }
                else if (clash.ImplementationType != r.ImplementationType)
                {
                    throw RecoPluginLoader.NameTaken(plugin.Reference.Path, r.Name, clash.ImplementationType);
                }
            }
        }

        return new RecoRegistry(_services, registrations);
    }
}

/// <summary>A loaded plug-in: its file and digest, the assembly, and its reco registrations.</summary>
internal sealed record LoadedRecoPlugin(RecoAssemblyReference Reference, Assembly Assembly, IReadOnlyList<RecoRegistration> Registrations);

/// <summary>Loads reco plug-in assemblies, each once per process, into its own <see cref="RecoPluginLoadContext"/>.</summary>
internal static class RecoPluginLoader
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, LoadedRecoPlugin> ByPath = new(StringComparer.Ordinal);

    /// <summary>Loads (or returns the already loaded) plug-in at <paramref name="path"/>, checking its digest when one is expected.</summary>
    /// <exception cref="RecoPluginException">See <see cref="RecoServiceCollectionExtensions.AddRecosFromAssemblyFile"/>.</exception>
    public static LoadedRecoPlugin Load(string path, string? expectedSha256)
    {
        string full;
        byte[] bytes;
        try
        {
            full = Path.GetFullPath(path);
            if (!File.Exists(full))
            {
                throw new RecoPluginException($"reco assembly '{path}' does not exist");
            }

            bytes = File.ReadAllBytes(full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new RecoPluginException($"reco assembly '{path}' cannot be read: {e.Message}", e);
        }

        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (expectedSha256 is not null && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new RecoPluginException($"reco assembly '{full}' has SHA-256 {sha}, not the expected {expectedSha256.ToLowerInvariant()}: it is a different build");
        }

        lock (Gate)
        {
            if (ByPath.TryGetValue(full, out var loaded))
            {
                return loaded.Reference.Sha256 == sha
                    ? loaded
                    : throw new RecoPluginException($"reco assembly '{full}' changed after this process loaded it (SHA-256 {loaded.Reference.Sha256} then, {sha} now)");
            }

            var reference = new RecoAssemblyReference(full, sha);
            var context = new RecoPluginLoadContext(full);
            Assembly assembly;
            IReadOnlyList<(string Name, Type Type)> recos;
            try
            {
                // The bytes whose digest was checked are the code that runs (Assembly.Location is therefore empty:
                // a plug-in ships its data as embedded resources). Symbols, when present, give stack traces lines.
                using var image = new MemoryStream(bytes, writable: false);
                var pdb = Path.ChangeExtension(full, ".pdb");
                using var symbols = File.Exists(pdb) ? new MemoryStream(File.ReadAllBytes(pdb), writable: false) : null;
                assembly = context.LoadFromStream(image, symbols);
                recos = RecoServiceCollectionExtensions.Discover(assembly);
            }
            catch (BadImageFormatException e)
            {
                throw new RecoPluginException($"reco assembly '{full}' is not a .NET assembly: {e.Message}", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ReflectionTypeLoadException or TypeLoadException)
            {
                throw new RecoPluginException($"reco assembly '{full}' cannot be loaded: {e.Message}", e);
            }

            if (recos.Count == 0)
            {
                var core = typeof(IRecoAlgorithm).Assembly.GetName();
                var built = assembly.GetReferencedAssemblies().FirstOrDefault(n => n.Name == core.Name);
                throw new RecoPluginException(
                    $"reco assembly '{full}' defines no public {nameof(IRecoAlgorithm)} class with a [RecoAlgorithm] attribute"
                    + (built is null ? $" (it does not reference {core.Name})" : $" (built against {core.Name} {built.Version}, this host has {core.Version})"));
            }

            context.Plugin = loaded = new LoadedRecoPlugin(reference, assembly, recos.Select(r => new RecoRegistration(r.Name, r.Type)).ToArray());
            ByPath[full] = loaded;
            return loaded;
        }
    }

    /// <summary>The plug-in a type was loaded from, or null for a type of the host.</summary>
    public static RecoAssemblyReference? ReferenceOf(Type type) =>
        AssemblyLoadContext.GetLoadContext(type.Assembly) is RecoPluginLoadContext { Plugin: { } p } ? p.Reference : null;

    /// <summary>The plug-in assemblies a scan of <paramref name="reco"/> needs on its workers (empty for a host reco).</summary>
    public static IReadOnlyList<RecoAssemblyReference> ReferencesOf(IRecoAlgorithm reco) =>
        ReferenceOf(reco.GetType()) is { } r ? [r] : [];

    public static RecoPluginException NameTaken(string path, string name, Type holder) =>
        new($"reco assembly '{path}' defines reco '{name}', which {holder.Assembly.GetName().Name} already registers");
}

/// <summary>
/// The load context of one plug-in: assemblies the host has (Skymap.Core, its dependencies, the framework, anything in
/// the default context) resolve to the host's copies; the plug-in's own dependencies come from its <c>.deps.json</c>
/// or its folder.
/// </summary>
internal sealed class RecoPluginLoadContext : AssemblyLoadContext
{
    private static readonly Lazy<HashSet<string>> TrustedPlatformNames = new(() =>
        ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(Path.GetFileNameWithoutExtension)
            .OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase));

    private readonly string _directory;
    private readonly AssemblyDependencyResolver? _resolver;

    public RecoPluginLoadContext(string path)
        : base($"reco-plugin:{Path.GetFileName(path)}", isCollectible: false)
    {
        _directory = Path.GetDirectoryName(path)!;
        try
        {
            _resolver = new AssemblyDependencyResolver(path);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            _resolver = null; // no usable .deps.json: probe the plug-in's folder
        }
    }

    /// <summary>The plug-in loaded in this context (set once, right after loading).</summary>
    public LoadedRecoPlugin? Plugin { get; set; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is not { } name || IsHostAssembly(name))
        {
            return null; // the default context: one IRecoAlgorithm, one Skymap.Core for host and plug-in
        }

        var path = _resolver?.ResolveAssemblyToPath(assemblyName) ?? Path.Combine(_directory, name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }

    private static bool IsHostAssembly(string name) =>
        TrustedPlatformNames.Value.Contains(name)
        || Default.Assemblies.Any(a => string.Equals(a.GetName().Name, name, StringComparison.OrdinalIgnoreCase));
}
