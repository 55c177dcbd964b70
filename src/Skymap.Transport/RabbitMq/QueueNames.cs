namespace Skymap.Transport.RabbitMq;

/// <summary>The queues of one scan (SCANNER.md §9).</summary>
/// <param name="ScanId">The scan id.</param>
public sealed record QueueNames(string ScanId)
{
    /// <summary>Tasks, server → workers: <c>to-clients-&lt;scan_id&gt;</c>.</summary>
    public string ToClients => $"to-clients-{ScanId}";

    /// <summary>Replies and dead-lettered tasks, workers/broker → server: <c>from-clients-&lt;scan_id&gt;</c>.</summary>
    public string FromClients => $"from-clients-{ScanId}";

    /// <summary>Messages nobody could read: <c>dead-letters-&lt;scan_id&gt;</c>.</summary>
    public string DeadLetters => $"dead-letters-{ScanId}";
}
