using RabbitMQ.Client;

namespace Skymap.Transport.RabbitMq;

/// <summary>
/// Where and as whom to connect to RabbitMQ. The address is <c>amqp://host:port/vhost</c> (also <c>host</c> or
/// <c>host:port</c>); credentials come separately as <c>user:password</c> (<c>SKYMAP_BROKER_AUTH</c>). The password is
/// never part of <see cref="ToString"/> or any log line.
/// </summary>
public sealed class BrokerSettings
{
    /// <summary>Environment variable holding the broker address.</summary>
    public const string AddressVariable = "SKYMAP_BROKER_ADDRESS";

    /// <summary>Environment variable holding <c>user:password</c>.</summary>
    public const string AuthVariable = "SKYMAP_BROKER_AUTH";

    /// <summary>The address used when none is given: a local broker.</summary>
    public const string DefaultAddress = "amqp://localhost:5672/";

    private BrokerSettings(string host, int port, string virtualHost, string userName, string password, bool useTls)
    {
        Host = host;
        Port = port;
        VirtualHost = virtualHost;
        UserName = userName;
        Password = password;
        UseTls = useTls;
    }

    /// <summary>Host name.</summary>
    public string Host { get; }

    /// <summary>TCP port.</summary>
    public int Port { get; }

    /// <summary>Virtual host (default <c>/</c>).</summary>
    public string VirtualHost { get; }

    /// <summary>User name (default <c>guest</c>).</summary>
    public string UserName { get; }

    /// <summary>Password (default <c>guest</c>); never logged.</summary>
    internal string Password { get; }

    /// <summary>True for <c>amqps://</c>.</summary>
    public bool UseTls { get; }

    /// <summary>Heartbeat requested from the broker (must be shorter than any network idle cut-off).</summary>
    public TimeSpan Heartbeat { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Pause between automatic connection-recovery attempts.</summary>
    public TimeSpan RecoveryInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Parses an address and optional <c>user:password</c>. Credentials in the address (<c>amqp://u:p@host/</c>) are accepted;
    /// <paramref name="auth"/> overrides them.
    /// </summary>
    /// <exception cref="ArgumentException">The address or auth string is malformed (the message never repeats a password).</exception>
    public static BrokerSettings Parse(string? address, string? auth = null)
    {
        address = string.IsNullOrWhiteSpace(address) ? DefaultAddress : address.Trim();
        if (!address.Contains("://", StringComparison.Ordinal))
        {
            address = "amqp://" + address;
        }

        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps") || uri.Host.Length == 0)
        {
            throw new ArgumentException($"broker address must look like amqp://host:port/vhost, got '{Redact(address)}'", nameof(address));
        }

        var tls = uri.Scheme == "amqps";
        var port = uri.IsDefaultPort || uri.Port < 0 ? (tls ? 5671 : 5672) : uri.Port;
        var path = uri.AbsolutePath.TrimStart('/');
        var vhost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        string user = ConnectionFactory.DefaultUser, password = ConnectionFactory.DefaultPass;
        if (uri.UserInfo.Length > 0)
        {
            (user, password) = SplitAuth(Uri.UnescapeDataString(uri.UserInfo), "address");
        }

        if (!string.IsNullOrEmpty(auth))
        {
            (user, password) = SplitAuth(auth, AuthVariable);
        }

        return new BrokerSettings(uri.Host, port, vhost, user, password, tls);
    }

    /// <summary>
    /// Settings from <c>SKYMAP_BROKER_ADDRESS</c> and <c>SKYMAP_BROKER_AUTH</c>; an explicit address (e.g. <c>--broker</c>)
    /// wins over the variable.
    /// </summary>
    public static BrokerSettings FromEnvironment(string? address = null) =>
        Parse(string.IsNullOrWhiteSpace(address) ? Environment.GetEnvironmentVariable(AddressVariable) : address,
            Environment.GetEnvironmentVariable(AuthVariable));

    /// <summary>The address without credentials, e.g. <c>amqp://guest@localhost:5672/</c>.</summary>
    public override string ToString() =>
        $"{(UseTls ? "amqps" : "amqp")}://{UserName}@{Host}:{Port}/{(VirtualHost == "/" ? "" : Uri.EscapeDataString(VirtualHost))}";

    /// <summary>A connection factory with automatic connection and topology recovery.</summary>
    internal ConnectionFactory CreateFactory(string clientName) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = UserName,
        Password = Password,
        Ssl = new SslOption { Enabled = UseTls, ServerName = Host },
        AutomaticRecoveryEnabled = true,
        TopologyRecoveryEnabled = true,
        NetworkRecoveryInterval = RecoveryInterval,
        RequestedHeartbeat = Heartbeat,
        ClientProvidedName = clientName,
    };

    private static (string User, string Password) SplitAuth(string auth, string source)
    {
        var i = auth.IndexOf(':', StringComparison.Ordinal);
        if (i <= 0)
        {
            throw new ArgumentException($"broker credentials from {source} must be 'user:password'", nameof(auth));
        }

        return (auth[..i], auth[(i + 1)..]);
    }

    private static string Redact(string address)
    {
        var scheme = address.IndexOf("://", StringComparison.Ordinal);
        var at = address.LastIndexOf('@');
        return scheme >= 0 && at > scheme ? address[..(scheme + 3)] + "***@" + address[(at + 1)..] : address;
    }
}
