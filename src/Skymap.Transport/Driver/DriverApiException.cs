namespace Skymap.Transport.Driver;

/// <summary>A Skymap Driver answered with an error status (SERVICE.md §2: <c>{"code", "error"}</c>).</summary>
public sealed class DriverApiException : Exception
{
    /// <summary>Creates the exception.</summary>
    public DriverApiException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public DriverApiException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public DriverApiException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for an error answer.</summary>
    /// <param name="statusCode">The HTTP status.</param>
    /// <param name="reason">The Driver's reason (the <c>error</c> field, else the status line's phrase).</param>
    public DriverApiException(int statusCode, string reason)
        : base($"{statusCode}: {reason}")
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>The HTTP status code (0 when no answer came).</summary>
    public int StatusCode { get; }

    /// <summary>The reason the Driver gave.</summary>
    public string Reason { get; } = "";
}
