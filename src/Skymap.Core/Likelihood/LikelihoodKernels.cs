using Skymap.Core.Likelihood.Ilgpu;

namespace Skymap.Core.Likelihood;

/// <summary>Creates likelihood kernels by kind (<c>--kernel auto|scalar|simd|ilgpu|ilgpu-cpu</c>).</summary>
internal static class LikelihoodKernels
{
    private static readonly Lazy<SimdLikelihoodKernel?> BestSimd =
        new(() => SimdLikelihoodKernel.IsSupported ? new SimdLikelihoodKernel() : null);

    /// <summary>The GPU kernel (CUDA first, then OpenCL; <see cref="IlgpuDevices.DeviceSelectorVariable"/> may name one). Created once per process.</summary>
    private static readonly Lazy<(IlgpuLikelihoodKernel? Kernel, string? Reason)> Gpu = new(() =>
        IlgpuLikelihoodKernel.TryCreateGpu(null, out var k, out var why) ? (k, null) : (null, why));

    /// <summary>The CPU-accelerator kernel. Created once per process.</summary>
    private static readonly Lazy<IlgpuLikelihoodKernel> Cpu = new(IlgpuLikelihoodKernel.CreateCpu);

    /// <summary>
    /// The kernel of a kind: <see cref="KernelKind.Auto"/> gives the SIMD kernel when vectors are hardware accelerated,
    /// else the scalar one (never a GPU: see <see cref="CreateForBatches"/>); its <see cref="ILikelihoodKernel.Name"/>
    /// says which was picked. The ILGPU kernels are created once per process and shared (calls are serialised).
    /// </summary>
    /// <exception cref="NotSupportedException"><see cref="KernelKind.Simd"/> without vector acceleration, or <see cref="KernelKind.Ilgpu"/> without a usable GPU (the message says why).</exception>
    /// <exception cref="ArgumentOutOfRangeException">Unknown kind.</exception>
    public static ILikelihoodKernel Create(KernelKind kind) => kind switch
    {
        KernelKind.Scalar => ScalarLikelihoodKernel.Instance,
        KernelKind.Simd => BestSimd.Value ?? throw new NotSupportedException("the SIMD kernel needs hardware-accelerated vectors"),
        KernelKind.Ilgpu => Gpu.Value.Kernel ?? throw new NotSupportedException($"--kernel ilgpu: no usable GPU: {Gpu.Value.Reason}"),
        KernelKind.IlgpuCpu => Cpu.Value,
        KernelKind.Auto => (ILikelihoodKernel?)BestSimd.Value ?? ScalarLikelihoodKernel.Instance,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown kernel kind"),
    };

    /// <summary>
    /// The kernel for batched fitting (many hypotheses per call): like <see cref="Create"/>, except that
    /// <see cref="KernelKind.Auto"/> picks the GPU when one is usable.
    /// </summary>
    /// <exception cref="NotSupportedException">As <see cref="Create"/>.</exception>
    public static ILikelihoodKernel CreateForBatches(KernelKind kind) =>
        kind == KernelKind.Auto && Gpu.Value.Kernel is { } gpu ? gpu : Create(kind);

    /// <summary>Why <see cref="KernelKind.Ilgpu"/> is unavailable here, or null when a GPU kernel exists (probes and compiles once).</summary>
    public static string? GpuUnavailableReason => Gpu.Value.Kernel is null ? Gpu.Value.Reason : null;

    /// <summary>Parses <c>auto</c>, <c>scalar</c>, <c>simd</c>, <c>ilgpu</c> or <c>ilgpu-cpu</c> (case-insensitive).</summary>
    /// <exception cref="ArgumentException">Anything else.</exception>
    public static KernelKind Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Trim().ToUpperInvariant() switch
        {
            "AUTO" => KernelKind.Auto,
            "SCALAR" => KernelKind.Scalar,
            "SIMD" => KernelKind.Simd,
            "ILGPU" => KernelKind.Ilgpu,
            "ILGPU-CPU" => KernelKind.IlgpuCpu,
            _ => throw new ArgumentException($"kernel must be auto, scalar, simd, ilgpu or ilgpu-cpu, got '{value}'", nameof(value)),
        };
    }

    /// <summary>The command-line name of a kind: <c>auto</c>, <c>scalar</c>, <c>simd</c>, <c>ilgpu</c>, <c>ilgpu-cpu</c>.</summary>
    public static string Format(KernelKind kind) => kind switch
    {
        KernelKind.IlgpuCpu => "ilgpu-cpu",
        _ => kind.ToString().ToLowerInvariant(),
    };
}
