using System.Reflection;
using System.Runtime.Loader;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Skymap.Core.Recos;
using Skymap.Recos;

namespace Skymap.Cli.Tests;

/// <summary>The library side of plug-ins (<c>AddRecosFromAssemblyFile</c>, <c>RecoRegistry.WithAssemblyFiles</c>) on samples/CustomReco.</summary>
public class RecoPluginLoadingTests
{
    private static string PluginDll => typeof(RecoPluginLoadingTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "CustomRecoAssembly").Value!;

    private static string Sha(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    [Fact]
    public void A_plugin_loads_in_its_own_context_and_shares_the_host_interface()
    {
        using var services = new ServiceCollection().AddSkymapBuiltinRecos().AddRecosFromAssemblyFile(PluginDll).AddRecosFromAssemblyFile(PluginDll).BuildServiceProvider();
        var registry = services.GetRequiredService<RecoRegistry>();
        Assert.Contains("cone_front", registry.Names);
        Assert.Contains("pandel_mpe", registry.Names);
        var reco = registry.Get("cone_front");
        var context = AssemblyLoadContext.GetLoadContext(reco.GetType().Assembly)!;
        Assert.NotSame(AssemblyLoadContext.Default, context);
        Assert.Same(typeof(IRecoAlgorithm).Assembly, reco.GetType().GetInterfaces().Single(i => i.Name == nameof(IRecoAlgorithm)).Assembly);
        Assert.Equal(reco.GetType(), new ServiceCollection().AddRecosFromAssemblyFile(PluginDll).BuildServiceProvider()
            .GetRequiredService<RecoRegistry>().Get("cone_front").GetType());
    }

    [Fact]
    public void A_registry_takes_the_plugins_a_startup_document_names_and_checks_their_digest()
    {
        using var services = new ServiceCollection().AddSkymapBuiltinRecos().BuildServiceProvider();
        var builtins = services.GetRequiredService<RecoRegistry>();
        Assert.Throws<UnknownRecoException>(() => builtins.Get("cone_front"));

        var withPlugin = builtins.WithAssemblyFiles([new RecoAssemblyReference(PluginDll, Sha(PluginDll).ToUpperInvariant())]);
        Assert.Equal("cone_front", withPlugin.Get("cone_front").Name);

        var wrong = new string('a', 64);
        var e = Assert.Throws<RecoPluginException>(() => builtins.WithAssemblyFiles([new RecoAssemblyReference(PluginDll, wrong)]));
        Assert.Contains($"has SHA-256 {Sha(PluginDll)}, not the expected {wrong}", e.Message, StringComparison.Ordinal);

        // A registry that already holds the same build (matched by digest) does not need the named path.
        var missing = Path.Combine(CliProcess.TempDir(), "CustomReco.dll");
        Assert.Equal("cone_front", withPlugin.WithAssemblyFiles([new RecoAssemblyReference(missing, Sha(PluginDll))]).Get("cone_front").Name);
        var gone = Assert.Throws<RecoPluginException>(() => builtins.WithAssemblyFiles([new RecoAssemblyReference(missing, Sha(PluginDll))]));
        Assert.Contains($"reco assembly '{missing}' does not exist", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_copy_at_another_path_is_another_plugin_and_its_reco_name_clashes()
    {
        var copy = Path.Combine(CliProcess.TempDir(), "CustomReco.dll");
        File.Copy(PluginDll, copy);
        var services = new ServiceCollection().AddRecosFromAssemblyFile(PluginDll);
        var e = Assert.Throws<RecoPluginException>(() => services.AddRecosFromAssemblyFile(copy));
        Assert.Contains("defines reco 'cone_front', which CustomReco already registers", e.Message, StringComparison.Ordinal);
    }
}
