using Skymap.Core.Events;
using Skymap.Core.Geometry;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;

namespace Skymap.Core.Scanning;

/// <summary>What every worker of a scan needs before its first task (the startup document, SCANNER.md §9).</summary>
public sealed record ScanStartup
{
    /// <summary>The scan id.</summary>
    public required string ScanId { get; init; }

    /// <summary>Reco name.</summary>
    public required string RecoAlgo { get; init; }

    /// <summary>Reco settings and scan seed.</summary>
    public required RecoContext RecoContext { get; init; }

    /// <summary>The event as read (the <c>skymap-event/1</c> document).</summary>
    public required SkymapEvent Event { get; init; }

    /// <summary>The event as prepared on the server.</summary>
    public required PreparedEvent Prepared { get; init; }

    /// <summary>Canonical vertex variations.</summary>
    public required IReadOnlyList<Vector3D> Variations { get; init; }

    /// <summary>Seeding flags.</summary>
    public required RecoFlags Flags { get; init; }

    /// <summary>The nside progression (informational for workers).</summary>
    public required NSideProgression Progression { get; init; }

    /// <summary>Epoch seconds of creation.</summary>
    public double Created { get; init; }

    /// <summary>Directory where file-based transports may write <c>startup.json</c> (null: none).</summary>
    public string? StartupDirectory { get; init; }

    /// <summary>The per-attempt task timeout workers enforce.</summary>
    public TimeSpan TaskTimeout { get; init; } = TimeSpan.FromSeconds(1800);

    /// <summary>The plug-in assemblies workers must load for the reco (empty for a built-in reco).</summary>
    public IReadOnlyList<RecoAssemblyReference> RecoAssemblies { get; init; } = [];
}

/// <summary>
/// The transport seam (SCANNER.md §9): the scan engine sends pixel tasks and receives replies without knowing how they
/// travel. Contract for every transport: at-least-once delivery; a failed attempt is reported (never swallowed) as a
/// <see cref="PixelTaskStatus.Failed"/>/<see cref="PixelTaskStatus.Timeout"/> reply, or <see cref="PixelTaskStatus.DeadLettered"/>
/// when the transport itself gave up; duplicates are allowed (the engine drops them).
/// </summary>
public interface IPixelDispatcher : IAsyncDisposable
{
    /// <summary>A short transport name for logs and manifests (<c>inprocess</c>, <c>processes</c>, <c>rabbitmq</c>).</summary>
    string Name { get; }

    /// <summary>Starts the transport for a scan (workers, queues, startup document).</summary>
    Task StartAsync(ScanStartup startup, CancellationToken cancellationToken);

    /// <summary>Sends tasks, in order.</summary>
    Task SendAsync(IReadOnlyList<PixelTask> tasks, CancellationToken cancellationToken);

    /// <summary>Waits for the next reply; returns null when none arrived within <paramref name="timeout"/>.</summary>
    Task<PixelTaskResult?> ReceiveAsync(TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Ends the scan on the transport: stops workers, deletes queues. Called once, after the last reply or on failure.</summary>
    Task CompleteAsync(CancellationToken cancellationToken);
}

/// <summary>Stores finished pixel variations so that a restarted scan continues without recomputing them (resume).</summary>
public interface IScanCheckpoint
{
    /// <summary>Loads the variations finished by earlier runs of the same scan (empty when none).</summary>
    Task<IReadOnlyList<RecoPixelVariation>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Records one finished (or finally failed) variation durably.</summary>
    Task AppendAsync(RecoPixelVariation variation, CancellationToken cancellationToken);
}
