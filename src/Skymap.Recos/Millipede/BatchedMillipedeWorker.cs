using Skymap.Core.Fitting;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Ilgpu;
using Skymap.Core.Likelihood.Ilgpu.Internal;
using Skymap.Core.Physics;
using Skymap.Core.Pixels;
using Skymap.Core.Recos;

namespace Skymap.Recos;

/// <summary>
/// Batch-capable millipede worker. One-at-a-time <see cref="Fit"/> is the reco's own CPU worker. <see cref="FitBatch"/>,
/// when the batch kernel is an ILGPU one (<c>ilgpu</c>, <c>ilgpu-cpu</c>, or <c>auto</c> with a usable GPU), advances
/// every fit of the batch in lockstep: each step asks every active Nelder–Mead (2 transverse coordinates, steps 20 m)
/// for its next track and evaluates them all in one <see cref="IlgpuMillipede.Evaluate"/> call (response, then
/// <see cref="EmSteps"/> EM steps of the energy solve, then the llh). Without an ILGPU batch kernel,
/// <see cref="FitBatch"/> fits one request after another with the CPU worker.
/// </summary>
/// <remarks>
/// <para>
/// <b>Energies.</b> Each fit keeps its own energy vector. Its first evaluation starts from a cold
/// <see cref="PoissonNnls"/> solve (<see cref="MillipedeEvaluator"/>) at the first track; every later evaluation
/// starts from the fit's own previous EM energies, mapped along the track by the position ζ = r·d of each cascade
/// (as <see cref="MillipedeEvaluator"/> warm-starts). Multiplicative EM never revives a zero, so every source of
/// the start is raised to at least <see cref="RelativeFloor"/> × the start's mean energy (or
/// <see cref="AbsoluteFloor"/> when that is smaller). The kernel's values per track do not depend on the other
/// tracks of the launch or on the batch's source stride, so a fit's path never depends on the batch: results are
/// identical whichever batch size or order.
/// </para>
/// <para>
/// <b>Reported values.</b> As the CPU worker: at the best point the energies are profiled again (here: a cold
/// <see cref="PoissonNnls"/> solve), giving the reported llh, E_tot, E_in (= energy); X/Y/Z/T are the closest point
/// to the centre of gravity and the seed's time there. A request with a fallback seed keeps the better of its fits.
/// </para>
/// <para>
/// <b>Accuracy.</b> EM converges slowly on this ill-conditioned problem (cascades 5 m apart, λd = 30 m): the
/// profiled llh of an evaluation inside the Nelder–Mead is an upper bound that may lie above the true optimum by
/// more than PHYSICS.md §4's 1e-3 (measured in the tests); only the reported llh is a full solve.
/// </para>
/// </remarks>
internal sealed class BatchedMillipedeWorker : IBatchRecoWorker
{
    /// <summary>EM steps per evaluation unless given.</summary>
    public const int DefaultEmSteps = 20;

    /// <summary>The start's floor relative to its mean energy (EM cannot revive a zero).</summary>
    public const double RelativeFloor = 1e-3;

    /// <summary>The smallest floor [GeV] (a start whose energies are all zero).</summary>
    public const double AbsoluteFloor = 1e-6;

    private static readonly double[] Steps = [20.0, 20.0];

    private readonly IRecoWorker _single;
    private readonly MillipedeModel _model;
    private readonly ILikelihoodKernel _batchKernel;
    private readonly MillipedeEvaluator _evaluator;
    private readonly NelderMeadOptions _options;
    private IlgpuMillipede? _gpu;

    public BatchedMillipedeWorker(IRecoWorker single, MillipedeModel model, KernelKind kind, NelderMeadOptions? options = null, int emSteps = DefaultEmSteps)
    {
        ArgumentNullException.ThrowIfNull(single);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(emSteps);
        _single = single;
        _model = model;
        _batchKernel = LikelihoodKernels.CreateForBatches(kind);
        _evaluator = new MillipedeEvaluator(model, LikelihoodKernels.Create(KernelKind.Auto));
        _options = options ?? NelderMeadOptions.Default;
        EmSteps = emSteps;
    }

    /// <summary>Whether <see cref="FitBatch"/> runs the lockstep fits (an ILGPU batch kernel).</summary>
    public bool Lockstep => _batchKernel is IlgpuLikelihoodKernel;

    /// <summary>The kernel <see cref="FitBatch"/> uses.</summary>
    public ILikelihoodKernel BatchKernel => _batchKernel;

    /// <summary>EM steps of the energy solve in every evaluation of a lockstep fit.</summary>
    public int EmSteps { get; }

    /// <summary>Nelder–Mead evaluations of each fit of the last lockstep <see cref="FitBatch"/> (main and fallback fits, in request order).</summary>
    public IReadOnlyList<int> LastEvaluations { get; private set; } = [];

    /// <inheritdoc />
    /// <remarks>The dense response holds DOMs × cascades doubles per fit (~13 MB for a track crossing the detector).</remarks>
    public int PreferredBatchSize => _batchKernel.Kind switch
    {
        KernelKind.Ilgpu => 256,
        KernelKind.IlgpuCpu => 4,
        _ => 1,
    };

    /// <inheritdoc />
    public RecoFitResult Fit(PixelVariation request, CancellationToken cancellationToken) => _single.Fit(request, cancellationToken);

    /// <inheritdoc />
    public IReadOnlyList<RecoBatchItem> FitBatch(IReadOnlyList<PixelVariation> requests, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var items = new RecoBatchItem[requests.Count];
        if (!Lockstep)
        {
            for (var i = 0; i < items.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                try
                {
                    items[i] = new RecoBatchItem(_single.Fit(requests[i], cancellationToken), null);
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    items[i] = new RecoBatchItem(null, e);
                }
            }

            return items;
        }

        // One fit per seed (main, and fallback when given); a request's result is its better fit.
        var fits = new List<LockstepFit>(requests.Count * 2);
        for (var i = 0; i < items.Length; i++)
        {
            var r = requests[i];
            if (r is null)
            {
                items[i] = new RecoBatchItem(null, new ArgumentNullException(nameof(requests), "a request of the batch is null"));
                continue;
            }

            var bad = BadSeed(r.Seed) ?? (r.FallbackSeed is { } f ? BadSeed(f) : null);
            if (bad is not null)
            {
                items[i] = new RecoBatchItem(null, new ArgumentException(bad));
                continue;
            }

            var d = r.Direction.Travel;
            fits.Add(new LockstepFit(i, d, r.Seed, _options));
            if (r.FallbackSeed is { } fallback)
            {
                fits.Add(new LockstepFit(i, d, fallback, _options));
            }
        }

        Run(fits, cancellationToken);
        LastEvaluations = fits.Select(f => f.Optimizer.Evaluations).ToArray();

        foreach (var group in fits.GroupBy(f => f.Request))
        {
            RecoFitResult? best = null;
            try
            {
                foreach (var f in group)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var result = Finish(f);
                    if (best is null || result.Llh < best.Value.Llh)
                    {
                        best = result; // Ties keep the main seed, as the one-at-a-time worker does.
                    }
                }

                items[group.Key] = new RecoBatchItem(best, null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                items[group.Key] = new RecoBatchItem(null, e);
            }
        }

        return items;
    }

    /// <summary>
    /// The profiled llh of each track after <see cref="EmSteps"/> EM steps from <paramref name="energies"/>
    /// (b·m + s, m = <see cref="IlgpuMillipede.Stride"/>, updated in place): one launch sequence for all tracks.
    /// </summary>
    internal void Evaluate(ReadOnlySpan<MillipedeTrack> tracks, Span<double> energies, Span<double> llh) =>
        Gpu().Evaluate(tracks, energies, EmSteps, llh);

    /// <summary>A cold <see cref="PoissonNnls"/> solve at the track through <paramref name="r0"/>: llh and energies (one per cascade).</summary>
    internal (double Llh, double[] Energies) SolveOnCpu(Vector3D d, Vector3D r0)
    {
        _evaluator.Reset();
        var llh = _evaluator.Evaluate(d, r0, warmStart: false);
        return (llh, _evaluator.Energies.ToArray());
    }

    /// <summary>Raises every energy to the floor of the start: <see cref="RelativeFloor"/> × the mean, at least <see cref="AbsoluteFloor"/>.</summary>
    internal static void ApplyFloor(Span<double> energies)
    {
        if (energies.IsEmpty)
        {
            return;
        }

        var sum = 0.0;
        foreach (var e in energies)
        {
            sum += e;
        }

        var floor = Math.Max(AbsoluteFloor, RelativeFloor * sum / energies.Length);
        foreach (ref var e in energies)
        {
            e = Math.Max(e, floor);
        }
    }

    private IlgpuMillipede Gpu()
    {
        if (_gpu is null)
        {
            var owner = (IlgpuLikelihoodKernel)_batchKernel;
            _gpu = new IlgpuMillipede(owner, _model.X, _model.Y, _model.Z, _model.Amplitude, _model.Charge, _model.LnGammaChargePlusOne);
        }

        return _gpu;
    }

    /// <summary>Advances every fit until all are finished: one batched evaluation per step.</summary>
    private void Run(List<LockstepFit> fits, CancellationToken ct)
    {
        var active = fits.Where(f => !f.Optimizer.IsFinished).ToList();
        var tracks = new MillipedeTrack[active.Count];
        var llh = new double[active.Count];
        var energies = Array.Empty<double>();
        while (active.Count > 0)
        {
            ct.ThrowIfCancellationRequested();
            var n = active.Count;
            for (var k = 0; k < n; k++)
            {
                var f = active[k];
                var c = f.Optimizer.Candidate;
                tracks[k] = IlgpuMillipede.Track(f.Frame.Transverse(f.Seed.Position, c[0], c[1]), f.D);
            }

            var span = tracks.AsSpan(0, n);
            var m = IlgpuMillipede.Stride(span);
            if (energies.Length < n * m)
            {
                energies = new double[Math.Max(n * m, 2 * energies.Length)];
            }

            Array.Clear(energies, 0, n * m);
            for (var k = 0; k < n; k++)
            {
                active[k].Start(tracks[k], energies.AsSpan(k * m, tracks[k].Count), this);
            }

            Evaluate(span, energies.AsSpan(0, n * m), llh);
            for (var k = 0; k < n; k++)
            {
                active[k].Remember(tracks[k], energies.AsSpan(k * m, tracks[k].Count));
                active[k].Optimizer.Tell(llh[k]);
            }

            active.RemoveAll(f => f.Optimizer.IsFinished);
        }
    }

    /// <summary>The reported result of a finished fit: energies profiled again at its best point.</summary>
    private RecoFitResult Finish(LockstepFit fit)
    {
        var p = fit.Optimizer.BestPoint;
        var r0 = fit.Frame.Transverse(fit.Seed.Position, p[0], p[1]);
        var (llh, energies) = SolveOnCpu(fit.D, r0);
        double eTot = 0, eIn = 0;
        for (var s = 0; s < energies.Length; s++)
        {
            eTot += energies[s];
            if (energies[s] > 0 && _model.Volume.Contains(_evaluator.SourcePosition(s)))
            {
                eIn += energies[s];
            }
        }

        var (pos, time) = TrackFrame.ClosestPoint(r0, fit.Seed.Time, fit.D, _model.CentreOfGravity);
        return new RecoFitResult(llh, eIn, eTot, pos, time, eTot);
    }

    private static string? BadSeed(RecoSeed seed) =>
        double.IsFinite(seed.Position.X) && double.IsFinite(seed.Position.Y) && double.IsFinite(seed.Position.Z)
            ? null
            : $"seed vertex must be finite, got {seed.Position}";

    /// <summary>One Nelder–Mead of a lockstep batch with its own energy memory.</summary>
    private sealed class LockstepFit(int request, Vector3D d, RecoSeed seed, NelderMeadOptions options)
    {
        private double[] _previous = [];
        private int _previousCount;
        private double _previousZetaIn;
        private bool _hasPrevious;

        public int Request { get; } = request;

        public RecoSeed Seed { get; } = seed;

        public Vector3D D { get; } = d;

        public TrackFrame Frame { get; } = TrackFrame.Of(d);

        public NelderMead Optimizer { get; } = new([0.0, 0.0], Steps, options);

        /// <summary>The start of this evaluation's energies (one per cascade of <paramref name="track"/>).</summary>
        public void Start(in MillipedeTrack track, Span<double> energies, BatchedMillipedeWorker worker)
        {
            if (track.Count == 0)
            {
                return;
            }

            if (!_hasPrevious)
            {
                var (_, solved) = worker.SolveOnCpu(D, new Vector3D(track.X, track.Y, track.Z));
                solved.AsSpan(0, Math.Min(solved.Length, energies.Length)).CopyTo(energies);
            }
            else
            {
                var zetaIn = ZetaIn(track);
                var spacing = PhysicsConstants.CascadeSpacing;
                for (var s = 0; s < energies.Length; s++)
                {
                    var j = (int)Math.Round((zetaIn + (s * spacing) - _previousZetaIn) / spacing);
                    energies[s] = j >= 0 && j < _previousCount ? _previous[j] : 0.0;
                }
            }

            ApplyFloor(energies);
        }

        /// <summary>Keeps this evaluation's energies as the next start.</summary>
        public void Remember(in MillipedeTrack track, ReadOnlySpan<double> energies)
        {
            if (track.Count == 0)
            {
                return; // A track missing the cube leaves the memory as it was.
            }

            if (_previous.Length < energies.Length)
            {
                _previous = new double[energies.Length];
            }

            energies.CopyTo(_previous);
            _previousCount = energies.Length;
            _previousZetaIn = ZetaIn(track);
            _hasPrevious = true;
        }

        private static double ZetaIn(in MillipedeTrack t) => t.SIn + (t.X * t.Dx) + (t.Y * t.Dy) + (t.Z * t.Dz);
    }
}
