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
/// every fit of the batch in lockstep: each step asks every active Nelder–Mead (2 transverse coordinates, steps 20 m,
/// <see cref="NelderMeadOptions.Default"/>) for its next track and profiles the energies of all of them together on the
/// accelerator (<see cref="IlgpuMillipede"/>: one response build, then per solver iteration one launch each for the
/// llh, the gradient and the Hessian on the free sources, for the whole batch). Without an ILGPU batch kernel,
/// <see cref="FitBatch"/> fits one request after another with the CPU worker.
/// </summary>
/// <remarks>
/// <para>
/// <b>Energies.</b> Each fit keeps its own energy vector. Its first evaluation starts from a cold
/// <see cref="PoissonNnls"/> solve (<see cref="MillipedeEvaluator"/>) at its first track; every later evaluation
/// starts from the fit's own previous solution, mapped along the track by the position ζ = r·d of each cascade (as
/// <see cref="MillipedeEvaluator"/> warm-starts). The solve is <see cref="EnergySolver"/>'s SQP (the exact
/// quadratic model minimised over E ≥ 0, then a backtracking step), so zeros revive through the gradient
/// (multiplicative EM would never revive them, and converges far too slowly here). Every value of the kernels
/// for one track is independent of the other tracks of the launch and of the batch's strides, and each fit's
/// decisions use only its own values, so a fit's path never depends on the batch: results are identical whichever
/// batch size or order.
/// </para>
/// <para>
/// <b>Reported values.</b> As the CPU worker: the llh of the best point with the energies profiled there (kept from
/// that evaluation, so they belong to the reported llh), E_tot = Σ E_s, E_in (sources inside the instrumented
/// volume), energy = E_tot; X/Y/Z/T are the closest point to the centre of gravity and the seed's time there. A
/// request with a fallback seed keeps the better of its fits.
/// </para>
/// </remarks>
internal sealed class BatchedMillipedeWorker : IBatchRecoWorker
{
    private static readonly double[] Steps = [20.0, 20.0];

    private readonly IRecoWorker _single;
    private readonly MillipedeModel _model;
    private readonly ILikelihoodKernel _batchKernel;
    private readonly MillipedeEvaluator _evaluator;
    private readonly NelderMeadOptions _options;
    private readonly EnergySolver.Scratch _solverScratch = new();
    private IlgpuMillipede? _gpu;

    public BatchedMillipedeWorker(IRecoWorker single, MillipedeModel model, KernelKind kind, NelderMeadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(single);
        ArgumentNullException.ThrowIfNull(model);
        _single = single;
        _model = model;
        _batchKernel = LikelihoodKernels.CreateForBatches(kind);
        _evaluator = new MillipedeEvaluator(model, LikelihoodKernels.Create(KernelKind.Auto));
        _options = options ?? NelderMeadOptions.Default;
    }

    /// <summary>Whether <see cref="FitBatch"/> runs the lockstep fits (an ILGPU batch kernel).</summary>
    public bool Lockstep => _batchKernel is IlgpuLikelihoodKernel;

    /// <summary>The kernel <see cref="FitBatch"/> uses.</summary>
    public ILikelihoodKernel BatchKernel => _batchKernel;

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
        if (!Lockstep)
        {
            return LockstepBatch.OneByOne(_single, requests, cancellationToken);
        }

        // One fit per seed (main, and fallback when given); a request's result is its better fit.
        var items = new RecoBatchItem[requests.Count];
        var fits = LockstepBatch.PlanFits(requests, items, BadSeed, (i, d, seed) => new LockstepFit(i, d, seed, _options));
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
    /// The profiled llh of each track (energies b·m + s, m = <see cref="IlgpuMillipede.Stride"/>: the start, replaced
    /// by the solution): <see cref="EnergySolver"/> on the accelerator's llh, gradient and Hessian, all tracks in lockstep.
    /// </summary>
    internal void Profile(ReadOnlySpan<MillipedeTrack> tracks, double[] energies, double[] llh) =>
        EnergySolver.Solve(Gpu(), tracks, energies, llh, _solverScratch);

    /// <summary>A cold <see cref="PoissonNnls"/> solve at the track through <paramref name="r0"/>: llh and energies (one per cascade).</summary>
    internal (double Llh, double[] Energies) SolveOnCpu(Vector3D d, Vector3D r0)
    {
        _evaluator.Reset();
        var llh = _evaluator.Evaluate(d, r0, warmStart: false);
        return (llh, _evaluator.Energies.ToArray());
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

            Profile(span, energies, llh);
            for (var k = 0; k < n; k++)
            {
                active[k].Remember(tracks[k], energies.AsSpan(k * m, tracks[k].Count), llh[k]);
                active[k].Optimizer.Tell(llh[k]);
            }

            active.RemoveAll(f => f.Optimizer.IsFinished);
        }
    }

    /// <summary>The reported result of a finished fit: its best point's llh and energies.</summary>
    private RecoFitResult Finish(LockstepFit fit)
    {
        var p = fit.Optimizer.BestPoint;
        var r0 = fit.Frame.Transverse(fit.Seed.Position, p[0], p[1]);
        var track = fit.BestTrack;
        var d = new Vector3D(track.Dx, track.Dy, track.Dz);
        var origin = new Vector3D(track.X, track.Y, track.Z);
        var energies = fit.BestEnergies;
        double eTot = 0, eIn = 0;
        for (var s = 0; s < energies.Length; s++)
        {
            eTot += energies[s];
            if (energies[s] > 0 && _model.Volume.Contains(origin + ((track.SIn + (s * PhysicsConstants.CascadeSpacing)) * d)))
            {
                eIn += energies[s];
            }
        }

        var (pos, time) = TrackFrame.ClosestPoint(r0, fit.Seed.Time, fit.D, _model.CentreOfGravity);
        return new RecoFitResult(fit.Optimizer.BestValue, eIn, eTot, pos, time, eTot);
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
        }

        /// <summary>The track of the best evaluation so far.</summary>
        public MillipedeTrack BestTrack { get; private set; }

        /// <summary>The energies of the best evaluation so far.</summary>
        public double[] BestEnergies { get; private set; } = [];

        /// <summary>Keeps this evaluation's energies as the next start (and as the best one's when its llh is the best so far).</summary>
        public void Remember(in MillipedeTrack track, ReadOnlySpan<double> energies, double llh)
        {
            if (llh < Optimizer.BestValue)
            {
                BestTrack = track;
                BestEnergies = energies.ToArray();
            }

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

    /// <summary>
    /// The energy profile of a batch of tracks on the accelerator: sequential quadratic programming as
    /// <see cref="PoissonNnls"/> (each iteration minimises the exact quadratic model over E ≥ 0, then backtracks on
    /// the llh), all tracks' iterations in lockstep: one llh, gradient and Hessian launch per iteration and one llh
    /// launch per backtracking round, for the whole batch; the model's non-negative QP is solved on the host
    /// (Lawson–Hanson active set, dense Cholesky). A track that has converged keeps its energies while the others go on.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The model is restricted to the candidate sources C = {s : E_s &gt; 0 or ∂llh/∂E_s &lt; 0}; the others are at
    /// zero with a non-negative gradient (already optimal to first order), and any that should enter shows a negative
    /// gradient at the next iteration. A track stops when the model's predicted decrease is below
    /// <see cref="Tolerance"/>, when no step along the model's solution decreases the llh, or after
    /// <see cref="MaxIterations"/>.
    /// </para>
    /// <para>
    /// Why not EM (<see cref="IlgpuMillipede.Evaluate"/>): measured on builtin:track-100tev at the true track (ILGPU
    /// CPU accelerator), EM from a uniform start is still 2.1 above the <see cref="PoissonNnls"/> optimum after 1000
    /// steps and 0.83 after 3000; warm-started from the optimum of a track 1 m away it is 0.86 above after 30 steps,
    /// 0.47 after 300, 0.11 after 3000 (SQUAREM: 0.08 after ~1000 EM steps from either start; cyclic coordinate
    /// Newton: 0.05 after 300 sweeps from the warm start). Projected Newton (projecting the unconstrained Newton step)
    /// stalls as well: the problem is
    /// ill-conditioned (cascades 5 m apart, λd = 30 m), so only a bound-constrained model solve reaches
    /// PHYSICS.md §4's 1e-3.
    /// </para>
    /// </remarks>
    internal static class EnergySolver
    {
        /// <summary>SQP iterations per solve at most.</summary>
        public const int MaxIterations = 100;

        /// <summary>Stop when the model's predicted decrease of the llh is below this.</summary>
        public const double Tolerance = 1e-7;

        private const int MaxHalvings = 30;
        private const double Armijo = 1e-4;
        private const double Ridge = 1e-10;
        private const double AddThreshold = 1e-10;

        /// <summary>Solves every track: <paramref name="energies"/> (b·m + s) from start to solution, <paramref name="llh"/> at the solution.</summary>
        /// <returns>The SQP iterations of each track.</returns>
        public static int[] Solve(IlgpuMillipede gpu, ReadOnlySpan<MillipedeTrack> tracks, double[] energies, double[] llh, Scratch w)
        {
            var n = tracks.Length;
            var m = gpu.Load(tracks);
            var total = n * m;
            Grow(ref w.G, total);
            Grow(ref w.Trial, total);
            Grow(ref w.Dir, total);
            Grow(ref w.Ft, n);
            Grow(ref w.Slope, n);
            Grow(ref w.FreeCount, n);
            var g = w.G;
            var dir = w.Dir;
            var trial = w.Trial;
            var state = new State[n];
            var iterations = new int[n];
            for (var k = 0; k < n; k++)
            {
                state[k] = tracks[k].Count == 0 ? State.Done : State.Iterating;
            }

            for (var it = 0; it < MaxIterations && state.Any(x => x != State.Done); it++)
            {
                gpu.Llh(energies, llh);
                gpu.Gradient(g);

                // Candidate sets: positive energies and those whose gradient asks to enter (track k's at k·m, then
                // padded with −1 to the widest set p for the Hessian launch).
                Grow(ref w.Candidates, total);
                var p = 1;
                for (var k = 0; k < n; k++)
                {
                    var count = 0;
                    if (state[k] != State.Done)
                    {
                        for (var s = 0; s < tracks[k].Count; s++)
                        {
                            if (energies[(k * m) + s] > 0 || g[(k * m) + s] < 0)
                            {
                                w.Candidates[(k * m) + count++] = s;
                            }
                        }
                    }

                    w.FreeCount[k] = count;
                    p = Math.Max(p, count);
                }

                Grow(ref w.Free, n * p);
                Grow(ref w.H, n * p * p);
                for (var k = 0; k < n; k++)
                {
                    var row = w.Free.AsSpan(k * p, p);
                    row.Fill(-1);
                    w.Candidates.AsSpan(k * m, w.FreeCount[k]).CopyTo(row);
                }

                gpu.Hessian(w.Free, p, w.H);

                // The model's minimiser over E ≥ 0 on each track's candidates; the step goes there. Host threads take
                // fixed contiguous chunks of the tracks, each with its own scratch (a track's result never depends on it).
                var chunks = Math.Min(n, Environment.ProcessorCount);
                while (w.Qp.Count < chunks)
                {
                    w.Qp.Add(new QpScratch());
                }

                Parallel.For(0, chunks, c =>
                {
                    for (var k = c * n / chunks; k < (c + 1) * n / chunks; k++)
                    {
                        if (state[k] == State.Done)
                        {
                            continue;
                        }

                        iterations[k]++;
                        var d = dir.AsSpan(k * m, m);
                        d.Clear();
                        var predicted = ModelStep(w, w.Qp[c], k, p, energies.AsSpan(k * m, m), g.AsSpan(k * m, m), d, out var slope);
                        w.Slope[k] = slope;
                        state[k] = predicted < Tolerance || slope >= 0 ? State.Done : State.Searching;
                    }
                });

                // Backtracking (E + α·d stays feasible for α ≤ 1), all searching tracks together.
                for (var r = 0; r < MaxHalvings && state.Any(x => x == State.Searching); r++)
                {
                    var alpha = Math.ScaleB(1.0, -r);
                    for (var k = 0; k < n; k++)
                    {
                        var e = energies.AsSpan(k * m, m);
                        var t = trial.AsSpan(k * m, m);
                        if (state[k] != State.Searching)
                        {
                            e.CopyTo(t);
                            continue;
                        }

                        var d = dir.AsSpan(k * m, m);
                        for (var s = 0; s < m; s++)
                        {
                            t[s] = Math.Max(0.0, e[s] + (alpha * d[s]));
                        }
                    }

                    gpu.Llh(trial, w.Ft);
                    for (var k = 0; k < n; k++)
                    {
                        if (state[k] == State.Searching && w.Ft[k] < llh[k] && w.Ft[k] <= llh[k] + (Armijo * alpha * w.Slope[k]))
                        {
                            trial.AsSpan(k * m, m).CopyTo(energies.AsSpan(k * m, m));
                            llh[k] = w.Ft[k];
                            state[k] = State.Iterating;
                        }
                    }
                }

                for (var k = 0; k < n; k++)
                {
                    if (state[k] == State.Searching)
                    {
                        state[k] = State.Done; // No step decreases the llh any more.
                    }
                }
            }

            gpu.Llh(energies, llh);
            return iterations;
        }

        /// <summary>
        /// Minimises the quadratic model g·d + ½dᵀHd over E + d ≥ 0 on track <paramref name="k"/>'s candidates
        /// (non-negative least squares in y = E + d: min ½yᵀHy − (HE − g)ᵀy, Lawson–Hanson from the support of E).
        /// Writes d; returns the predicted decrease −(g·d + ½dᵀHd); <paramref name="slope"/> = g·d.
        /// </summary>
        private static double ModelStep(Scratch w, QpScratch x, int k, int p, ReadOnlySpan<double> e, ReadOnlySpan<double> g, Span<double> d, out double slope)
        {
            slope = 0.0;
            var q = w.FreeCount[k];
            if (q == 0)
            {
                return 0.0;
            }

            var h = w.H.AsSpan(k * p * p, p * p);
            var free = w.Free.AsSpan(k * p, p);
            Grow(ref x.B, q);
            Grow(ref x.Y, q);
            Grow(ref x.Z, q);
            Grow(ref x.Passive, q);
            Grow(ref x.Rejected, q);
            var b = x.B;
            var y = x.Y;
            var z = x.Z;
            var passive = x.Passive;
            var rejected = x.Rejected;
            const double ridge = Ridge;
            for (var a = 0; a < q; a++)
            {
                var sum = -g[free[a]];
                for (var c = 0; c < q; c++)
                {
                    sum += h[(a * p) + c] * e[free[c]];
                }

                b[a] = sum;
                y[a] = e[free[a]];
                passive[a] = y[a] > 0;
                rejected[a] = false;
            }

            var added = -1;
            for (var outer = 0; outer <= 3 * q; outer++)
            {
                // Inner loop: the unconstrained optimum on the passive set, stepping back while it leaves y ≥ 0.
                for (var inner = 0; inner <= q; inner++)
                {
                    SolvePassive(x, h, p, q, ridge);
                    if (added >= 0 && passive[added] && z[added] <= 0)
                    {
                        passive[added] = false; // Entering it cannot help (numerically dependent): not again this solve.
                        rejected[added] = true;
                        added = -1;
                        continue;
                    }

                    added = -1;
                    var step = 1.0;
                    var blocking = -1;
                    for (var a = 0; a < q; a++)
                    {
                        if (passive[a] && z[a] <= 0)
                        {
                            var ratio = y[a] <= 0 ? 0.0 : y[a] / (y[a] - z[a]);
                            if (ratio < step || blocking < 0)
                            {
                                step = Math.Min(step, ratio);
                                blocking = a;
                            }
                        }
                    }

                    for (var a = 0; a < q; a++)
                    {
                        if (passive[a])
                        {
                            y[a] += step * (z[a] - y[a]);
                            if (a == blocking || y[a] <= 0)
                            {
                                y[a] = 0.0;
                                passive[a] = false;
                            }
                        }
                    }

                    if (blocking < 0)
                    {
                        break;
                    }
                }

                // Outer loop: enter the source whose model gradient most wants to grow.
                var best = -1;
                var bestW = AddThreshold;
                for (var a = 0; a < q; a++)
                {
                    if (passive[a] || rejected[a])
                    {
                        continue;
                    }

                    var wa = b[a];
                    for (var c = 0; c < q; c++)
                    {
                        wa -= h[(a * p) + c] * y[c];
                    }

                    if (wa > bestW)
                    {
                        bestW = wa;
                        best = a;
                    }
                }

                if (best < 0)
                {
                    break;
                }

                passive[best] = true;
                added = best;
            }

            var quad = 0.0;
            for (var a = 0; a < q; a++)
            {
                d[free[a]] = y[a] - e[free[a]];
            }

            for (var a = 0; a < q; a++)
            {
                var da = d[free[a]];
                slope += g[free[a]] * da;
                var hd = 0.0;
                for (var c = 0; c < q; c++)
                {
                    hd += h[(a * p) + c] * d[free[c]];
                }

                quad += da * hd;
            }

            return -(slope + (0.5 * quad));
        }

        /// <summary>z_P = (H_PP + ridge·diag H_PP)⁻¹ b_P by Cholesky (a vanishing pivot leaves that source at 0); z = 0 off P.</summary>
        private static void SolvePassive(QpScratch w, ReadOnlySpan<double> h, int p, int q, double ridge)
        {
            Grow(ref w.Index, q);
            var index = w.Index;
            var count = 0;
            for (var a = 0; a < q; a++)
            {
                w.Z[a] = 0.0;
                if (w.Passive[a])
                {
                    index[count++] = a;
                }
            }

            Grow(ref w.L, count * count);
            var l = w.L;
            for (var i = 0; i < count; i++)
            {
                for (var j = 0; j <= i; j++)
                {
                    var hij = h[(index[i] * p) + index[j]];
                    var sum = i == j ? hij * (1.0 + ridge) : hij;
                    for (var t = 0; t < j; t++)
                    {
                        sum -= l[(i * count) + t] * l[(j * count) + t];
                    }

                    if (i == j)
                    {
                        l[(i * count) + i] = sum > 0 ? Math.Sqrt(sum) : double.PositiveInfinity;
                    }
                    else
                    {
                        l[(i * count) + j] = sum / l[(j * count) + j];
                    }
                }
            }

            // L u = b_P, then Lᵀ z = u (an infinite pivot yields 0).
            Grow(ref w.U, count);
            var u = w.U;
            for (var i = 0; i < count; i++)
            {
                var sum = w.B[index[i]];
                for (var t = 0; t < i; t++)
                {
                    sum -= l[(i * count) + t] * u[t];
                }

                u[i] = sum / l[(i * count) + i];
            }

            for (var i = count - 1; i >= 0; i--)
            {
                var sum = u[i];
                for (var t = i + 1; t < count; t++)
                {
                    sum -= l[(t * count) + i] * u[t];
                }

                u[i] = sum / l[(i * count) + i];
                w.Z[index[i]] = u[i];
            }
        }

        private static void Grow<T>(ref T[] array, int size)
        {
            if (array.Length < size)
            {
                array = new T[Math.Max(size, array.Length * 2)];
            }
        }

        private enum State
        {
            Iterating,
            Searching,
            Done,
        }

        /// <summary>Reused arrays of <see cref="Solve"/> (one per worker).</summary>
        internal sealed class Scratch
        {
            public double[] G = [];
            public double[] Dir = [];
            public double[] Trial = [];
            public double[] Ft = [];
            public double[] Slope = [];
            public double[] H = [];
            public int[] Candidates = [];
            public int[] Free = [];
            public int[] FreeCount = [];
            public List<QpScratch> Qp = [];
        }

        /// <summary>The arrays of one host thread's model solves.</summary>
        internal sealed class QpScratch
        {
            public double[] L = [];
            public double[] B = [];
            public double[] Y = [];
            public double[] Z = [];
            public double[] U = [];
            public int[] Index = [];
            public bool[] Passive = [];
            public bool[] Rejected = [];
        }
    }
}
