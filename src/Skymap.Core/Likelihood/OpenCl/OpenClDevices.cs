using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Skymap.Core.Likelihood.OpenCl.Internal;

namespace Skymap.Core.Likelihood.OpenCl;

/// <summary>The kind of an OpenCL device (CL_DEVICE_TYPE).</summary>
public enum OpenClDeviceType
{
    /// <summary>Neither CPU, GPU nor accelerator (e.g. CL_DEVICE_TYPE_CUSTOM).</summary>
    Other,

    /// <summary>A CPU device, e.g. POCL.</summary>
    Cpu,

    /// <summary>A GPU.</summary>
    Gpu,

    /// <summary>An accelerator (e.g. an FPGA or a dedicated compute card).</summary>
    Accelerator,
}

/// <summary>One OpenCL device as the probe saw it.</summary>
public sealed class OpenClDeviceInfo
{
    internal OpenClDeviceInfo(int index, nint platformId, nint deviceId)
    {
        Index = index;
        PlatformId = platformId;
        DeviceId = deviceId;
    }

    /// <summary>Position in <see cref="OpenClDevices.List"/> (the index a selector may name).</summary>
    public int Index { get; }

    /// <summary>CL_PLATFORM_NAME, e.g. <c>Portable Computing Language</c>.</summary>
    public string PlatformName { get; internal init; } = string.Empty;

    /// <summary>CL_PLATFORM_VENDOR.</summary>
    public string PlatformVendor { get; internal init; } = string.Empty;

    /// <summary>CL_DEVICE_NAME.</summary>
    public string Name { get; internal init; } = string.Empty;

    /// <summary>CL_DEVICE_VENDOR.</summary>
    public string Vendor { get; internal init; } = string.Empty;

    /// <summary>CL_DEVICE_VERSION, e.g. <c>OpenCL 3.0 PoCL …</c>.</summary>
    public string DeviceVersion { get; internal init; } = string.Empty;

    /// <summary>CL_DRIVER_VERSION.</summary>
    public string DriverVersion { get; internal init; } = string.Empty;

    /// <summary>CPU, GPU, accelerator or other.</summary>
    public OpenClDeviceType Type { get; internal init; }

    /// <summary>
    /// Double precision is supported (CL_DEVICE_DOUBLE_FP_CONFIG ≠ 0 or the <c>cl_khr_fp64</c> extension); the
    /// likelihood kernel needs it.
    /// </summary>
    public bool SupportsDouble { get; internal init; }

    /// <summary>CL_DEVICE_MAX_COMPUTE_UNITS.</summary>
    public int ComputeUnits { get; internal init; }

    /// <summary>CL_DEVICE_GLOBAL_MEM_SIZE [bytes].</summary>
    public long GlobalMemoryBytes { get; internal init; }

    /// <summary>CL_DEVICE_MAX_WORK_GROUP_SIZE.</summary>
    public int MaxWorkGroupSize { get; internal init; }

    internal nint PlatformId { get; }

    internal nint DeviceId { get; }

    /// <summary>E.g. <c>[0] NVIDIA A100 (GPU, NVIDIA CUDA, fp64 yes, 108 CU, 40.0 GiB)</c>.</summary>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"[{Index}] {Name} ({Type.ToString().ToUpperInvariant()}, {PlatformName}, fp64 {(SupportsDouble ? "yes" : "no")}, {ComputeUnits} CU, {GlobalMemoryBytes / (1024.0 * 1024 * 1024):0.0} GiB)");
}

/// <summary>
/// Probes the OpenCL platforms and devices once per process. Never throws for a missing library, driver or device:
/// <see cref="IsAvailable"/> is then false and <see cref="UnavailableReason"/> says why.
/// </summary>
public static class OpenClDevices
{
    /// <summary>
    /// Environment variable that picks the device for <see cref="OpenClLikelihoodKernel.TryCreate(out OpenClLikelihoodKernel?, out string?)"/>:
    /// an index into <see cref="List"/> or a case-insensitive substring of the device, vendor or platform name.
    /// </summary>
    public const string DeviceSelectorVariable = "SKYMAP_OPENCL_DEVICE";

    private static readonly Lazy<OpenClProbe> Default = new(() => Probe(OpenClNative.DefaultLibraryNames), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>All devices of all platforms, with or without fp64; empty when OpenCL is absent.</summary>
    public static IReadOnlyList<OpenClDeviceInfo> List() => Default.Value.Devices;

    /// <summary>True when at least one device supports double precision.</summary>
    public static bool IsAvailable => Default.Value.UnavailableReason is null;

    /// <summary>Why no usable device exists (no library, no platform, no device, no fp64 device); null when <see cref="IsAvailable"/>.</summary>
    public static string? UnavailableReason => Default.Value.UnavailableReason;

    /// <summary>
    /// Picks a double-precision device. <paramref name="selector"/> null or blank: automatic, preferring GPU, then
    /// accelerator, then CPU (list order within a type); with <paramref name="requireGpu"/> only GPUs qualify. Otherwise
    /// the selector is an index into <see cref="List"/> or a case-insensitive substring of the device, vendor or platform
    /// name (first fp64 match), and <paramref name="requireGpu"/> is ignored: an explicit choice wins.
    /// </summary>
    /// <returns>False with a reason when nothing qualifies; never throws.</returns>
    public static bool TrySelect(string? selector, bool requireGpu, [NotNullWhen(true)] out OpenClDeviceInfo? device, [NotNullWhen(false)] out string? reason) =>
        Default.Value.TrySelect(selector, requireGpu, out device, out reason);

    internal static OpenClNative? Native => Default.Value.Native;

    /// <summary>Probes with a given list of library names (test hook: a non-existent name simulates an absent OpenCL).</summary>
    internal static OpenClProbe Probe(IReadOnlyList<string> libraryNames)
    {
        PoclEnvironment.EnsureCacheDirectory();
        if (!OpenClNative.TryLoad(libraryNames, out var native, out var reason))
        {
            return new OpenClProbe(null, [], reason);
        }

        var devices = new List<OpenClDeviceInfo>();
        var problems = new List<string>();
        nint[] platforms;
        try
        {
            platforms = native!.GetPlatformIds();
        }
        catch (OpenClException e)
        {
            return new OpenClProbe(native, [], $"OpenCL platform discovery failed ({e.Message}); check the ICD files in /etc/OpenCL/vendors (and, for POCL, that POCL_CACHE_DIR is writable)");
        }

        if (platforms.Length == 0)
        {
            return new OpenClProbe(native, [], $"the OpenCL loader '{native.LibraryName}' found no platform (no driver/ICD installed)");
        }

        foreach (var platform in platforms)
        {
            string platformName, platformVendor;
            nint[] ids;
            try
            {
                platformName = native.GetPlatformString(platform, OpenClNative.CL_PLATFORM_NAME);
                platformVendor = native.GetPlatformString(platform, OpenClNative.CL_PLATFORM_VENDOR);
                ids = native.GetDeviceIds(platform, OpenClNative.CL_DEVICE_TYPE_ALL);
            }
            catch (OpenClException e)
            {
                problems.Add(e.Message);
                continue;
            }

            foreach (var id in ids)
            {
                try
                {
                    devices.Add(Describe(native, devices.Count, platform, id, platformName, platformVendor));
                }
                catch (OpenClException e)
                {
                    problems.Add(e.Message);
                }
            }
        }

        string? unavailable = null;
        if (devices.Count == 0)
        {
            unavailable = problems.Count == 0
                ? "the OpenCL platforms expose no device"
                : $"no OpenCL device could be queried ({string.Join("; ", problems)})";
        }
        else if (!devices.Any(d => d.SupportsDouble))
        {
            unavailable = $"no OpenCL device supports double precision (cl_khr_fp64): {string.Join(", ", devices.Select(d => d.Name))}";
        }

        return new OpenClProbe(native, devices, unavailable);
    }

    private static OpenClDeviceInfo Describe(OpenClNative native, int index, nint platform, nint id, string platformName, string platformVendor)
    {
        var type = native.GetDeviceValue<ulong>(id, OpenClNative.CL_DEVICE_TYPE);
        var extensions = native.GetDeviceString(id, OpenClNative.CL_DEVICE_EXTENSIONS);
        ulong fp64Config;
        try
        {
            fp64Config = native.GetDeviceValue<ulong>(id, OpenClNative.CL_DEVICE_DOUBLE_FP_CONFIG);
        }
        catch (OpenClException)
        {
            fp64Config = 0; // OpenCL 1.0 devices reject the query.
        }

        var hasFp64Extension = extensions.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("cl_khr_fp64", StringComparer.Ordinal);
        return new OpenClDeviceInfo(index, platform, id)
        {
            PlatformName = platformName,
            PlatformVendor = platformVendor,
            Name = native.GetDeviceString(id, OpenClNative.CL_DEVICE_NAME),
            Vendor = native.GetDeviceString(id, OpenClNative.CL_DEVICE_VENDOR),
            DeviceVersion = native.GetDeviceString(id, OpenClNative.CL_DEVICE_VERSION),
            DriverVersion = native.GetDeviceString(id, OpenClNative.CL_DRIVER_VERSION),
            Type = (type & OpenClNative.CL_DEVICE_TYPE_GPU) != 0 ? OpenClDeviceType.Gpu
                : (type & OpenClNative.CL_DEVICE_TYPE_ACCELERATOR) != 0 ? OpenClDeviceType.Accelerator
                : (type & OpenClNative.CL_DEVICE_TYPE_CPU) != 0 ? OpenClDeviceType.Cpu
                : OpenClDeviceType.Other,
            SupportsDouble = fp64Config != 0 || hasFp64Extension,
            ComputeUnits = (int)native.GetDeviceValue<uint>(id, OpenClNative.CL_DEVICE_MAX_COMPUTE_UNITS),
            GlobalMemoryBytes = (long)native.GetDeviceValue<ulong>(id, OpenClNative.CL_DEVICE_GLOBAL_MEM_SIZE),
            MaxWorkGroupSize = (int)Math.Min(int.MaxValue, native.GetDeviceValue<nuint>(id, OpenClNative.CL_DEVICE_MAX_WORK_GROUP_SIZE)),
        };
    }
}

/// <summary>The outcome of one probe: the loaded API (if any), the devices and why none is usable.</summary>
internal sealed class OpenClProbe(OpenClNative? native, IReadOnlyList<OpenClDeviceInfo> devices, string? unavailableReason)
{
    public OpenClNative? Native { get; } = native;

    public IReadOnlyList<OpenClDeviceInfo> Devices { get; } = devices;

    public string? UnavailableReason { get; } = unavailableReason;

    public bool TrySelect(string? selector, bool requireGpu, [NotNullWhen(true)] out OpenClDeviceInfo? device, [NotNullWhen(false)] out string? reason)
    {
        device = null;
        if (UnavailableReason is not null)
        {
            reason = UnavailableReason;
            return false;
        }

        if (string.IsNullOrWhiteSpace(selector))
        {
            device = Devices.Where(d => d.SupportsDouble && (!requireGpu || d.Type == OpenClDeviceType.Gpu))
                .OrderBy(d => d.Type switch { OpenClDeviceType.Gpu => 0, OpenClDeviceType.Accelerator => 1, OpenClDeviceType.Cpu => 2, _ => 3 })
                .FirstOrDefault();
            reason = device is null ? "no OpenCL GPU supports double precision" : null;
            return device is not null;
        }

        selector = selector.Trim();
        if (int.TryParse(selector, NumberStyles.Integer, CultureInfo.InvariantCulture, out var index))
        {
            if (index < 0 || index >= Devices.Count)
            {
                reason = $"OpenCL device index {index} is out of range (0..{Devices.Count - 1})";
                return false;
            }

            device = Devices[index];
        }
        else
        {
            var matches = Devices.Where(d => Matches(d, selector)).ToList();
            if (matches.Count == 0)
            {
                reason = $"no OpenCL device matches '{selector}' (devices: {string.Join(", ", Devices.Select(d => d.Name))})";
                return false;
            }

            device = matches.FirstOrDefault(d => d.SupportsDouble) ?? matches[0];
        }

        if (!device.SupportsDouble)
        {
            reason = $"OpenCL device '{device.Name}' does not support double precision (cl_khr_fp64)";
            device = null;
            return false;
        }

        reason = null;
        return true;
    }

    private static bool Matches(OpenClDeviceInfo d, string selector) =>
        d.Name.Contains(selector, StringComparison.OrdinalIgnoreCase)
        || d.Vendor.Contains(selector, StringComparison.OrdinalIgnoreCase)
        || d.PlatformName.Contains(selector, StringComparison.OrdinalIgnoreCase);
}
