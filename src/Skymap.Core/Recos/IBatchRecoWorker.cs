using Skymap.Core.Pixels;
namespace Skymap.Core.Recos;

/// <summary>The outcome of one request of a batch: a result, or the exception that failed that request alone.</summary>
/// <param name="Result">The fit result when the fit succeeded.</param>
/// <param name="Error">Why this request failed (its attempt is marked failed, as a throwing <see cref="IRecoWorker.Fit"/> would be).</param>
public readonly record struct RecoBatchItem(RecoFitResult? Result, Exception? Error);

/// <summary>
/// An optional capability of a <see cref="IRecoWorker"/>: fitting many pixel variations at once, e.g. on a GPU with
/// the fits advanced in lockstep (one kernel launch per step for all active fits). A host that sees this interface may
/// hand the worker several requests per call; results must not depend on how requests are grouped or ordered.
/// </summary>
public interface IBatchRecoWorker : IRecoWorker
{
    /// <summary>How many requests the worker would like per call (a hint; any count ≥ 1 is accepted).</summary>
    int PreferredBatchSize { get; }

    /// <summary>Fits every request; item i of the result belongs to request i.</summary>
    /// <param name="requests">The pixel variations (any number, any order).</param>
    /// <param name="cancellationToken">Cancels the whole batch.</param>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    IReadOnlyList<RecoBatchItem> FitBatch(IReadOnlyList<PixelVariation> requests, CancellationToken cancellationToken);
}
