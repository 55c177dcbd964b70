using Skymap.Core.Pixels;

namespace Skymap.Core.Scanning;

/// <summary>Stores finished pixel variations so that a restarted scan continues without recomputing them (resume).</summary>
public interface IScanCheckpoint
{
    /// <summary>Loads the variations finished by earlier runs of the same scan (empty when none).</summary>
    Task<IReadOnlyList<RecoPixelVariation>> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Records one finished (or finally failed) variation durably.</summary>
    Task AppendAsync(RecoPixelVariation variation, CancellationToken cancellationToken);
}
