using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using Skymap.Core.Likelihood.Ilgpu.Internal;

namespace Skymap.Core.Likelihood.Ilgpu;

/// <summary>
/// The ILGPU kernel: PHYSICS.md §3 written once in C# (<see cref="ScalarLikelihoodKernel"/>'s per-DOM term, special
/// functions included) and compiled by ILGPU for a CUDA GPU, an OpenCL GPU, or ILGPU's CPU accelerator. Agrees with
/// the scalar kernel to a relative 1e-9 on every event llh (tested on the CPU accelerator; the PTX compiles offline).
/// </summary>
/// <remarks>
/// <para>
/// <b>Data flow.</b> The DOM arrays live on the device and are uploaded only when they change: a batch that is the
/// memory of the <see cref="HitDomArrays"/> given to <see cref="Bind"/> skips every check; any other batch is compared
/// bitwise with the last upload and re-sent only when different. The batched
/// <see cref="PandelLlh(PandelVariant, ReadOnlySpan{TrackHypothesis}, DomBatch, Span{double})"/> evaluates all
/// hypotheses in one launch, one group per hypothesis with a fixed-shape shared-memory tree for the sum, so results are
/// bit-identical run to run and a single call equals the same hypothesis inside any batch.
/// </para>
/// <para>
/// <see cref="PoissonLlh"/> runs on the host (<see cref="ScalarLikelihoodKernel"/>): one cheap pass over arrays that
/// change every call. Thread-safe: calls are serialised. <see cref="Dispose"/> releases the accelerator.
/// </para>
/// </remarks>
internal sealed class IlgpuLikelihoodKernel : ILikelihoodKernel, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Context _context;
    private readonly Accelerator _accelerator;
    private readonly Action<KernelConfig, ArrayView<double>, int, int, ArrayView<TrackHypothesis>, ArrayView<double>> _llh;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<double>, int, int, ArrayView<TrackHypothesis>, ArrayView<double>> _terms;

    private MemoryBuffer1D<double, Stride1D.Dense>? _doms;
    private MemoryBuffer1D<TrackHypothesis, Stride1D.Dense>? _hyps;
    private MemoryBuffer1D<double, Stride1D.Dense>? _out;
    private double[] _domHost = [];
    private int _domCount = -1;
    private HitDomArrays? _bound;
    private bool _disposed;

    private IlgpuLikelihoodKernel(Context context, Device device, IlgpuDeviceInfo info)
    {
        _context = context;
        Device = info;
        _accelerator = device.CreateAccelerator(context);
        try
        {
            _llh = _accelerator.LoadStreamKernel<ArrayView<double>, int, int, ArrayView<TrackHypothesis>, ArrayView<double>>(PandelKernels.Llh);
            var terms = _accelerator.LoadAutoGroupedKernel<Index1D, ArrayView<double>, int, int, ArrayView<TrackHypothesis>, ArrayView<double>>(PandelKernels.Terms);
            _terms = terms;
            var limit = Math.Min(_accelerator.MaxNumThreadsPerGroup, info.Kind == IlgpuDeviceKind.Cpu ? PandelKernels.MaxGroupSize : 128);
            GroupSize = (int)BitFloor(Math.Max(1, limit));
            Name = $"ilgpu ({_accelerator.Name}, {info.Kind.ToString().ToUpperInvariant()})";
        }
        catch
        {
            _accelerator.Dispose();
            throw;
        }
    }

    /// <summary>The device the kernel runs on.</summary>
    public IlgpuDeviceInfo Device { get; }

    /// <summary>The accelerator, for other kernels on the same device (<see cref="IlgpuMillipede"/>); use under <see cref="Gate"/>.</summary>
    internal Accelerator Accelerator => _accelerator;

    /// <summary>Serialises every use of the accelerator.</summary>
    internal Lock Gate => _gate;

    /// <summary>Threads per hypothesis (a power of two: 128 on GPUs, the CPU accelerator's group size on the CPU).</summary>
    public int GroupSize { get; }

    /// <inheritdoc />
    /// <remarks>E.g. <c>ilgpu (NVIDIA H200, CUDA)</c> or <c>ilgpu (CPUAccelerator, CPU)</c>.</remarks>
    public string Name { get; } = string.Empty;

    /// <inheritdoc />
    public KernelKind Kind => Device.Kind == IlgpuDeviceKind.Cpu ? KernelKind.IlgpuCpu : KernelKind.Ilgpu;

    /// <summary>
    /// Creates the kernel on the GPU that <see cref="IlgpuDevices.TrySelect"/> picks for <paramref name="selector"/>
    /// (null: <see cref="IlgpuDevices.DeviceSelectorVariable"/>, else CUDA first, then OpenCL).
    /// </summary>
    /// <returns>False with a reason (no device, compile or driver failure); never throws.</returns>
    public static bool TryCreateGpu(string? selector, [NotNullWhen(true)] out IlgpuLikelihoodKernel? kernel, [NotNullWhen(false)] out string? reason)
    {
        kernel = null;
        if (!IlgpuDevices.TrySelect(selector ?? Environment.GetEnvironmentVariable(IlgpuDevices.DeviceSelectorVariable), out var info, out reason))
        {
            return false;
        }

        Context? context = null;
        try
        {
            (context, var device) = IlgpuContexts.CreateGpu(info);
            kernel = new IlgpuLikelihoodKernel(context, device, info);
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose(); // A failed compile poisons the context: the next attempt starts afresh.
            reason = $"ILGPU device '{info.Name}': {e.GetType().Name}: {e.Message}";
            return false;
        }
    }

    /// <summary>Creates the kernel on ILGPU's CPU accelerator (always available; slower than SIMD, for tests and checks).</summary>
    /// <exception cref="InvalidOperationException">The kernels did not compile (a bug: the message carries ILGPU's).</exception>
    public static IlgpuLikelihoodKernel CreateCpu()
    {
        var context = IlgpuContexts.CreateCpu();
        try
        {
            return new IlgpuLikelihoodKernel(context, context.Devices[0], IlgpuDevices.CpuDevice);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context.Dispose();
            throw new InvalidOperationException($"ILGPU CPU accelerator: {e.GetType().Name}: {e.Message}", e);
        }
    }

    /// <summary>Uploads an event's DOMs now and remembers the arrays, so later calls with <c>doms.AsBatch()</c> skip the change check.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="doms"/> is null.</exception>
    public void Bind(HitDomArrays doms)
    {
        ArgumentNullException.ThrowIfNull(doms);
        lock (_gate)
        {
            ThrowIfDisposed();
            EnsureDoms(doms.AsBatch());
            _bound = doms;
        }
    }

    /// <inheritdoc />
    public double PandelLlh(PandelVariant variant, in TrackHypothesis hypothesis, DomBatch doms)
    {
        Span<double> result = stackalloc double[1];
        PandelLlh(variant, new ReadOnlySpan<TrackHypothesis>(in hypothesis), doms, result);
        return result[0];
    }

    /// <inheritdoc />
    public void PandelTerms(PandelVariant variant, in TrackHypothesis hypothesis, DomBatch doms, Span<double> destination)
    {
        if (destination.Length < doms.Count)
        {
            throw new ArgumentException("destination is shorter than the DOM batch", nameof(destination));
        }

        lock (_gate)
        {
            ThrowIfDisposed();
            if (doms.Count == 0)
            {
                return;
            }

            EnsureDoms(doms);
            WriteHypotheses(new ReadOnlySpan<TrackHypothesis>(in hypothesis));
            EnsureBuffer(ref _out, doms.Count);
            _terms(_accelerator.DefaultStream, doms.Count, _doms!.View, doms.Count, variant == PandelVariant.Mpe ? 1 : 0, _hyps!.View, _out!.View);
            _out.View.AsContiguous().SubView(0, doms.Count).CopyToCPU(destination[..doms.Count]);
        }
    }

    /// <inheritdoc />
    public void PandelLlh(PandelVariant variant, ReadOnlySpan<TrackHypothesis> hypotheses, DomBatch doms, Span<double> destination)
    {
        if (destination.Length < hypotheses.Length)
        {
            throw new ArgumentException("destination is shorter than the hypotheses", nameof(destination));
        }

        lock (_gate)
        {
            ThrowIfDisposed();
            if (hypotheses.IsEmpty)
            {
                return;
            }

            if (doms.Count == 0)
            {
                destination[..hypotheses.Length].Clear();
                return;
            }

            EnsureDoms(doms);
            WriteHypotheses(hypotheses);
            EnsureBuffer(ref _out, hypotheses.Length);
            _llh(new KernelConfig(hypotheses.Length, GroupSize), _doms!.View, doms.Count, variant == PandelVariant.Mpe ? 1 : 0, _hyps!.View, _out!.View);
            _out.View.AsContiguous().SubView(0, hypotheses.Length).CopyToCPU(destination[..hypotheses.Length]);
        }
    }

    /// <inheritdoc />
    /// <remarks>Evaluated on the host by <see cref="ScalarLikelihoodKernel"/> (see the class remarks).</remarks>
    public double PoissonLlh(ReadOnlySpan<double> counts, ReadOnlySpan<double> expectations, ReadOnlySpan<double> lnGammaCountsPlusOne) =>
        ScalarLikelihoodKernel.Instance.PoissonLlh(counts, expectations, lnGammaCountsPlusOne);

    /// <summary>Releases the device buffers, the accelerator and the context.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _doms?.Dispose();
            _hyps?.Dispose();
            _out?.Dispose();
            _accelerator.Dispose();
            _context.Dispose();
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Makes the device DOM buffer hold <paramref name="doms"/>, uploading only when they differ.</summary>
    private void EnsureDoms(DomBatch doms)
    {
        var n = doms.Count;
        if (_bound is not null && _bound.Count == n && SameMemory(_bound.AsBatch(), doms))
        {
            return; // HitDomArrays is immutable and we hold it: the same memory is the same data.
        }

        _bound = null;
        if (_domCount == n
            && BitEqual(_domHost.AsSpan(0, n), doms.X) && BitEqual(_domHost.AsSpan(n, n), doms.Y) && BitEqual(_domHost.AsSpan(2 * n, n), doms.Z)
            && BitEqual(_domHost.AsSpan(3 * n, n), doms.T1) && BitEqual(_domHost.AsSpan(4 * n, n), doms.Multiplicity))
        {
            return;
        }

        _domCount = -1; // Invalid until the upload is done.
        if (_domHost.Length != 5 * n)
        {
            _domHost = new double[5 * n];
        }

        doms.X.CopyTo(_domHost.AsSpan(0, n));
        doms.Y.CopyTo(_domHost.AsSpan(n, n));
        doms.Z.CopyTo(_domHost.AsSpan(2 * n, n));
        doms.T1.CopyTo(_domHost.AsSpan(3 * n, n));
        doms.Multiplicity.CopyTo(_domHost.AsSpan(4 * n, n));
        EnsureBuffer(ref _doms, 5 * n);
        _doms!.View.AsContiguous().SubView(0, 5 * n).CopyFromCPU(_domHost);
        _domCount = n;
    }

    private void WriteHypotheses(ReadOnlySpan<TrackHypothesis> hypotheses)
    {
        if (_hyps is null || _hyps.Length < hypotheses.Length)
        {
            var grown = Math.Max(hypotheses.Length, (int)Math.Min(int.MaxValue / 2, 2 * (_hyps?.Length ?? 0)));
            _hyps?.Dispose();
            _hyps = null;
            _hyps = _accelerator.Allocate1D<TrackHypothesis>(grown);
        }

        _hyps.View.AsContiguous().SubView(0, hypotheses.Length).CopyFromCPU(hypotheses);
    }

    private void EnsureBuffer(ref MemoryBuffer1D<double, Stride1D.Dense>? buffer, int doubles)
    {
        if (buffer is not null && buffer.Length >= doubles)
        {
            return;
        }

        var grown = Math.Max(doubles, (int)Math.Min(int.MaxValue / 2, 2 * (buffer?.Length ?? 0)));
        buffer?.Dispose();
        buffer = null;
        buffer = _accelerator.Allocate1D<double>(grown);
    }

    private static bool SameMemory(DomBatch a, DomBatch b) =>
        Same(a.X, b.X) && Same(a.Y, b.Y) && Same(a.Z, b.Z) && Same(a.T1, b.T1) && Same(a.Multiplicity, b.Multiplicity);

    private static bool Same(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        a.Length == b.Length && Unsafe.AreSame(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b));

    private static bool BitEqual(ReadOnlySpan<double> host, ReadOnlySpan<double> data) =>
        host.Length == data.Length && MemoryMarshal.AsBytes(host).SequenceEqual(MemoryMarshal.AsBytes(data));

    private static long BitFloor(long v)
    {
        var p = 1L;
        while (p * 2 <= v)
        {
            p *= 2;
        }

        return p;
    }
}
