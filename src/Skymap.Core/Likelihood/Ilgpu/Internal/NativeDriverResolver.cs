using System.Reflection;
using System.Runtime.InteropServices;
using ILGPU;

namespace Skymap.Core.Likelihood.Ilgpu.Internal;

/// <summary>
/// Maps ILGPU's driver imports (<c>cuda</c>, <c>OpenCL</c>) to the versioned runtime files Debian installs
/// (<c>libcuda.so.1</c>, <c>libOpenCL.so.1</c>). A resolver on ILGPU's assembly, not a native import of ours.
/// </summary>
internal static class NativeDriverResolver
{
    private static readonly Lock Gate = new();
    private static bool _installed;

    /// <summary>Library name ILGPU asks for → the file we load instead.</summary>
    private static readonly (string Name, string File)[] Map =
    [
        ("cuda", "libcuda.so.1"),
        ("libcuda.so", "libcuda.so.1"),
        ("OpenCL", "libOpenCL.so.1"),
        ("libOpenCL.so", "libOpenCL.so.1"),
    ];

    /// <summary>Installs the resolver once (Linux only; skipped on WSL, where ILGPU installs its own).</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (_installed || !OperatingSystem.IsLinux() || Directory.Exists("/usr/lib/wsl/lib"))
            {
                return;
            }

            _installed = true;
            try
            {
                NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, Resolve);
            }
            catch (InvalidOperationException)
            {
                // Someone (the host application) already set a resolver for ILGPU: theirs wins.
            }
        }
    }

    /// <summary>Which driver files load here, e.g. <c>libcuda.so.1 absent, libOpenCL.so.1 present</c>.</summary>
    public static string Describe() =>
        string.Join(", ", Map.Select(m => m.File).Distinct().Select(f =>
        {
            var ok = NativeLibrary.TryLoad(f, out var h);
            if (ok)
            {
                NativeLibrary.Free(h);
            }

            return $"{f} {(ok ? "present" : "absent")}";
        }));

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        foreach (var (name, file) in Map)
        {
            if (string.Equals(libraryName, name, StringComparison.Ordinal) && NativeLibrary.TryLoad(file, assembly, searchPath, out var handle))
            {
                return handle;
            }
        }

        return 0; // Default probing.
    }
}
