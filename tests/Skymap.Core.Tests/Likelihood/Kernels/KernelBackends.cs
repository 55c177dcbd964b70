using System.Reflection;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.Ilgpu;
using Xunit.Sdk;

namespace Skymap.Core.Tests.Likelihood.Kernels;

/// <summary>
/// The kernel backends present on this machine, by name: <c>scalar</c>, <c>simd-N</c> (lanes), <c>ilgpu-cpu</c> (ILGPU's
/// CPU accelerator, always present) and <c>ilgpu</c> (a CUDA/OpenCL GPU, only where one is usable).
/// </summary>
internal static class KernelBackends
{
    public const string IlgpuCpu = "ilgpu-cpu";
    public const string IlgpuGpu = "ilgpu";

    private static readonly Lazy<IlgpuLikelihoodKernel> Cpu = new(IlgpuLikelihoodKernel.CreateCpu);

    private static readonly Lazy<IlgpuLikelihoodKernel?> Gpu = new(() =>
    {
        if (IlgpuDevices.UnavailableReason is not null)
        {
            return null;
        }

        // A usable device was listed: creating the kernel on it must work.
        return IlgpuLikelihoodKernel.TryCreateGpu(null, out var k, out var why) ? k : throw new InvalidOperationException(why);
    });

    public static IEnumerable<string> Names()
    {
        yield return "scalar";
        foreach (var w in SimdLikelihoodKernel.AvailableLaneCounts)
        {
            yield return $"simd-{w}";
        }

        yield return IlgpuCpu;
        if (IlgpuDevices.UnavailableReason is null)
        {
            yield return IlgpuGpu;
        }
    }

    /// <summary>The shared CPU-accelerator kernel (compiled once per test run).</summary>
    public static IlgpuLikelihoodKernel SharedCpu => Cpu.Value;

    public static ILikelihoodKernel Get(string name) => name switch
    {
        "scalar" => ScalarLikelihoodKernel.Instance,
        IlgpuCpu => SharedCpu,
        IlgpuGpu => Gpu.Value!,
        _ when name.StartsWith("simd-", StringComparison.Ordinal) => new SimdLikelihoodKernel(int.Parse(name["simd-".Length..], System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException(name, nameof(name)),
    };
}

/// <summary>Theory rows for every backend present: scalar, each accelerated SIMD width, the ILGPU CPU accelerator, and a GPU when usable.</summary>
public sealed class KernelBackendDataAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => KernelBackends.Names().Select(n => new object[] { n });
}
