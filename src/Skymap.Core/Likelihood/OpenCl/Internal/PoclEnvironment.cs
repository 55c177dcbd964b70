using System.Runtime.InteropServices;
using System.Text;

namespace Skymap.Core.Likelihood.OpenCl.Internal;

/// <summary>
/// POCL (the CPU OpenCL driver) needs a writable kernel cache directory; without one its device discovery fails
/// with −1. When <c>POCL_CACHE_DIR</c> is unset this points it at a per-user folder under the temp directory before
/// the first OpenCL call. On Unix .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> changes only
/// the managed copy of the environment, so the variable is also set with libc's <c>setenv</c>, which POCL reads.
/// </summary>
internal static unsafe class PoclEnvironment
{
    public const string CacheVariable = "POCL_CACHE_DIR";

    /// <summary>Sets POCL_CACHE_DIR when the native environment lacks it; returns the value in effect (null if none could be set).</summary>
    public static string? EnsureCacheDirectory()
    {
        try
        {
            var native = GetNative(CacheVariable);
            if (!string.IsNullOrEmpty(native))
            {
                return native;
            }

            var managed = Environment.GetEnvironmentVariable(CacheVariable);
            var dir = !string.IsNullOrEmpty(managed)
                ? managed
                : Path.Combine(Path.GetTempPath(), $"skymap-pocl-cache-{Sanitize(Environment.UserName)}");
            Directory.CreateDirectory(dir);
            Environment.SetEnvironmentVariable(CacheVariable, dir);
            SetNative(CacheVariable, dir);
            return dir;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The variable as the native C runtime sees it (on Windows, the process environment).</summary>
    public static string? GetNative(string name)
    {
        if (OperatingSystem.IsWindows())
        {
            return Environment.GetEnvironmentVariable(name);
        }

        var getenv = (delegate* unmanaged<byte*, byte*>)LibcExport("getenv");
        if (getenv == null)
        {
            return Environment.GetEnvironmentVariable(name);
        }

        var key = Encoding.UTF8.GetBytes(name + "\0");
        fixed (byte* k = key)
        {
            var value = getenv(k);
            return value == null ? null : Marshal.PtrToStringUTF8((IntPtr)value);
        }
    }

    private static void SetNative(string name, string value)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Environment.SetEnvironmentVariable already changed the process environment.
        }

        var setenv = (delegate* unmanaged<byte*, byte*, int, int>)LibcExport("setenv");
        if (setenv == null)
        {
            return;
        }

        var key = Encoding.UTF8.GetBytes(name + "\0");
        var val = Encoding.UTF8.GetBytes(value + "\0");
        fixed (byte* k = key, v = val)
        {
            _ = setenv(k, v, 1);
        }
    }

    private static IntPtr LibcExport(string name)
    {
        if (NativeLibrary.TryGetExport(NativeLibrary.GetMainProgramHandle(), name, out var address))
        {
            return address;
        }

        foreach (var lib in new[] { "libc.so.6", "libc.so", "libSystem.B.dylib", "libc" })
        {
            if (NativeLibrary.TryLoad(lib, out var handle) && NativeLibrary.TryGetExport(handle, name, out address))
            {
                return address;
            }
        }

        return IntPtr.Zero;
    }

    private static string Sanitize(string s)
    {
        var chars = s.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_').ToArray();
        return chars.Length == 0 ? "user" : new string(chars);
    }
}
