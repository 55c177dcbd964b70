using ILGPU;
using ILGPU.Runtime;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood.Ilgpu.Internal;
using Skymap.Core.Physics;

namespace Skymap.Core.Likelihood.Ilgpu;

/// <summary>
/// Millipede's unfolding (PHYSICS.md §4) on an ILGPU accelerator, for a batch of tracks at once: the response matrix,
/// the Poisson llh at given energies, EM steps of the non-negative energy solve, and the llh's gradient and Hessian
/// in the energies (for a second-order solve driven from the host), each one launch for the whole batch. Shares the accelerator (and its lock) of an <see cref="IlgpuLikelihoodKernel"/>. The DOMs are those of
/// §4 (all active non-DeepCore DOMs, hit or not) with their amplitudes rde·A, charges k and ln Γ(k + 1).
/// </summary>
internal sealed class IlgpuMillipede : IDisposable
{
    private readonly IlgpuLikelihoodKernel _owner;
    private readonly int _n;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _doms;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _lnGamma;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<double>, int, int, ArrayView<MillipedeTrack>, ArrayView<double>> _response;
    private readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>> _llh;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>> _em;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>> _gradient;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<double>, int, int, ArrayView<int>, int, ArrayView<double>, ArrayView<double>, ArrayView<int>, int, ArrayView<double>> _hessian;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _hits;
    private readonly int _hitCount;
    private MemoryBuffer1D<MillipedeTrack, Stride1D.Dense>? _tracks;
    private MemoryBuffer1D<double, Stride1D.Dense>? _b;
    private MemoryBuffer1D<double, Stride1D.Dense>? _e;
    private MemoryBuffer1D<double, Stride1D.Dense>? _mu;
    private MemoryBuffer1D<double, Stride1D.Dense>? _out;
    private MemoryBuffer1D<double, Stride1D.Dense>? _g;
    private MemoryBuffer1D<double, Stride1D.Dense>? _h;
    private MemoryBuffer1D<int, Stride1D.Dense>? _free;
    private int _loadedTracks;
    private int _loadedStride;
    private bool _haveMu;

    public IlgpuMillipede(IlgpuLikelihoodKernel owner, double[] x, double[] y, double[] z, double[] amplitude, double[] charge, double[] lnGammaChargePlusOne)
    {
        ArgumentNullException.ThrowIfNull(owner);
        _owner = owner;
        _n = x.Length;
        if (y.Length != _n || z.Length != _n || amplitude.Length != _n || charge.Length != _n || lnGammaChargePlusOne.Length != _n)
        {
            throw new ArgumentException("millipede DOM arrays must have equal lengths");
        }

        var acc = owner.Accelerator;
        lock (owner.Gate)
        {
            _response = acc.LoadAutoGroupedKernel<Index1D, ArrayView<double>, int, int, ArrayView<MillipedeTrack>, ArrayView<double>>(MillipedeKernels.Response);
            _llh = acc.LoadStreamKernel<ArrayView<double>, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(MillipedeKernels.Llh);
            _em = acc.LoadAutoGroupedKernel<Index1D, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>>(MillipedeKernels.EmStep);
            _gradient = acc.LoadAutoGroupedKernel<Index1D, ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>>(MillipedeKernels.Gradient);
            _hessian = acc.LoadAutoGroupedKernel<Index1D, ArrayView<double>, int, int, ArrayView<int>, int, ArrayView<double>, ArrayView<double>, ArrayView<int>, int, ArrayView<double>>(MillipedeKernels.Hessian);
            var hits = Enumerable.Range(0, _n).Where(j => charge[j] > 0).ToArray();
            _hitCount = hits.Length;
            _hits = acc.Allocate1D<int>(Math.Max(1, hits.Length));
            _hits.View.AsContiguous().SubView(0, hits.Length).CopyFromCPU(hits);
            _doms = acc.Allocate1D<double>(Math.Max(1, 5 * _n));
            _lnGamma = acc.Allocate1D<double>(Math.Max(1, _n));
            var host = new double[5 * _n];
            x.CopyTo(host, 0);
            y.CopyTo(host, _n);
            z.CopyTo(host, 2 * _n);
            amplitude.CopyTo(host, 3 * _n);
            charge.CopyTo(host, 4 * _n);
            _doms.View.AsContiguous().SubView(0, host.Length).CopyFromCPU(host);
            _lnGamma.View.AsContiguous().SubView(0, _n).CopyFromCPU(lnGammaChargePlusOne);
        }
    }

    /// <summary>Number of DOMs.</summary>
    public int DomCount => _n;

    /// <summary>The track r0 + s·d clipped to the cube |x|,|y|,|z| ≤ 600 m, with a cascade every 5 m from the entry point.</summary>
    public static MillipedeTrack Track(Vector3D r0, Vector3D d)
    {
        var h = PhysicsConstants.ClipHalfSize;
        double sIn = double.NegativeInfinity, sOut = double.PositiveInfinity;
        var ok = true;
        foreach (var (o, v) in new[] { (r0.X, d.X), (r0.Y, d.Y), (r0.Z, d.Z) })
        {
            if (v == 0)
            {
                ok &= Math.Abs(o) <= h;
                continue;
            }

            var t1 = (-h - o) / v;
            var t2 = (h - o) / v;
            sIn = Math.Max(sIn, Math.Min(t1, t2));
            sOut = Math.Min(sOut, Math.Max(t1, t2));
        }

        ok &= sIn <= sOut && double.IsFinite(sIn) && double.IsFinite(sOut);
        var count = ok ? (int)Math.Floor((sOut - sIn) / PhysicsConstants.CascadeSpacing) + 1 : 0;
        return new MillipedeTrack(r0.X, r0.Y, r0.Z, d.X, d.Y, d.Z, ok ? sIn : 0.0, count);
    }

    /// <summary>The source stride of a batch: its largest cascade count (≥ 1).</summary>
    public static int Stride(ReadOnlySpan<MillipedeTrack> tracks)
    {
        var m = 1;
        foreach (var t in tracks)
        {
            m = Math.Max(m, t.Count);
        }

        return m;
    }

    /// <summary>The response matrices, destination[(b·n + j)·m + s], m = <see cref="Stride"/>.</summary>
    public void Response(ReadOnlySpan<MillipedeTrack> tracks, Span<double> destination)
    {
        var m = Stride(tracks);
        lock (_owner.Gate)
        {
            Build(tracks, m);
            _b!.View.AsContiguous().SubView(0, (long)tracks.Length * _n * m).CopyToCPU(destination[..(tracks.Length * _n * m)]);
        }
    }

    /// <summary>
    /// Builds the response of every track, runs <paramref name="emSteps"/> EM steps from <paramref name="energies"/>
    /// (b·m + s, m = <see cref="Stride"/>; updated in place) and writes each track's llh at the final energies.
    /// </summary>
    public void Evaluate(ReadOnlySpan<MillipedeTrack> tracks, Span<double> energies, int emSteps, Span<double> llh)
    {
        var m = Stride(tracks);
        var count = tracks.Length * m;
        if (energies.Length < count || llh.Length < tracks.Length || emSteps < 0)
        {
            throw new ArgumentException("energies must hold tracks × stride values, llh one per track, emSteps ≥ 0");
        }

        lock (_owner.Gate)
        {
            Build(tracks, m);
            Ensure(ref _e, count);
            Ensure(ref _mu, tracks.Length * _n);
            Ensure(ref _out, tracks.Length);
            _e!.View.AsContiguous().SubView(0, count).CopyFromCPU(energies[..count]);
            var config = new KernelConfig(tracks.Length, _owner.GroupSize);
            var stream = _owner.Accelerator.DefaultStream;
            for (var step = 0; step <= emSteps; step++)
            {
                _llh(config, _doms.View, _lnGamma.View, _n, m, _b!.View, _e.View, _mu!.View, _out!.View);
                if (step < emSteps)
                {
                    _em(stream, count, _doms.View, _n, m, _b.View, _mu.View, _e.View);
                }
            }

            _e.View.AsContiguous().SubView(0, count).CopyToCPU(energies[..count]);
            _out!.View.AsContiguous().SubView(0, tracks.Length).CopyToCPU(llh[..tracks.Length]);
        }
    }

    /// <summary>
    /// Builds the response of <paramref name="tracks"/> and keeps it for <see cref="Llh"/>, <see cref="Gradient"/> and
    /// <see cref="Hessian"/> (until the next <see cref="Load"/>, <see cref="Evaluate"/> or <see cref="Response"/>).
    /// </summary>
    /// <returns>The source stride m of the batch (<see cref="Stride"/>).</returns>
    public int Load(ReadOnlySpan<MillipedeTrack> tracks)
    {
        var m = Stride(tracks);
        lock (_owner.Gate)
        {
            Build(tracks, m);
            _loadedTracks = tracks.Length;
            _loadedStride = m;
            _haveMu = false;
        }

        return m;
    }

    /// <summary>The llh of every loaded track at <paramref name="energies"/> (b·m + s); keeps μ for <see cref="Gradient"/> and <see cref="Hessian"/>.</summary>
    public void Llh(ReadOnlySpan<double> energies, Span<double> llh)
    {
        var (count, m) = Loaded();
        if (energies.Length < count * m || llh.Length < count)
        {
            throw new ArgumentException("energies must hold loaded tracks × stride values, llh one per track");
        }

        lock (_owner.Gate)
        {
            Ensure(ref _e, count * m);
            Ensure(ref _mu, count * _n);
            Ensure(ref _out, count);
            _e!.View.AsContiguous().SubView(0, count * m).CopyFromCPU(energies[..(count * m)]);
            _llh(new KernelConfig(count, _owner.GroupSize), _doms.View, _lnGamma.View, _n, m, _b!.View, _e.View, _mu!.View, _out!.View);
            _out.View.AsContiguous().SubView(0, count).CopyToCPU(llh[..count]);
            _haveMu = true;
        }
    }

    /// <summary>∂llh/∂E_s of every loaded track (b·m + s) at the energies of the last <see cref="Llh"/>.</summary>
    public void Gradient(Span<double> gradient)
    {
        var (count, m) = Loaded();
        if (!_haveMu || gradient.Length < count * m)
        {
            throw new InvalidOperationException("Gradient needs a Llh call first and room for loaded tracks × stride values");
        }

        lock (_owner.Gate)
        {
            Ensure(ref _g, count * m);
            _gradient(_owner.Accelerator.DefaultStream, count * m, _doms.View, _n, m, _b!.View, _mu!.View, _g!.View);
            _g.View.AsContiguous().SubView(0, count * m).CopyToCPU(gradient[..(count * m)]);
        }
    }

    /// <summary>
    /// The Hessian of every loaded track's llh at the energies of the last <see cref="Llh"/>, restricted to the
    /// sources free[b·p + a] (−1: padding): hessian[(b·p + a)·p + c].
    /// </summary>
    public void Hessian(ReadOnlySpan<int> free, int p, Span<double> hessian)
    {
        var (count, m) = Loaded();
        if (!_haveMu || p < 1 || free.Length < count * p || hessian.Length < count * p * p)
        {
            throw new InvalidOperationException("Hessian needs a Llh call first, p ≥ 1, loaded tracks × p indices and room for loaded tracks × p² values");
        }

        foreach (var f in free[..(count * p)])
        {
            if (f >= m)
            {
                throw new ArgumentException("a free source index is beyond the stride", nameof(free));
            }
        }

        lock (_owner.Gate)
        {
            if (_free is null || _free.Length < count * p)
            {
                _free?.Dispose();
                _free = null;
                _free = _owner.Accelerator.Allocate1D<int>(count * p);
            }

            Ensure(ref _h, count * p * p);
            _free.View.AsContiguous().SubView(0, count * p).CopyFromCPU(free[..(count * p)]);
            _hessian(_owner.Accelerator.DefaultStream, count * p * p, _doms.View, _n, m, _hits.View, _hitCount, _b!.View, _mu!.View, _free.View, p, _h!.View);
            _h.View.AsContiguous().SubView(0, count * p * p).CopyToCPU(hessian[..(count * p * p)]);
        }
    }

    public void Dispose()
    {
        lock (_owner.Gate)
        {
            _doms.Dispose();
            _lnGamma.Dispose();
            _hits.Dispose();
            _g?.Dispose();
            _h?.Dispose();
            _free?.Dispose();
            _tracks?.Dispose();
            _b?.Dispose();
            _e?.Dispose();
            _mu?.Dispose();
            _out?.Dispose();
        }
    }

    private (int Count, int Stride) Loaded() =>
        _loadedTracks > 0 ? (_loadedTracks, _loadedStride) : throw new InvalidOperationException("no tracks loaded: call Load first");

    private void Build(ReadOnlySpan<MillipedeTrack> tracks, int m)
    {
        _loadedTracks = 0;
        if (_tracks is null || _tracks.Length < tracks.Length)
        {
            _tracks?.Dispose();
            _tracks = null;
            _tracks = _owner.Accelerator.Allocate1D<MillipedeTrack>(tracks.Length);
        }

        _tracks.View.AsContiguous().SubView(0, tracks.Length).CopyFromCPU(tracks);
        var total = tracks.Length * _n * m;
        Ensure(ref _b, total);
        _response(_owner.Accelerator.DefaultStream, total, _doms.View, _n, m, _tracks.View, _b!.View);
    }

    private void Ensure(ref MemoryBuffer1D<double, Stride1D.Dense>? buffer, int length)
    {
        if (buffer is not null && buffer.Length >= length)
        {
            return;
        }

        buffer?.Dispose();
        buffer = null;
        buffer = _owner.Accelerator.Allocate1D<double>(Math.Max(1, length));
    }
}
