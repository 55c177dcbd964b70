using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using Skymap.Core.Likelihood.Ilgpu.Internal;

namespace Skymap.Core.Likelihood.Ilgpu;

/// <summary>Which ILGPU backend a device belongs to.</summary>
internal enum IlgpuDeviceKind
{
    /// <summary>An NVIDIA GPU through the CUDA driver (PTX).</summary>
    Cuda,

    /// <summary>An OpenCL device (OpenCL C 2.0+ with the generic address space; ILGPU rejects older ones).</summary>
    OpenCl,

    /// <summary>ILGPU's CPU accelerator (the kernels run as .NET code on threads; for tests and <c>--kernel ilgpu-cpu</c>).</summary>
    Cpu,
}

/// <summary>One device as the ILGPU probe saw it.</summary>
/// <param name="Index">Position in <see cref="IlgpuDevices.List"/> (the index <see cref="IlgpuDevices.DeviceSelectorVariable"/> may name).</param>
/// <param name="Name">The device name, e.g. <c>NVIDIA H200</c>.</param>
/// <param name="Kind">CUDA, OpenCL or CPU.</param>
/// <param name="MemoryBytes">Device memory [bytes].</param>
/// <param name="MaxGroupSize">Most threads per group.</param>
/// <param name="Usable">Whether the likelihood kernels can run on it (double precision, an ILGPU-accepted OpenCL version).</param>
/// <param name="Note">Why it is not usable, or extra facts (compute capability, OpenCL version).</param>
internal sealed record IlgpuDeviceInfo(int Index, string Name, IlgpuDeviceKind Kind, long MemoryBytes, int MaxGroupSize, bool Usable, string Note)
{
    /// <summary>E.g. <c>[0] NVIDIA H200 (CUDA, sm_90, 139.8 GiB)</c>.</summary>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"[{Index}] {Name} ({Kind.ToString().ToUpperInvariant()}, {Note}, {MemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB){(Usable ? string.Empty : " — not usable")}");
}

/// <summary>
/// The GPU devices ILGPU finds (CUDA first, then OpenCL) and the choice of one for the likelihood kernels. The probe
/// runs once per process and never throws: a machine without drivers simply lists none.
/// </summary>
/// <remarks>
/// ILGPU loads the drivers by the names <c>libcuda.so</c> and <c>libOpenCL.so</c>, which Debian ships only as the
/// runtime files <c>libcuda.so.1</c> and <c>libOpenCL.so.1</c>. The probe therefore registers an import resolver
/// on ILGPU's assembly (<see cref="System.Runtime.InteropServices.NativeLibrary.SetDllImportResolver"/>) that maps
/// those names to the <c>.so.1</c> files; Skymap.Core itself declares no native imports.
/// </remarks>
internal static class IlgpuDevices
{
    /// <summary>Environment variable naming the device for <c>--kernel ilgpu</c>: an index into <see cref="List"/> or a name substring.</summary>
    public const string DeviceSelectorVariable = "SKYMAP_ILGPU_DEVICE";

    private static readonly Lazy<(IReadOnlyList<IlgpuDeviceInfo> Devices, string? Reason)> Probed = new(Probe);

    /// <summary>The GPU devices found (CUDA, then OpenCL), usable or not; empty on a machine without drivers.</summary>
    public static IReadOnlyList<IlgpuDeviceInfo> List() => Probed.Value.Devices;

    /// <summary>Why no usable GPU device exists (no driver, only rejected devices), or null when one does.</summary>
    public static string? UnavailableReason =>
        Probed.Value.Devices.Any(d => d.Usable) ? null : Probed.Value.Reason ?? "no CUDA or ILGPU-compatible OpenCL device found";

    /// <summary>The CPU accelerator's description (always available).</summary>
    public static IlgpuDeviceInfo CpuDevice { get; } = new(-1, "ILGPU CPU accelerator", IlgpuDeviceKind.Cpu, 0, IlgpuContexts.CpuDevice.MaxNumThreadsPerGroup, true, $"{IlgpuContexts.CpuDevice.MaxNumThreadsPerGroup} threads per group");

    /// <summary>
    /// Picks a usable GPU: the one <paramref name="selector"/> names (index or case-insensitive name substring), or
    /// when it is null or blank the first usable CUDA device, then the first usable OpenCL device.
    /// </summary>
    /// <returns>False with a reason when nothing fits; never throws.</returns>
    public static bool TrySelect(string? selector, [NotNullWhen(true)] out IlgpuDeviceInfo? device, [NotNullWhen(false)] out string? reason)
    {
        device = null;
        var usable = List().Where(d => d.Usable).ToArray();
        if (!string.IsNullOrWhiteSpace(selector))
        {
            var s = selector.Trim();
            device = int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index)
                ? List().FirstOrDefault(d => d.Index == index)
                : List().FirstOrDefault(d => d.Name.Contains(s, StringComparison.OrdinalIgnoreCase));
            if (device is null)
            {
                reason = $"{DeviceSelectorVariable}='{s}' names no ILGPU device (found: {(List().Count == 0 ? "none" : string.Join("; ", List()))})";
                return false;
            }

            if (!device.Usable)
            {
                reason = $"ILGPU device '{device.Name}' is not usable: {device.Note}";
                device = null;
                return false;
            }

            reason = null;
            return true;
        }

        device = usable.FirstOrDefault(d => d.Kind == IlgpuDeviceKind.Cuda) ?? usable.FirstOrDefault();
        reason = device is null ? UnavailableReason ?? "no usable ILGPU GPU device" : null;
        return device is not null;
    }

    private static (IReadOnlyList<IlgpuDeviceInfo>, string?) Probe()
    {
        var list = new List<IlgpuDeviceInfo>();
        var notes = new List<string>();
        try
        {
            NativeDriverResolver.Install();
            using var context = Context.Create(b => b.Cuda().OpenCL(_ => true));
            foreach (var d in context.Devices)
            {
                switch (d)
                {
                    case CudaDevice cuda:
                        list.Add(new IlgpuDeviceInfo(list.Count, cuda.Name, IlgpuDeviceKind.Cuda, cuda.MemorySize, cuda.MaxNumThreadsPerGroup, true, $"sm_{cuda.Architecture?.ToString().Replace("SM_", string.Empty, StringComparison.Ordinal) ?? "?"}"));
                        break;
                    case CLDevice cl:
                        var accepted = cl.CLStdVersion >= ILGPU.Backends.OpenCL.CLBackend.MinimumVersion && cl.Capabilities.GenericAddressSpace;
                        var fp64 = cl.Capabilities.Float64;
                        var why = !accepted ? $"OpenCL C {cl.CLStdVersion}{(cl.Capabilities.GenericAddressSpace ? string.Empty : " without the generic address space")}: ILGPU needs OpenCL C {ILGPU.Backends.OpenCL.CLBackend.MinimumVersion}+ with it"
                            : !fp64 ? "no double precision" : $"OpenCL C {cl.CLStdVersion}, {cl.PlatformName}";
                        list.Add(new IlgpuDeviceInfo(list.Count, cl.Name, IlgpuDeviceKind.OpenCl, cl.MemorySize, cl.MaxNumThreadsPerGroup, accepted && fp64, why));
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            notes.Add($"ILGPU probe failed: {e.GetType().Name}: {e.Message}");
        }

        if (list.Count == 0 && notes.Count == 0)
        {
            notes.Add($"no CUDA or OpenCL device found ({NativeDriverResolver.Describe()})");
        }
        else if (list.Count > 0 && !list.Any(d => d.Usable))
        {
            notes.Add("no device ILGPU can use: " + string.Join("; ", list.Select(d => $"{d.Name}: {d.Note}")));
        }

        return (list, notes.Count == 0 ? null : string.Join("; ", notes));
    }
}
