using System.Runtime.InteropServices;
using System.Text;

namespace Skymap.Core.Likelihood.OpenCl.Internal;

/// <summary>
/// The minimal OpenCL 1.2/2.0 host API surface the likelihood kernel needs, bound at run time: the ICD loader is
/// opened with <see cref="NativeLibrary.TryLoad(string, out IntPtr)"/> under several names (Debian ships only
/// <c>libOpenCL.so.1</c>) and every entry point is taken with <see cref="NativeLibrary.TryGetExport"/> into an
/// unmanaged function pointer (platform-default calling convention, which is <c>CL_API_CALL</c>: stdcall on 32-bit
/// Windows, cdecl elsewhere).
/// </summary>
/// <remarks>
/// Function pointers rather than <c>[DllImport]</c> + <c>SetDllImportResolver</c>: a resolver can be set once per
/// assembly and the runtime caches the first resolution, so an absent library could not be simulated in-process
/// (tests load a non-existent name through <see cref="TryLoad"/>) and a missing optional export
/// (<c>clCreateCommandQueueWithProperties</c> on a 1.2 loader) would throw at call time instead of falling back.
/// </remarks>
internal sealed unsafe class OpenClNative
{
    /// <summary>The names tried, in order, for the OpenCL ICD loader.</summary>
    public static readonly IReadOnlyList<string> DefaultLibraryNames =
    [
        "libOpenCL.so.1",
        "libOpenCL.so",
        "OpenCL",
        "OpenCL.dll",
        "/System/Library/Frameworks/OpenCL.framework/OpenCL",
        "libOpenCL.dylib",
    ];

    // cl_platform_info / cl_device_info / cl_program_build_info / cl_kernel_work_group_info.
    public const uint CL_PLATFORM_VERSION = 0x0901;
    public const uint CL_PLATFORM_NAME = 0x0902;
    public const uint CL_PLATFORM_VENDOR = 0x0903;
    public const uint CL_DEVICE_TYPE = 0x1000;
    public const uint CL_DEVICE_MAX_COMPUTE_UNITS = 0x1002;
    public const uint CL_DEVICE_MAX_WORK_GROUP_SIZE = 0x1004;
    public const uint CL_DEVICE_MAX_MEM_ALLOC_SIZE = 0x1010;
    public const uint CL_DEVICE_GLOBAL_MEM_SIZE = 0x101F;
    public const uint CL_DEVICE_LOCAL_MEM_SIZE = 0x1023;
    public const uint CL_DEVICE_AVAILABLE = 0x1027;
    public const uint CL_DEVICE_NAME = 0x102B;
    public const uint CL_DEVICE_VENDOR = 0x102C;
    public const uint CL_DRIVER_VERSION = 0x102D;
    public const uint CL_DEVICE_VERSION = 0x102F;
    public const uint CL_DEVICE_EXTENSIONS = 0x1030;
    public const uint CL_DEVICE_DOUBLE_FP_CONFIG = 0x1032;
    public const uint CL_PROGRAM_BUILD_LOG = 0x1183;
    public const uint CL_KERNEL_WORK_GROUP_SIZE = 0x11B0;

    // cl_device_type bits.
    public const ulong CL_DEVICE_TYPE_DEFAULT = 1;
    public const ulong CL_DEVICE_TYPE_CPU = 2;
    public const ulong CL_DEVICE_TYPE_GPU = 4;
    public const ulong CL_DEVICE_TYPE_ACCELERATOR = 8;
    public const ulong CL_DEVICE_TYPE_ALL = 0xFFFFFFFF;

    // cl_mem_flags.
    public const ulong CL_MEM_READ_WRITE = 1;
    public const ulong CL_MEM_WRITE_ONLY = 2;
    public const ulong CL_MEM_READ_ONLY = 4;

    public const int CL_SUCCESS = 0;
    public const int CL_DEVICE_NOT_FOUND = -1;
    public const int CL_BUILD_PROGRAM_FAILURE = -11;
    public const int CL_PLATFORM_NOT_FOUND_KHR = -1001;

    private readonly delegate* unmanaged<uint, nint*, uint*, int> _getPlatformIDs;
    private readonly delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> _getPlatformInfo;
    private readonly delegate* unmanaged<nint, ulong, uint, nint*, uint*, int> _getDeviceIDs;
    private readonly delegate* unmanaged<nint, uint, nuint, void*, nuint*, int> _getDeviceInfo;
    private readonly delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint> _createContext;
    private readonly delegate* unmanaged<nint, nint, ulong*, int*, nint> _createCommandQueueWithProperties;
    private readonly delegate* unmanaged<nint, nint, ulong, int*, nint> _createCommandQueue;
    private readonly delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint> _createProgramWithSource;
    private readonly delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int> _buildProgram;
    private readonly delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int> _getProgramBuildInfo;
    private readonly delegate* unmanaged<nint, byte*, int*, nint> _createKernel;
    private readonly delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int> _getKernelWorkGroupInfo;
    private readonly delegate* unmanaged<nint, ulong, nuint, void*, int*, nint> _createBuffer;
    private readonly delegate* unmanaged<nint, uint, nuint, void*, int> _setKernelArg;
    private readonly delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> _enqueueWriteBuffer;
    private readonly delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int> _enqueueReadBuffer;
    private readonly delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int> _enqueueNDRangeKernel;
    private readonly delegate* unmanaged<nint, int> _finish;
    private readonly delegate* unmanaged<nint, int> _releaseMemObject;
    private readonly delegate* unmanaged<nint, int> _releaseKernel;
    private readonly delegate* unmanaged<nint, int> _releaseProgram;
    private readonly delegate* unmanaged<nint, int> _releaseCommandQueue;
    private readonly delegate* unmanaged<nint, int> _releaseContext;

    private OpenClNative(string libraryName, IntPtr library, Dictionary<string, IntPtr> exports)
    {
        LibraryName = libraryName;
        Library = library;
        _getPlatformIDs = (delegate* unmanaged<uint, nint*, uint*, int>)exports["clGetPlatformIDs"];
        _getPlatformInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)exports["clGetPlatformInfo"];
        _getDeviceIDs = (delegate* unmanaged<nint, ulong, uint, nint*, uint*, int>)exports["clGetDeviceIDs"];
        _getDeviceInfo = (delegate* unmanaged<nint, uint, nuint, void*, nuint*, int>)exports["clGetDeviceInfo"];
        _createContext = (delegate* unmanaged<nint*, uint, nint*, nint, nint, int*, nint>)exports["clCreateContext"];
        _createCommandQueueWithProperties = (delegate* unmanaged<nint, nint, ulong*, int*, nint>)exports.GetValueOrDefault("clCreateCommandQueueWithProperties");
        _createCommandQueue = (delegate* unmanaged<nint, nint, ulong, int*, nint>)exports.GetValueOrDefault("clCreateCommandQueue");
        _createProgramWithSource = (delegate* unmanaged<nint, uint, byte**, nuint*, int*, nint>)exports["clCreateProgramWithSource"];
        _buildProgram = (delegate* unmanaged<nint, uint, nint*, byte*, nint, nint, int>)exports["clBuildProgram"];
        _getProgramBuildInfo = (delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int>)exports["clGetProgramBuildInfo"];
        _createKernel = (delegate* unmanaged<nint, byte*, int*, nint>)exports["clCreateKernel"];
        _getKernelWorkGroupInfo = (delegate* unmanaged<nint, nint, uint, nuint, void*, nuint*, int>)exports["clGetKernelWorkGroupInfo"];
        _createBuffer = (delegate* unmanaged<nint, ulong, nuint, void*, int*, nint>)exports["clCreateBuffer"];
        _setKernelArg = (delegate* unmanaged<nint, uint, nuint, void*, int>)exports["clSetKernelArg"];
        _enqueueWriteBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)exports["clEnqueueWriteBuffer"];
        _enqueueReadBuffer = (delegate* unmanaged<nint, nint, uint, nuint, nuint, void*, uint, nint*, nint*, int>)exports["clEnqueueReadBuffer"];
        _enqueueNDRangeKernel = (delegate* unmanaged<nint, nint, uint, nuint*, nuint*, nuint*, uint, nint*, nint*, int>)exports["clEnqueueNDRangeKernel"];
        _finish = (delegate* unmanaged<nint, int>)exports["clFinish"];
        _releaseMemObject = (delegate* unmanaged<nint, int>)exports["clReleaseMemObject"];
        _releaseKernel = (delegate* unmanaged<nint, int>)exports["clReleaseKernel"];
        _releaseProgram = (delegate* unmanaged<nint, int>)exports["clReleaseProgram"];
        _releaseCommandQueue = (delegate* unmanaged<nint, int>)exports["clReleaseCommandQueue"];
        _releaseContext = (delegate* unmanaged<nint, int>)exports["clReleaseContext"];
    }

    private static readonly string[] RequiredExports =
    [
        "clGetPlatformIDs", "clGetPlatformInfo", "clGetDeviceIDs", "clGetDeviceInfo", "clCreateContext",
        "clCreateProgramWithSource", "clBuildProgram", "clGetProgramBuildInfo", "clCreateKernel", "clGetKernelWorkGroupInfo",
        "clCreateBuffer", "clSetKernelArg", "clEnqueueWriteBuffer", "clEnqueueReadBuffer", "clEnqueueNDRangeKernel",
        "clFinish", "clReleaseMemObject", "clReleaseKernel", "clReleaseProgram", "clReleaseCommandQueue", "clReleaseContext",
    ];

    private static readonly string[] OptionalExports = ["clCreateCommandQueueWithProperties", "clCreateCommandQueue"];

    /// <summary>The name under which the library was loaded.</summary>
    public string LibraryName { get; }

    /// <summary>The native library handle (never freed: OpenCL objects may outlive any one user).</summary>
    public IntPtr Library { get; }

    /// <summary>Opens the first of <paramref name="libraryNames"/> that loads and binds the entry points.</summary>
    /// <returns>False with a reason naming every name tried, or the missing export; never throws.</returns>
    public static bool TryLoad(IReadOnlyList<string> libraryNames, out OpenClNative? native, out string reason)
    {
        native = null;
        foreach (var name in libraryNames)
        {
            IntPtr handle;
            try
            {
                if (!NativeLibrary.TryLoad(name, typeof(OpenClNative).Assembly, DllImportSearchPath.SafeDirectories | DllImportSearchPath.System32, out handle)
                    && !NativeLibrary.TryLoad(name, out handle))
                {
                    continue;
                }
            }
            catch (Exception e) when (e is ArgumentException or BadImageFormatException)
            {
                continue;
            }

            var exports = new Dictionary<string, IntPtr>(StringComparer.Ordinal);
            foreach (var export in RequiredExports)
            {
                if (!NativeLibrary.TryGetExport(handle, export, out var address))
                {
                    reason = $"the OpenCL library '{name}' lacks the entry point {export}";
                    NativeLibrary.Free(handle);
                    return false;
                }

                exports[export] = address;
            }

            foreach (var export in OptionalExports)
            {
                if (NativeLibrary.TryGetExport(handle, export, out var address))
                {
                    exports[export] = address;
                }
            }

            if (!exports.ContainsKey("clCreateCommandQueue") && !exports.ContainsKey("clCreateCommandQueueWithProperties"))
            {
                reason = $"the OpenCL library '{name}' has neither clCreateCommandQueueWithProperties nor clCreateCommandQueue";
                NativeLibrary.Free(handle);
                return false;
            }

            native = new OpenClNative(name, handle, exports);
            reason = string.Empty;
            return true;
        }

        reason = $"no OpenCL library could be loaded (tried {string.Join(", ", libraryNames)}); install an OpenCL ICD loader and a driver (e.g. ocl-icd-libopencl1 with pocl-opencl-icd, or the GPU vendor's)";
        return false;
    }

    // ---- platforms and devices ----

    public nint[] GetPlatformIds()
    {
        uint count;
        var rc = _getPlatformIDs(0, null, &count);
        if (rc == CL_PLATFORM_NOT_FOUND_KHR || (rc == CL_SUCCESS && count == 0))
        {
            return [];
        }

        Check(rc, "clGetPlatformIDs");
        var ids = new nint[count];
        fixed (nint* p = ids)
        {
            Check(_getPlatformIDs(count, p, null), "clGetPlatformIDs");
        }

        return ids;
    }

    public string GetPlatformString(nint platform, uint param)
    {
        nuint size;
        Check(_getPlatformInfo(platform, param, 0, null, &size), "clGetPlatformInfo");
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            Check(_getPlatformInfo(platform, param, size, p, null), "clGetPlatformInfo");
        }

        return DecodeString(buffer);
    }

    public nint[] GetDeviceIds(nint platform, ulong type)
    {
        uint count;
        var rc = _getDeviceIDs(platform, type, 0, null, &count);
        if (rc == CL_DEVICE_NOT_FOUND || (rc == CL_SUCCESS && count == 0))
        {
            return [];
        }

        Check(rc, "clGetDeviceIDs");
        var ids = new nint[count];
        fixed (nint* p = ids)
        {
            Check(_getDeviceIDs(platform, type, count, p, null), "clGetDeviceIDs");
        }

        return ids;
    }

    public string GetDeviceString(nint device, uint param)
    {
        nuint size;
        Check(_getDeviceInfo(device, param, 0, null, &size), "clGetDeviceInfo");
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            Check(_getDeviceInfo(device, param, size, p, null), "clGetDeviceInfo");
        }

        return DecodeString(buffer);
    }

    public T GetDeviceValue<T>(nint device, uint param)
        where T : unmanaged
    {
        T value = default;
        Check(_getDeviceInfo(device, param, (nuint)sizeof(T), &value, null), "clGetDeviceInfo");
        return value;
    }

    // ---- context, queue, program, kernel ----

    public nint CreateContext(nint device)
    {
        int rc;
        var handle = _createContext(null, 1, &device, 0, 0, &rc);
        Check(rc, "clCreateContext");
        return handle;
    }

    public nint CreateCommandQueue(nint context, nint device)
    {
        int rc;
        nint queue;
        if (_createCommandQueueWithProperties != null)
        {
            queue = _createCommandQueueWithProperties(context, device, null, &rc);
            if (rc == CL_SUCCESS)
            {
                return queue;
            }

            if (_createCommandQueue == null)
            {
                Check(rc, "clCreateCommandQueueWithProperties");
            }
        }

        queue = _createCommandQueue(context, device, 0, &rc);
        Check(rc, "clCreateCommandQueue");
        return queue;
    }

    /// <summary>Creates and builds a program; a build failure throws with the device's build log.</summary>
    public nint BuildProgram(nint context, nint device, string source, string options)
    {
        var src = Encoding.UTF8.GetBytes(source);
        var opt = NullTerminated(options);
        int rc;
        nint program;
        fixed (byte* s = src)
        {
            var strings = s;
            var length = (nuint)src.Length;
            program = _createProgramWithSource(context, 1, &strings, &length, &rc);
        }

        Check(rc, "clCreateProgramWithSource");
        fixed (byte* o = opt)
        {
            rc = _buildProgram(program, 1, &device, o, 0, 0);
        }

        if (rc != CL_SUCCESS)
        {
            string log;
            try
            {
                log = GetBuildLog(program, device);
            }
            catch (OpenClException)
            {
                log = "(build log unavailable)";
            }

            _releaseProgram(program);
            throw new OpenClException("clBuildProgram", rc, log.Trim());
        }

        return program;
    }

    public string GetBuildLog(nint program, nint device)
    {
        nuint size;
        Check(_getProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, 0, null, &size), "clGetProgramBuildInfo");
        var buffer = new byte[(int)size];
        fixed (byte* p = buffer)
        {
            Check(_getProgramBuildInfo(program, device, CL_PROGRAM_BUILD_LOG, size, p, null), "clGetProgramBuildInfo");
        }

        return DecodeString(buffer);
    }

    public nint CreateKernel(nint program, string name)
    {
        var n = NullTerminated(name);
        int rc;
        nint kernel;
        fixed (byte* p = n)
        {
            kernel = _createKernel(program, p, &rc);
        }

        Check(rc, "clCreateKernel");
        return kernel;
    }

    public nuint GetKernelWorkGroupSize(nint kernel, nint device)
    {
        nuint value;
        Check(_getKernelWorkGroupInfo(kernel, device, CL_KERNEL_WORK_GROUP_SIZE, (nuint)sizeof(nuint), &value, null), "clGetKernelWorkGroupInfo");
        return value;
    }

    // ---- buffers and launches ----

    public nint CreateBuffer(nint context, ulong flags, nuint bytes)
    {
        int rc;
        var buffer = _createBuffer(context, flags, bytes, null, &rc);
        Check(rc, "clCreateBuffer");
        return buffer;
    }

    public void SetKernelArg<T>(nint kernel, uint index, T value)
        where T : unmanaged =>
        Check(_setKernelArg(kernel, index, (nuint)sizeof(T), &value), "clSetKernelArg");

    /// <summary>Declares a <c>__local</c> argument of <paramref name="bytes"/> bytes.</summary>
    public void SetKernelArgLocal(nint kernel, uint index, nuint bytes) =>
        Check(_setKernelArg(kernel, index, bytes, null), "clSetKernelArg");

    /// <summary>Blocking write of <paramref name="data"/> at the start of <paramref name="buffer"/>.</summary>
    public void WriteBuffer<T>(nint queue, nint buffer, ReadOnlySpan<T> data)
        where T : unmanaged
    {
        if (data.IsEmpty)
        {
            return;
        }

        fixed (T* p = data)
        {
            Check(_enqueueWriteBuffer(queue, buffer, 1, 0, (nuint)(data.Length * sizeof(T)), p, 0, null, null), "clEnqueueWriteBuffer");
        }
    }

    /// <summary>Blocking read into <paramref name="data"/> from the start of <paramref name="buffer"/>.</summary>
    public void ReadBuffer<T>(nint queue, nint buffer, Span<T> data)
        where T : unmanaged
    {
        if (data.IsEmpty)
        {
            return;
        }

        fixed (T* p = data)
        {
            Check(_enqueueReadBuffer(queue, buffer, 1, 0, (nuint)(data.Length * sizeof(T)), p, 0, null, null), "clEnqueueReadBuffer");
        }
    }

    /// <summary>A one-dimensional launch; <paramref name="localSize"/> 0 lets the driver choose.</summary>
    public void EnqueueKernel(nint queue, nint kernel, nuint globalSize, nuint localSize)
    {
        var global = globalSize;
        var local = localSize;
        Check(_enqueueNDRangeKernel(queue, kernel, 1, null, &global, localSize == 0 ? null : &local, 0, null, null), "clEnqueueNDRangeKernel");
    }

    public void Finish(nint queue) => Check(_finish(queue), "clFinish");

    // Releases ignore errors: they run on dispose paths, where throwing would hide the original problem.
    public void ReleaseMemObject(nint handle)
    {
        if (handle != 0)
        {
            _releaseMemObject(handle);
        }
    }

    public void ReleaseKernel(nint handle)
    {
        if (handle != 0)
        {
            _releaseKernel(handle);
        }
    }

    public void ReleaseProgram(nint handle)
    {
        if (handle != 0)
        {
            _releaseProgram(handle);
        }
    }

    public void ReleaseCommandQueue(nint handle)
    {
        if (handle != 0)
        {
            _releaseCommandQueue(handle);
        }
    }

    public void ReleaseContext(nint handle)
    {
        if (handle != 0)
        {
            _releaseContext(handle);
        }
    }

    /// <summary>Throws <see cref="OpenClException"/> naming the call and the error when <paramref name="rc"/> is not CL_SUCCESS.</summary>
    public static void Check(int rc, string call)
    {
        if (rc != CL_SUCCESS)
        {
            throw new OpenClException(call, rc);
        }
    }

    private static byte[] NullTerminated(string s)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    private static string DecodeString(byte[] buffer)
    {
        var end = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, end < 0 ? buffer.Length : end).Trim();
    }

    /// <summary>The CL_* name of an OpenCL error code.</summary>
    public static string ErrorName(int code) => code switch
    {
        0 => "CL_SUCCESS",
        -1 => "CL_DEVICE_NOT_FOUND",
        -2 => "CL_DEVICE_NOT_AVAILABLE",
        -3 => "CL_COMPILER_NOT_AVAILABLE",
        -4 => "CL_MEM_OBJECT_ALLOCATION_FAILURE",
        -5 => "CL_OUT_OF_RESOURCES",
        -6 => "CL_OUT_OF_HOST_MEMORY",
        -7 => "CL_PROFILING_INFO_NOT_AVAILABLE",
        -8 => "CL_MEM_COPY_OVERLAP",
        -9 => "CL_IMAGE_FORMAT_MISMATCH",
        -10 => "CL_IMAGE_FORMAT_NOT_SUPPORTED",
        -11 => "CL_BUILD_PROGRAM_FAILURE",
        -12 => "CL_MAP_FAILURE",
        -13 => "CL_MISALIGNED_SUB_BUFFER_OFFSET",
        -14 => "CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST",
        -15 => "CL_COMPILE_PROGRAM_FAILURE",
        -16 => "CL_LINKER_NOT_AVAILABLE",
        -17 => "CL_LINK_PROGRAM_FAILURE",
        -18 => "CL_DEVICE_PARTITION_FAILED",
        -19 => "CL_KERNEL_ARG_INFO_NOT_AVAILABLE",
        -30 => "CL_INVALID_VALUE",
        -31 => "CL_INVALID_DEVICE_TYPE",
        -32 => "CL_INVALID_PLATFORM",
        -33 => "CL_INVALID_DEVICE",
        -34 => "CL_INVALID_CONTEXT",
        -35 => "CL_INVALID_QUEUE_PROPERTIES",
        -36 => "CL_INVALID_COMMAND_QUEUE",
        -37 => "CL_INVALID_HOST_PTR",
        -38 => "CL_INVALID_MEM_OBJECT",
        -39 => "CL_INVALID_IMAGE_FORMAT_DESCRIPTOR",
        -40 => "CL_INVALID_IMAGE_SIZE",
        -41 => "CL_INVALID_SAMPLER",
        -42 => "CL_INVALID_BINARY",
        -43 => "CL_INVALID_BUILD_OPTIONS",
        -44 => "CL_INVALID_PROGRAM",
        -45 => "CL_INVALID_PROGRAM_EXECUTABLE",
        -46 => "CL_INVALID_KERNEL_NAME",
        -47 => "CL_INVALID_KERNEL_DEFINITION",
        -48 => "CL_INVALID_KERNEL",
        -49 => "CL_INVALID_ARG_INDEX",
        -50 => "CL_INVALID_ARG_VALUE",
        -51 => "CL_INVALID_ARG_SIZE",
        -52 => "CL_INVALID_KERNEL_ARGS",
        -53 => "CL_INVALID_WORK_DIMENSION",
        -54 => "CL_INVALID_WORK_GROUP_SIZE",
        -55 => "CL_INVALID_WORK_ITEM_SIZE",
        -56 => "CL_INVALID_GLOBAL_OFFSET",
        -57 => "CL_INVALID_EVENT_WAIT_LIST",
        -58 => "CL_INVALID_EVENT",
        -59 => "CL_INVALID_OPERATION",
        -60 => "CL_INVALID_GL_OBJECT",
        -61 => "CL_INVALID_BUFFER_SIZE",
        -62 => "CL_INVALID_MIP_LEVEL",
        -63 => "CL_INVALID_GLOBAL_WORK_SIZE",
        -64 => "CL_INVALID_PROPERTY",
        -65 => "CL_INVALID_IMAGE_DESCRIPTOR",
        -66 => "CL_INVALID_COMPILER_OPTIONS",
        -67 => "CL_INVALID_LINKER_OPTIONS",
        -68 => "CL_INVALID_DEVICE_PARTITION_COUNT",
        -69 => "CL_INVALID_PIPE_SIZE",
        -70 => "CL_INVALID_DEVICE_QUEUE",
        -71 => "CL_INVALID_SPEC_ID",
        -72 => "CL_MAX_SIZE_RESTRICTION_EXCEEDED",
        -1001 => "CL_PLATFORM_NOT_FOUND_KHR",
        _ => "CL_UNKNOWN_ERROR",
    };
}
