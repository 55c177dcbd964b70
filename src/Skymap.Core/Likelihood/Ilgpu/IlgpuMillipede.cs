using ILGPU;
using ILGPU.Runtime;
using Skymap.Core.Geometry;
using Skymap.Core.Likelihood.Ilgpu.Internal;
using Skymap.Core.Physics;

namespace Skymap.Core.Likelihood.Ilgpu;

/// <summary>
/// Millipede's unfolding (PHYSICS.md §4) on an ILGPU accelerator, for a batch of tracks at once: the response matrix,
/// the Poisson llh at given energies and EM steps of the non-negative energy solve, each one launch for the whole
/// batch. Shares the accelerator (and its lock) of an <see cref="IlgpuLikelihoodKernel"/>. The DOMs are those of
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
    private MemoryBuffer1D<MillipedeTrack, Stride1D.Dense>? _tracks;
    private MemoryBuffer1D<double, Stride1D.Dense>? _b;
    private MemoryBuffer1D<double, Stride1D.Dense>? _e;
    private MemoryBuffer1D<double, Stride1D.Dense>? _mu;
    private MemoryBuffer1D<double, Stride1D.Dense>? _out;

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

    public void Dispose()
    {
        lock (_owner.Gate)
        {
            _doms.Dispose();
            _lnGamma.Dispose();
            _tracks?.Dispose();
            _b?.Dispose();
            _e?.Dispose();
            _mu?.Dispose();
            _out?.Dispose();
        }
    }

    private void Build(ReadOnlySpan<MillipedeTrack> tracks, int m)
    {
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
