namespace Skymap.Core.Events;

/// <summary>An event document violates the <c>skymap-event/1</c> rules; the message names the field (and index).</summary>
public sealed class EventFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EventFormatException()
    {
    }

    /// <summary>Creates the exception with a message naming the problem.</summary>
    public EventFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public EventFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
