using System.Reflection;
using Skymap.Core.Likelihood;
using Skymap.Core.Likelihood.OpenCl;
using Xunit.Sdk;

namespace Skymap.Core.Tests.Likelihood.OpenCl;

/// <summary>The kernel backends present on this machine, by name: <c>scalar</c>, <c>simd-N</c> (lanes), <c>opencl</c>.</summary>
internal static class KernelBackends
{
    public const string OpenCl = "opencl";

    private static readonly Lazy<OpenClLikelihoodKernel?> OpenClKernel = new(() =>
    {
        if (!OpenClLikelihoodKernel.TryCreate(out var kernel, out var reason))
        {
            // Only reached when the probe found an fp64 device (tests are skipped otherwise): building must work.
            throw new InvalidOperationException($"an OpenCL fp64 device was listed but the kernel could not be created: {reason}");
        }

        return kernel;
    });

    /// <summary>Why the OpenCL variants are skipped, or null when they run.</summary>
    public static string? OpenClSkipReason =>
        OpenClDevices.IsAvailable ? null : $"no OpenCL double-precision device: {OpenClDevices.UnavailableReason}";

    public static IEnumerable<string> CpuNames() =>
        new[] { "scalar" }.Concat(SimdLikelihoodKernel.AvailableLaneCounts.Select(w => $"simd-{w}"));

    /// <summary>The shared OpenCL kernel (created once per test run, on the device the probe prefers).</summary>
    public static OpenClLikelihoodKernel SharedOpenCl => OpenClKernel.Value!;

    public static ILikelihoodKernel Get(string name) => name switch
    {
        "scalar" => ScalarLikelihoodKernel.Instance,
        OpenCl => SharedOpenCl,
        _ when name.StartsWith("simd-", StringComparison.Ordinal) => new SimdLikelihoodKernel(int.Parse(name["simd-".Length..], System.Globalization.CultureInfo.InvariantCulture)),
        _ => throw new ArgumentException(name, nameof(name)),
    };
}

/// <summary>Theory rows for the scalar and every accelerated SIMD width.</summary>
public sealed class CpuBackendDataAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => KernelBackends.CpuNames().Select(n => new object[] { n });
}

/// <summary>The <c>opencl</c> theory row, skipped with the probe's reason when no OpenCL fp64 device exists.</summary>
public sealed class OpenClBackendDataAttribute : DataAttribute
{
    public OpenClBackendDataAttribute()
    {
        Skip = KernelBackends.OpenClSkipReason;
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[KernelBackends.OpenCl]];
}

/// <summary>A fact that is skipped with the probe's reason when no OpenCL fp64 device exists.</summary>
public sealed class OpenClFactAttribute : FactAttribute
{
    public OpenClFactAttribute()
    {
        Skip = KernelBackends.OpenClSkipReason;
    }
}
