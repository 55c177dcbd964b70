using Skymap.Core.Events;
using Skymap.Core.Recos;
using Skymap.Transport.Contract;

namespace Skymap.Transport.Tests.Support;

/// <summary>The test reco under another name (a startup document naming a reco the worker does not know).</summary>
internal sealed class NamedReco(string name) : IRecoAlgorithm
{
    private readonly TestDummyReco _inner = new();

    public string Name => name;

    public IReadOnlyList<Core.Geometry.Vector3D> VertexVariations => _inner.VertexVariations;

    public RecoFlags Flags { get; init; } = RecoFlags.None;

    public void ValidateSettings(RecoContext context) => _inner.ValidateSettings(context);

    public PreparedEvent Prepare(SkymapEvent evt, RecoContext context) => _inner.Prepare(evt, context);

    public IRecoWorker CreateWorker(PreparedEvent prepared, RecoContext context) => _inner.CreateWorker(prepared, context);
}
