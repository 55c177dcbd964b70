using Skymap.Core.Geometry;

namespace Skymap.Core.Pixels;

/// <summary>The identity of one pixel variation: (nside, RING pixel, position variation).</summary>
/// <param name="Nside">HEALPix nside.</param>
/// <param name="PixelId">RING pixel id.</param>
/// <param name="PosvarId">Position-variation index 0..M−1.</param>
public readonly record struct PixelVariationId(int Nside, long PixelId, int PosvarId)
{
    /// <inheritdoc />
    public override string ToString() => $"{Nside}:{PixelId}:{PosvarId}";
}

/// <summary>A pixel variation that was sent (upstream <c>SentPixelVariation</c>); <see cref="SentTime"/> is excluded from equality.</summary>
/// <param name="Nside">HEALPix nside.</param>
/// <param name="PixelId">RING pixel id.</param>
/// <param name="PosvarId">Position-variation index.</param>
/// <param name="SentTime">Epoch seconds of the latest send (not part of equality).</param>
/// <param name="Attempts">Attempts made so far (Skymap addition; not part of equality).</param>
public readonly record struct PixelVariation(int Nside, long PixelId, int PosvarId, double SentTime, int Attempts)
{
    /// <summary>The identity (nside, pixel, posvar).</summary>
    public PixelVariationId Id => new(Nside, PixelId, PosvarId);

    /// <inheritdoc />
    public bool Equals(PixelVariation other) => Nside == other.Nside && PixelId == other.PixelId && PosvarId == other.PosvarId;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Nside, PixelId, PosvarId);
}

/// <summary>The reconstruction of one pixel variation, as a worker returns it (upstream <c>RecoPixelVariation</c>).</summary>
/// <param name="Nside">HEALPix nside.</param>
/// <param name="PixelId">RING pixel id.</param>
/// <param name="PosvarId">Position-variation index.</param>
/// <param name="Llh">Minimised −ln L (NaN for a failed variation).</param>
/// <param name="RecoLossesInside">E_in [GeV].</param>
/// <param name="RecoLossesTotal">E_tot [GeV].</param>
/// <param name="Position">Reconstructed vertex [m].</param>
/// <param name="Time">Vertex time [ns].</param>
/// <param name="Energy">Reconstructed energy [GeV] (not stored in results).</param>
public readonly record struct RecoPixelVariation(
    int Nside, long PixelId, int PosvarId, double Llh, double RecoLossesInside, double RecoLossesTotal,
    Vector3D Position, double Time, double Energy)
{
    /// <summary>The identity (nside, pixel, posvar).</summary>
    public PixelVariationId Id => new(Nside, PixelId, PosvarId);

    /// <summary>A failed variation: every value NaN.</summary>
    public static RecoPixelVariation Failed(PixelVariationId id) =>
        new(id.Nside, id.PixelId, id.PosvarId, double.NaN, double.NaN, double.NaN,
            new Vector3D(double.NaN, double.NaN, double.NaN), double.NaN, double.NaN);

    /// <summary>True when this variation holds no llh.</summary>
    public bool IsFailed => double.IsNaN(Llh);
}

/// <summary>The best variation of a finished pixel (upstream <c>RecoPixelFinal</c>).</summary>
/// <param name="Nside">HEALPix nside.</param>
/// <param name="PixelId">RING pixel id.</param>
/// <param name="Llh">Best −ln L over the variations (NaN when all failed).</param>
/// <param name="RecoLossesInside">E_in [GeV].</param>
/// <param name="RecoLossesTotal">E_tot [GeV].</param>
/// <param name="Position">Vertex [m].</param>
/// <param name="Time">Vertex time [ns].</param>
/// <param name="Energy">Energy [GeV].</param>
/// <param name="BestPosvarId">Which variation won (diagnostics).</param>
public readonly record struct RecoPixelFinal(
    int Nside, long PixelId, double Llh, double RecoLossesInside, double RecoLossesTotal,
    Vector3D Position, double Time, double Energy, int BestPosvarId)
{
    /// <summary>
    /// The best of a pixel's variations: minimum llh over non-NaN variations, ties to the lowest posvar; all-NaN gives NaN
    /// (SCANNER.md §7, Skymap rule).
    /// </summary>
    /// <exception cref="ArgumentException">No variations, or variations of different pixels.</exception>
    public static RecoPixelFinal FromVariations(IReadOnlyCollection<RecoPixelVariation> variations)
    {
        ArgumentNullException.ThrowIfNull(variations);
        if (variations.Count == 0)
        {
            throw new ArgumentException("a pixel needs at least one variation", nameof(variations));
        }

        RecoPixelVariation? best = null;
        RecoPixelVariation first = variations.First();
        foreach (var v in variations)
        {
            if (v.Nside != first.Nside || v.PixelId != first.PixelId)
            {
                throw new ArgumentException("variations belong to different pixels", nameof(variations));
            }

            if (v.IsFailed)
            {
                continue;
            }

            if (best is null || v.Llh < best.Value.Llh || (v.Llh == best.Value.Llh && v.PosvarId < best.Value.PosvarId))
            {
                best = v;
            }
        }

        var b = best ?? variations.MinBy(v => v.PosvarId);
        return new RecoPixelFinal(b.Nside, b.PixelId, b.Llh, b.RecoLossesInside, b.RecoLossesTotal, b.Position, b.Time, b.Energy, b.PosvarId);
    }
}
