using System.Text;

namespace Skymap.Driver.Api;

/// <summary>An error answer: status code and reason (body <c>{"code", "error"}</c> and the status line's phrase).</summary>
internal sealed class ApiException(int status, string reason) : Exception(reason)
{
    public int Status { get; } = status;

    public string Reason { get; } = reason;

    public static ApiException BadRequest(string reason) => new(400, reason);

    public static ApiException NotFound(string reason) => new(404, reason);

    /// <summary>The reason as a status-line phrase: ASCII, no CR/LF, at most 200 characters.</summary>
    public static string Phrase(string reason)
    {
        var sb = new StringBuilder(Math.Min(reason.Length, 200));
        foreach (var c in reason)
        {
            if (sb.Length >= 200)
            {
                break;
            }

            sb.Append(c is >= ' ' and <= '~' ? c : c is '\r' or '\n' or '\t' ? ' ' : '?');
        }

        return sb.ToString();
    }
}
