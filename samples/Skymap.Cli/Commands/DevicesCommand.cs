using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.OpenCl;

namespace Skymap.Cli.Commands;

/// <summary>
/// <c>skymap devices</c>: the likelihood kernels this machine offers (scalar, each SIMD width with its instruction set,
/// every OpenCL device with its double-precision support) and the one <c>--kernel auto</c> picks.
/// </summary>
public static class DevicesCommandHandler
{
    /// <summary>Writes the listing; always returns 0 (a missing OpenCL is reported, not an error).</summary>
    public static int Run(TextWriter stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        stdout.WriteLine("Likelihood kernels:");
        stdout.WriteLine($"  scalar    {ScalarLikelihoodKernel.Instance.Name}");
        if (SimdLikelihoodKernel.AvailableLaneCounts.Count == 0)
        {
            stdout.WriteLine("  simd      unavailable: no hardware-accelerated vectors");
        }

        foreach (var lanes in SimdLikelihoodKernel.AvailableLaneCounts)
        {
            stdout.WriteLine($"  simd      {new SimdLikelihoodKernel(lanes).Name} [{Isa(lanes)}]");
        }

        var devices = OpenClDevices.List();
        if (devices.Count == 0)
        {
            stdout.WriteLine($"  opencl    unavailable: {OpenClDevices.UnavailableReason}");
        }
        else
        {
            stdout.WriteLine($"  opencl    {devices.Count} device(s){(OpenClDevices.IsAvailable ? string.Empty : $" but unusable: {OpenClDevices.UnavailableReason}")}");
            foreach (var d in devices)
            {
                stdout.WriteLine($"    {d}");
            }
        }

        var selector = Environment.GetEnvironmentVariable(OpenClDevices.DeviceSelectorVariable);
        if (OpenClDevices.TrySelect(selector, requireGpu: true, out var device, out var reason))
        {
            stdout.WriteLine($"auto: opencl on [{device.Index}] {device.Name}");
        }
        else
        {
            stdout.WriteLine($"auto: {LikelihoodKernels.Create(KernelKind.Auto).Name} (OpenCL not picked: {reason})");
        }

        stdout.WriteLine($"(auto uses OpenCL only on a double-precision GPU, or on the device {OpenClDevices.DeviceSelectorVariable} names; --kernel opencl accepts any double-precision device, e.g. POCL)");
        return 0;
    }

    private static string Isa(int lanes) => lanes switch
    {
        8 => Avx512F.IsSupported ? "AVX-512" : "512-bit",
        4 => Avx2.IsSupported ? "AVX2" : Avx.IsSupported ? "AVX" : "256-bit",
        _ => Sse2.IsSupported ? (Sse41.IsSupported ? "SSE4.1" : "SSE2") : AdvSimd.IsSupported ? "AdvSIMD" : "128-bit",
    };
}
