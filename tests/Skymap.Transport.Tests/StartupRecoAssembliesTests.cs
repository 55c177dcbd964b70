using System.Text;
using Skymap.Transport.Contract;
using Skymap.Core.Recos;
using Skymap.Transport.Startup;
using Skymap.Transport.Tests.Support;

namespace Skymap.Transport.Tests;

/// <summary>The startup document's <c>reco_assemblies</c>: the plug-in files (path, SHA-256) a worker loads for the reco.</summary>
public sealed class StartupRecoAssembliesTests
{
    [Fact]
    public void Reco_assemblies_round_trip_and_are_absent_for_a_builtin_reco()
    {
        var plain = TestScans.Startup();
        var plainBytes = StartupDocument.Serialize(plain);
        Assert.DoesNotContain("reco_assemblies", Encoding.UTF8.GetString(plainBytes), StringComparison.Ordinal);
        Assert.Empty(StartupDocument.Parse(plainBytes).RecoAssemblies);

        RecoAssemblyReference[] named = [new("/opt/plugins/CustomReco.dll", new string('c', 64)), new("/opt/plugins/Other.dll", new string('d', 64))];
        var bytes = StartupDocument.Serialize(plain with { RecoAssemblies = named });
        Assert.Equal(named, StartupDocument.Parse(bytes).RecoAssemblies);
        Assert.NotEqual(StartupDocument.ComputeSha256(plainBytes), StartupDocument.ComputeSha256(bytes));
    }

    [Fact]
    public void A_malformed_reco_assemblies_field_is_named()
    {
        var text = Encoding.UTF8.GetString(StartupDocument.Serialize(TestScans.Startup()));
        var bad = text.TrimEnd().TrimEnd('}') + ", \"reco_assemblies\": [{\"path\": \"/x.dll\"}]}";
        var e = Assert.Throws<StartupDocumentException>(() => StartupDocument.Parse(Encoding.UTF8.GetBytes(bad)));
        Assert.Contains("'sha256'", e.Message, StringComparison.Ordinal);
    }
}
