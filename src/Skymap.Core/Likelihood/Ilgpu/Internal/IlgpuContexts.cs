using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;

namespace Skymap.Core.Likelihood.Ilgpu.Internal;

/// <summary>
/// Creates the ILGPU contexts the kernels compile in: algorithms enabled (Math.Log/Exp/… for PTX and OpenCL), static
/// readonly tables inlined (<see cref="ArrayMode.InlineMutableStaticArrays"/>), NVIDIA's libdevice when the CUDA
/// toolkit is present (<c>CUDA_HOME</c>). One context per accelerator; a failed compile leaves a context unusable,
/// so every attempt gets a fresh one.
/// </summary>
internal static class IlgpuContexts
{
    /// <summary>
    /// The CPU accelerator's device: 2 threads per warp, one warp per group, one multiprocessor. Every simulated thread is
    /// an OS thread that meets the others at each barrier, so few threads launch fastest; the CPU accelerator is for
    /// checks, not speed.
    /// </summary>
    public static CPUDevice CpuDevice { get; } = new(2, 1, 1);

    /// <summary>A context for compiling without any device (the offline PTX backend).</summary>
    public static Context CreateOffline() => Context.Create(b => Configure(b));

    /// <summary>A context holding exactly the CPU accelerator's device.</summary>
    public static Context CreateCpu() => Context.Create(b => Configure(b).CPU(CpuDevice));

    /// <summary>A context holding the GPU devices (CUDA, then ILGPU-accepted OpenCL) and the device <paramref name="info"/> describes.</summary>
    /// <exception cref="InvalidOperationException">The device list changed since the probe.</exception>
    public static (Context Context, Device Device) CreateGpu(IlgpuDeviceInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        NativeDriverResolver.Install();
        var context = Context.Create(b => Configure(b).Cuda().OpenCL(_ => true));
        try
        {
            var devices = context.Devices.Where(d => d is CudaDevice or CLDevice).ToArray();
            if (info.Index < 0 || info.Index >= devices.Length || devices[info.Index].Name != info.Name)
            {
                throw new InvalidOperationException($"ILGPU device [{info.Index}] '{info.Name}' is no longer present");
            }

            return (context, devices[info.Index]);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>Whether <c>CUDA_HOME</c> holds libNVVM and the libdevice bitcode (then PTX uses NVIDIA's log/exp).</summary>
    public static bool HasCudaToolkit
    {
        get
        {
            var home = Environment.GetEnvironmentVariable("CUDA_HOME");
            if (string.IsNullOrEmpty(home))
            {
                return false;
            }

            var nvvm = Path.Combine(home, "nvvm", "lib64");
            var libdevice = Path.Combine(home, "nvvm", "libdevice");
            return Directory.Exists(nvvm) && Directory.EnumerateFiles(nvvm, "libnvvm*.so").Any()
                && Directory.Exists(libdevice) && Directory.EnumerateFiles(libdevice, "libdevice.*.bc").Any();
        }
    }

    private static Context.Builder Configure(Context.Builder b)
    {
        b.EnableAlgorithms().Arrays(ArrayMode.InlineMutableStaticArrays).Math(MathMode.Default);
        return HasCudaToolkit ? b.LibDevice() : b;
    }
}
