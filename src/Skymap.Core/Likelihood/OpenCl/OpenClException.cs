using Skymap.Core.Likelihood.OpenCl.Internal;

namespace Skymap.Core.Likelihood.OpenCl;

/// <summary>An OpenCL call failed; the message names the call and the CL error (and carries the build log for build failures).</summary>
public sealed class OpenClException : Exception
{
    /// <summary>An OpenCL failure without details.</summary>
    public OpenClException()
        : this("an OpenCL call failed")
    {
    }

    /// <summary>An OpenCL failure with a message.</summary>
    public OpenClException(string message)
        : base(message)
    {
        Call = string.Empty;
    }

    /// <summary>An OpenCL failure with a message and its cause.</summary>
    public OpenClException(string message, Exception innerException)
        : base(message, innerException)
    {
        Call = string.Empty;
    }

    internal OpenClException(string call, int errorCode, string? buildLog = null)
        : base(Format(call, errorCode, buildLog))
    {
        Call = call;
        ErrorCode = errorCode;
        BuildLog = buildLog;
    }

    /// <summary>The OpenCL function that failed, e.g. <c>clBuildProgram</c> (empty when not known).</summary>
    public string Call { get; }

    /// <summary>The CL error code (0 when not known).</summary>
    public int ErrorCode { get; }

    /// <summary>The CL error's name, e.g. <c>CL_BUILD_PROGRAM_FAILURE</c>.</summary>
    public string ErrorName => OpenClNative.ErrorName(ErrorCode);

    /// <summary>The device compiler's log when <see cref="Call"/> is <c>clBuildProgram</c>; otherwise null.</summary>
    public string? BuildLog { get; }

    private static string Format(string call, int errorCode, string? buildLog)
    {
        var message = $"{call} failed: {OpenClNative.ErrorName(errorCode)} ({errorCode})";
        return string.IsNullOrEmpty(buildLog) ? message : $"{message}; build log:{Environment.NewLine}{buildLog}";
    }
}
