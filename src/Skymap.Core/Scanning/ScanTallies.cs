namespace Skymap.Core.Scanning;

/// <summary>Counts for one nside (pixel variations, i.e. recos).</summary>
/// <param name="Nside">HEALPix nside.</param>
/// <param name="Done">Pixel variations collected (including failed ones).</param>
/// <param name="Generated">Pixel variations sent.</param>
/// <param name="Estimated">Initial approximation of the total (SCANNER.md §3).</param>
/// <param name="Failed">Pixel variations recorded as failed.</param>
/// <param name="Retried">Re-sent attempts after a FAILED/TIMEOUT reply.</param>
/// <param name="FinishedPixels">Pixels whose variations are all in.</param>
public readonly record struct NsideTally(int Nside, long Done, long Generated, long Estimated, long Failed, long Retried, long FinishedPixels);

/// <summary>A snapshot of a scan's counts, for progress displays.</summary>
/// <param name="Nsides">Per-nside counts, ascending.</param>
/// <param name="Variations">Variations per pixel (M).</param>
/// <param name="Duplicates">Duplicate or unexpected replies dropped.</param>
public sealed record ScanTallies(IReadOnlyList<NsideTally> Nsides, int Variations, long Duplicates)
{
    /// <summary>Total collected pixel variations.</summary>
    public long Done => Nsides.Sum(n => n.Done);

    /// <summary>Total sent pixel variations.</summary>
    public long Generated => Nsides.Sum(n => n.Generated);

    /// <summary>Total failed pixel variations.</summary>
    public long Failed => Nsides.Sum(n => n.Failed);

    /// <summary>Total retried attempts.</summary>
    public long Retried => Nsides.Sum(n => n.Retried);

    /// <summary>Predicted total (SCANNER.md §11): Σ sent once done, else max(Σ(sent if any else estimate), Σ estimates).</summary>
    public long PredictedTotal(bool done)
    {
        var sent = Nsides.Sum(n => n.Generated);
        if (done)
        {
            return sent;
        }

        return Math.Max(Nsides.Sum(n => n.Generated > 0 ? n.Generated : n.Estimated), Nsides.Sum(n => n.Estimated));
    }
}
