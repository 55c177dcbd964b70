using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Ilgpu;

namespace Skymap.Cli.Commands;

/// <summary>
/// <c>skymap devices</c>: the likelihood kernels this machine offers (scalar, each SIMD width with its instruction set,
/// every GPU ILGPU finds with whether it is usable, the ILGPU CPU accelerator) and what <c>--kernel auto</c> picks.
/// </summary>
public static class DevicesCommandHandler
{
    /// <summary>Writes the listing; always returns 0 (a missing GPU is reported, not an error).</summary>
    public static int Run(TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        stdout.WriteLine("Likelihood kernels:");
        stdout.WriteLine($"  scalar      {ScalarLikelihoodKernel.Instance.Name}");
        if (SimdLikelihoodKernel.AvailableLaneCounts.Count == 0)
        {
            stdout.WriteLine("  simd        unavailable: no hardware-accelerated vectors");
        }

        foreach (var lanes in SimdLikelihoodKernel.AvailableLaneCounts)
        {
            stdout.WriteLine($"  simd        {new SimdLikelihoodKernel(lanes).Name} [{Isa(lanes)}]");
        }

        var devices = IlgpuDevices.List();
        if (devices.Count == 0)
        {
            stdout.WriteLine($"  ilgpu       unavailable: {IlgpuDevices.UnavailableReason}");
        }
        else
        {
            stdout.WriteLine($"  ilgpu       {devices.Count} GPU device(s){(IlgpuDevices.UnavailableReason is { } why ? $", none usable: {why}" : string.Empty)}");
            foreach (var d in devices)
            {
                stdout.WriteLine($"    {d}");
            }
        }

        stdout.WriteLine($"  ilgpu-cpu   {IlgpuDevices.CpuDevice.Name} ({IlgpuDevices.CpuDevice.Note}; for checks, slower than simd)");
        var selector = Environment.GetEnvironmentVariable(IlgpuDevices.DeviceSelectorVariable);
        var gpu = IlgpuDevices.TrySelect(selector, out var device, out var reason);
        stdout.WriteLine($"auto: {LikelihoodKernels.Create(KernelKind.Auto).Name} for one-at-a-time fits; "
            + (gpu ? $"ilgpu on [{device!.Index}] {device.Name} for batched fits" : $"no GPU for batched fits ({reason})"));
        stdout.WriteLine($"(--kernel ilgpu uses the first usable CUDA device, then OpenCL; {IlgpuDevices.DeviceSelectorVariable}=index|name picks one)");
        return 0;
    }

    private static string Isa(int lanes) => lanes switch
    {
        8 => Avx512F.IsSupported ? "AVX-512" : "512-bit",
        4 => Avx2.IsSupported ? "AVX2" : Avx.IsSupported ? "AVX" : "256-bit",
        _ => Sse2.IsSupported ? (Sse41.IsSupported ? "SSE4.1" : "SSE2") : AdvSimd.IsSupported ? "AdvSIMD" : "128-bit",
    };
}
