namespace Skymap.Core.Results;

/// <summary>
/// A result file (JSON or NPZ) breaks a rule of FORMATS.md §2–§3. The message names the problem: the key,
/// the block and the field involved.
/// </summary>
public sealed class SkyScanResultFormatException : FormatException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public SkyScanResultFormatException()
        : base("The scan result file is invalid.")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, and where.</param>
    public SkyScanResultFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">What is wrong, and where.</param>
    /// <param name="innerException">The underlying error.</param>
    public SkyScanResultFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
