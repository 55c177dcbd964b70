using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Skymap.Core.Likelihood.OpenCl.Internal;

namespace Skymap.Core.Likelihood.OpenCl;

/// <summary>
/// The OpenCL kernel: <see cref="ScalarLikelihoodKernel"/>'s Pandel algorithms (PHYSICS.md §3, special functions
/// included) as OpenCL C in double precision, on a GPU or, through POCL, on the CPU. Agrees with the scalar kernel to a
/// relative 1e-9 on every event llh.
/// </summary>
/// <remarks>
/// <para>
/// <b>Data flow.</b> The DOM arrays live on the device and are uploaded only when they change: a call whose
/// <see cref="DomBatch"/> is the <see cref="HitDomArrays"/> given to <see cref="Bind"/> skips every check; any other
/// batch is compared bitwise with the last upload (a host-side memcmp) and re-sent only when different. Each
/// hypothesis is one work-group whose work-items sum strided slices of the DOMs, followed by a fixed-shape tree
/// reduction in local memory; the batched <see cref="PandelLlh(PandelVariant, ReadOnlySpan{TrackHypothesis}, DomBatch, Span{double})"/>
/// evaluates all hypotheses in one launch and reads back one double per hypothesis. The summation order depends only
/// on the DOM count and the work-group size (fixed per device), so results are bit-identical run to run, and a single
/// call equals the same hypothesis inside a batch.
/// </para>
/// <para>
/// <see cref="PoissonLlh"/> runs on the host (it delegates to <see cref="ScalarLikelihoodKernel"/>): it is one pass of
/// cheap arithmetic over arrays that change every call, so a device round trip would only add latency.
/// </para>
/// <para>
/// Thread-safe: calls are serialised on one command queue. <see cref="Dispose"/> releases the device objects; using
/// the kernel afterwards throws <see cref="ObjectDisposedException"/>.
/// </para>
/// </remarks>
public sealed class OpenClLikelihoodKernel : ILikelihoodKernel, IDisposable
{
    private const int MaxWorkGroupSize = 256;

    private readonly Lock _gate = new();
    private readonly OpenClNative _cl;
    private nint _context;
    private nint _queue;
    private nint _program;
    private nint _llhKernel;
    private nint _termsKernel;

    // Device buffers: DOM arrays (x, y, z, t1, N), packed hypotheses, per-hypothesis results, per-DOM terms.
    private readonly nint[] _domBuffers = new nint[5];
    private int _domCapacity;
    private nint _hypBuffer;
    private int _hypCapacity;
    private nint _outBuffer;
    private int _outCapacity;
    private nint _termsBuffer;
    private int _termsCapacity;

    // Host copy of what the DOM buffers hold, and the bound arrays (if any) they came from.
    private readonly double[][] _domHost = [[], [], [], [], []];
    private int _domCount = -1;
    private HitDomArrays? _bound;
    private double[] _hypHost = [];
    private bool _disposed;

    /// <summary>Compiles the kernels for <paramref name="device"/> (an entry of <see cref="OpenClDevices.List"/>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    /// <exception cref="NotSupportedException">OpenCL is unavailable or the device lacks double precision.</exception>
    /// <exception cref="OpenClException">Context creation or the kernel build failed (the message carries the build log).</exception>
    public OpenClLikelihoodKernel(OpenClDeviceInfo device)
        : this(device, PandelKernelSource.Build())
    {
    }

    /// <summary>Test hook: builds an arbitrary source (a broken one exercises the build-log path).</summary>
    internal OpenClLikelihoodKernel(OpenClDeviceInfo device, string source)
    {
        ArgumentNullException.ThrowIfNull(device);
        _cl = OpenClDevices.Native ?? throw new NotSupportedException(OpenClDevices.UnavailableReason ?? "OpenCL is unavailable");
        if (!device.SupportsDouble)
        {
            throw new NotSupportedException($"OpenCL device '{device.Name}' does not support double precision (cl_khr_fp64)");
        }

        Device = device;
        Name = $"opencl ({device.Name}, {device.Type.ToString().ToUpperInvariant()})";
        try
        {
            _context = _cl.CreateContext(device.DeviceId);
            _queue = _cl.CreateCommandQueue(_context, device.DeviceId);
            _program = _cl.BuildProgram(_context, device.DeviceId, source, string.Empty);
            _llhKernel = _cl.CreateKernel(_program, PandelKernelSource.LlhKernelName);
            _termsKernel = _cl.CreateKernel(_program, PandelKernelSource.TermsKernelName);
            var limit = Math.Min((long)_cl.GetKernelWorkGroupSize(_llhKernel, device.DeviceId), Math.Min(device.MaxWorkGroupSize, MaxWorkGroupSize));
            WorkGroupSize = (int)Math.Max(1, BitFloor(limit));
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>The device the kernel runs on.</summary>
    public OpenClDeviceInfo Device { get; }

    /// <summary>Work-items per hypothesis (a power of two ≤ 256 that the device and kernel allow).</summary>
    public int WorkGroupSize { get; }

    /// <inheritdoc />
    /// <remarks>E.g. <c>opencl (NVIDIA A100-SXM4-40GB, GPU)</c>.</remarks>
    public string Name { get; }

    /// <inheritdoc />
    public KernelKind Kind => KernelKind.OpenCl;

    /// <summary>
    /// Creates a kernel on the device named by the <see cref="OpenClDevices.DeviceSelectorVariable"/> environment
    /// variable (index or name substring) or, when it is unset, the best double-precision device (GPU, then
    /// accelerator, then CPU such as POCL).
    /// </summary>
    /// <returns>False with a reason (no library, no platform, no fp64 device, no match, build failure); never throws.</returns>
    public static bool TryCreate([NotNullWhen(true)] out OpenClLikelihoodKernel? kernel, [NotNullWhen(false)] out string? reason) =>
        TryCreate(Environment.GetEnvironmentVariable(OpenClDevices.DeviceSelectorVariable), requireGpu: false, out kernel, out reason);

    /// <summary>
    /// Creates a kernel on the device <see cref="OpenClDevices.TrySelect"/> picks for <paramref name="selector"/> (null or
    /// blank: automatic; <paramref name="requireGpu"/> then admits only GPUs, which is what <c>--kernel auto</c> wants).
    /// </summary>
    /// <returns>False with a reason; never throws.</returns>
    public static bool TryCreate(string? selector, bool requireGpu, [NotNullWhen(true)] out OpenClLikelihoodKernel? kernel, [NotNullWhen(false)] out string? reason)
    {
        kernel = null;
        if (!OpenClDevices.TrySelect(selector, requireGpu, out var device, out reason))
        {
            return false;
        }

        try
        {
            kernel = new OpenClLikelihoodKernel(device);
            return true;
        }
        catch (Exception e) when (e is OpenClException or NotSupportedException)
        {
            reason = $"OpenCL device '{device.Name}': {e.Message}";
            return false;
        }
    }

    /// <summary>
    /// Uploads an event's DOMs now and remembers the arrays, so later calls with <c>doms.AsBatch()</c> skip the
    /// change check. Optional: unbound batches are uploaded on first use and compared on later ones.
    /// </summary>
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
            EnsureBuffer(ref _termsBuffer, ref _termsCapacity, doms.Count, OpenClNative.CL_MEM_WRITE_ONLY);
            SetCommonArgs(_termsKernel, variant, doms.Count);
            _cl.SetKernelArg(_termsKernel, 7, _hypBuffer);
            _cl.SetKernelArg(_termsKernel, 8, _termsBuffer);
            _cl.EnqueueKernel(_queue, _termsKernel, (nuint)doms.Count, 0);
            _cl.ReadBuffer(_queue, _termsBuffer, destination[..doms.Count]);
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
            EnsureBuffer(ref _outBuffer, ref _outCapacity, hypotheses.Length, OpenClNative.CL_MEM_WRITE_ONLY);
            SetCommonArgs(_llhKernel, variant, doms.Count);
            _cl.SetKernelArg(_llhKernel, 7, _hypBuffer);
            _cl.SetKernelArg(_llhKernel, 8, _outBuffer);
            _cl.SetKernelArgLocal(_llhKernel, 9, (nuint)(WorkGroupSize * sizeof(double)));
            _cl.EnqueueKernel(_queue, _llhKernel, (nuint)hypotheses.Length * (nuint)WorkGroupSize, (nuint)WorkGroupSize);
            _cl.ReadBuffer(_queue, _outBuffer, destination[..hypotheses.Length]);
        }
    }

    /// <inheritdoc />
    /// <remarks>Evaluated on the host by <see cref="ScalarLikelihoodKernel"/> (see the class remarks).</remarks>
    public double PoissonLlh(ReadOnlySpan<double> counts, ReadOnlySpan<double> expectations, ReadOnlySpan<double> lnGammaCountsPlusOne) =>
        ScalarLikelihoodKernel.Instance.PoissonLlh(counts, expectations, lnGammaCountsPlusOne);

    /// <summary>Releases the device buffers, kernels, program, queue and context.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Release();
        }
    }

    private void Release()
    {
        if (_queue != 0)
        {
            try
            {
                _cl.Finish(_queue);
            }
            catch (OpenClException)
            {
                // Releasing anyway.
            }
        }

        for (var i = 0; i < _domBuffers.Length; i++)
        {
            _cl.ReleaseMemObject(_domBuffers[i]);
            _domBuffers[i] = 0;
        }

        _cl.ReleaseMemObject(_hypBuffer);
        _cl.ReleaseMemObject(_outBuffer);
        _cl.ReleaseMemObject(_termsBuffer);
        _cl.ReleaseKernel(_llhKernel);
        _cl.ReleaseKernel(_termsKernel);
        _cl.ReleaseProgram(_program);
        _cl.ReleaseCommandQueue(_queue);
        _cl.ReleaseContext(_context);
        _hypBuffer = _outBuffer = _termsBuffer = _llhKernel = _termsKernel = _program = _queue = _context = 0;
        _domCapacity = _hypCapacity = _outCapacity = _termsCapacity = 0;
        _domCount = -1;
        _bound = null;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    /// <summary>Makes the device DOM buffers hold <paramref name="doms"/>, uploading only when they differ.</summary>
    private void EnsureDoms(DomBatch doms)
    {
        var n = doms.Count;
        if (_bound is not null && _bound.Count == n && SameMemory(_bound.AsBatch(), doms))
        {
            return; // HitDomArrays is immutable and we hold it, so the same memory means the same data.
        }

        _bound = null;
        if (_domCount == n
            && BitEqual(_domHost[0], doms.X) && BitEqual(_domHost[1], doms.Y) && BitEqual(_domHost[2], doms.Z)
            && BitEqual(_domHost[3], doms.T1) && BitEqual(_domHost[4], doms.Multiplicity))
        {
            return;
        }

        if (n > _domCapacity)
        {
            var capacity = Math.Max(n, Math.Min(int.MaxValue / 2, _domCapacity * 2));
            for (var i = 0; i < _domBuffers.Length; i++)
            {
                _cl.ReleaseMemObject(_domBuffers[i]);
                _domBuffers[i] = 0;
            }

            for (var i = 0; i < _domBuffers.Length; i++)
            {
                _domBuffers[i] = _cl.CreateBuffer(_context, OpenClNative.CL_MEM_READ_ONLY, (nuint)capacity * sizeof(double));
            }

            _domCapacity = capacity;
        }

        _domCount = -1; // Invalid until every array is written.
        Upload(0, doms.X);
        Upload(1, doms.Y);
        Upload(2, doms.Z);
        Upload(3, doms.T1);
        Upload(4, doms.Multiplicity);
        _domCount = n;
    }

    private void Upload(int index, ReadOnlySpan<double> data)
    {
        if (_domHost[index].Length != data.Length)
        {
            _domHost[index] = new double[data.Length];
        }

        data.CopyTo(_domHost[index]);
        _cl.WriteBuffer(_queue, _domBuffers[index], data);
    }

    private void WriteHypotheses(ReadOnlySpan<TrackHypothesis> hypotheses)
    {
        const int stride = PandelKernelSource.HypothesisStride;
        var needed = hypotheses.Length * stride;
        if (_hypHost.Length < needed)
        {
            _hypHost = new double[needed];
        }

        for (var h = 0; h < hypotheses.Length; h++)
        {
            var hyp = hypotheses[h];
            var o = h * stride;
            _hypHost[o] = hyp.Vertex.X;
            _hypHost[o + 1] = hyp.Vertex.Y;
            _hypHost[o + 2] = hyp.Vertex.Z;
            _hypHost[o + 3] = hyp.Time;
            _hypHost[o + 4] = hyp.Direction.X;
            _hypHost[o + 5] = hyp.Direction.Y;
            _hypHost[o + 6] = hyp.Direction.Z;
            _hypHost[o + 7] = 0.0;
        }

        EnsureBuffer(ref _hypBuffer, ref _hypCapacity, needed, OpenClNative.CL_MEM_READ_ONLY);
        _cl.WriteBuffer(_queue, _hypBuffer, new ReadOnlySpan<double>(_hypHost, 0, needed));
    }

    private void EnsureBuffer(ref nint buffer, ref int capacity, int doubles, ulong flags)
    {
        if (doubles <= capacity)
        {
            return;
        }

        var grown = Math.Max(doubles, Math.Min(int.MaxValue / 2, capacity * 2));
        _cl.ReleaseMemObject(buffer);
        buffer = 0;
        capacity = 0;
        buffer = _cl.CreateBuffer(_context, flags, (nuint)grown * sizeof(double));
        capacity = grown;
    }

    private void SetCommonArgs(nint kernel, PandelVariant variant, int count)
    {
        _cl.SetKernelArg(kernel, 0, variant == PandelVariant.Mpe ? 1 : 0);
        _cl.SetKernelArg(kernel, 1, count);
        for (var i = 0; i < _domBuffers.Length; i++)
        {
            _cl.SetKernelArg(kernel, (uint)(2 + i), _domBuffers[i]);
        }
    }

    private static bool SameMemory(DomBatch a, DomBatch b) =>
        Same(a.X, b.X) && Same(a.Y, b.Y) && Same(a.Z, b.Z) && Same(a.T1, b.T1) && Same(a.Multiplicity, b.Multiplicity);

    private static bool Same(ReadOnlySpan<double> a, ReadOnlySpan<double> b) =>
        a.Length == b.Length && Unsafe.AreSame(ref MemoryMarshal.GetReference(a), ref MemoryMarshal.GetReference(b));

    private static bool BitEqual(double[] host, ReadOnlySpan<double> data) =>
        host.Length == data.Length && MemoryMarshal.AsBytes(host.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(data));

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
