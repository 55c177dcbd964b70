using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;

namespace Skymap.Core.Scanning;

/// <summary>
/// What every worker of a scan needs before its first request (the startup document, SCANNER.md §9), handed by the engine
/// to <see cref="IPixelDispatcher.StartAsync"/>. The reco is given here, once: an in-process transport runs it through a
/// <see cref="ScanWorkerHost"/>; an out-of-process one writes the startup document and its workers resolve the reco by name.
/// </summary>
public sealed record ScanStartup
{
    /// <summary>The scan id.</summary>
    public required string ScanId { get; init; }

    /// <summary>The reco the scan runs.</summary>
    public required IRecoAlgorithm Reco { get; init; }

    /// <summary>Reco name (<see cref="IRecoAlgorithm.Name"/>).</summary>
    public string RecoAlgo => Reco.Name;

    /// <summary>Reco settings and scan seed.</summary>
    public required RecoContext RecoContext { get; init; }

    /// <summary>The event as read (the <c>skymap-event/1</c> document).</summary>
    public required SkymapEvent Event { get; init; }

    /// <summary>The event as prepared on the server.</summary>
    public required PreparedEvent Prepared { get; init; }

    /// <summary>Canonical vertex variations (<see cref="IRecoAlgorithm.VertexVariations"/>).</summary>
    public IReadOnlyList<Vector3D> Variations => Reco.VertexVariations;

    /// <summary>Seeding flags (<see cref="IRecoAlgorithm.Flags"/>, informational for workers).</summary>
    public RecoFlags Flags => Reco.Flags;

    /// <summary>The nside progression (informational for workers).</summary>
    public required NSideProgression Progression { get; init; }

    /// <summary>Epoch seconds of creation.</summary>
    public double Created { get; init; }

    /// <summary>Directory where file-based transports may write <c>startup.json</c> (null: none).</summary>
    public string? StartupDirectory { get; init; }

    /// <summary>The per-attempt task timeout workers enforce.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromSeconds(1800);

    /// <summary>
    /// The engine's retry policy: attempts per pixel variation (K, <see cref="ScanOptions.MaxPixvarFailures"/>) before it
    /// is recorded as failed. A transport that redelivers by itself derives its limit from it (RabbitMQ:
    /// <c>x-delivery-limit</c> = K), so that the broker never gives up before, nor long after, the engine.
    /// </summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>The plug-in assemblies workers must load for the reco (empty for a built-in reco).</summary>
    internal IReadOnlyList<RecoAssemblyReference> RecoAssemblies { get; init; } = [];
}
