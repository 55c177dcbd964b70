using System.Security.Cryptography;
using System.Text;

namespace Skymap.Driver.Api;

/// <summary>The roles of SERVICE.md §2.</summary>
[Flags]
internal enum Roles
{
    None = 0,
    User = 1,
    System = 2,
}

/// <summary>
/// Bearer-token authentication: config holds SHA-256 hex hashes of tokens per role (<c>Auth:UserTokenHashes:N</c>,
/// <c>Auth:SystemTokenHashes:N</c>); a presented token is hashed and compared with every stored hash in constant time.
/// Tokens are never logged or stored. The service's own coordinators use a random token made at start-up (system role).
/// </summary>
internal sealed class TokenAuth
{
    private readonly List<(byte[] Hash, Roles Roles)> _hashes = [];

    public TokenAuth(IConfiguration config)
    {
        Add(config.GetSection("Auth:UserTokenHashes"), Roles.User, "Auth:UserTokenHashes");
        Add(config.GetSection("Auth:SystemTokenHashes"), Roles.System, "Auth:SystemTokenHashes");
        if (_hashes.Count == 0)
        {
            // Zero set-up: a development token with both roles, printed once on the console (never logged).
            DevelopmentToken = NewToken();
            _hashes.Add((Hash(DevelopmentToken), Roles.User | Roles.System));
        }

        InternalToken = NewToken();
        _hashes.Add((Hash(InternalToken), Roles.System));
    }

    /// <summary>The generated development token when no hashes are configured, else null.</summary>
    public string? DevelopmentToken { get; }

    /// <summary>The token the service's own coordinators report with (system role; lives only in memory).</summary>
    public string InternalToken { get; }

    public static string HashHex(string token) => Convert.ToHexStringLower(Hash(token));

    /// <summary>The roles of the request's bearer token; throws 401 when it is missing or unknown.</summary>
    public Roles Authenticate(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (string.IsNullOrEmpty(header))
        {
            throw new ApiException(401, "missing Authorization header (Bearer token)");
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            throw new ApiException(401, "Authorization header must be 'Bearer <token>'");
        }

        var presented = Hash(header[7..].Trim());
        var roles = Roles.None;
        foreach (var (hash, r) in _hashes)
        {
            // Every hash is compared (no early exit), each comparison in constant time.
            if (CryptographicOperations.FixedTimeEquals(hash, presented))
            {
                roles |= r;
            }
        }

        return roles == Roles.None ? throw new ApiException(401, "invalid token") : roles;
    }

    /// <summary>Checks that the request holds one of <paramref name="allowed"/>: 401 without a valid token, 403 with the wrong role.</summary>
    public Roles Require(HttpRequest request, Roles allowed)
    {
        var roles = Authenticate(request);
        if ((roles & allowed) == 0)
        {
            var need = allowed switch
            {
                Roles.User => "user",
                Roles.System => "system",
                _ => "user or system",
            };
            throw new ApiException(403, $"Forbidden: this route requires the {need} role");
        }

        return roles;
    }

    private void Add(IConfigurationSection section, Roles role, string name)
    {
        foreach (var child in section.GetChildren())
        {
            var hex = (child.Value ?? "").Trim();
            byte[] bytes;
            try
            {
                bytes = Convert.FromHexString(hex);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"{name}:{child.Key} is not a SHA-256 hex string");
            }

            if (bytes.Length != 32)
            {
                throw new InvalidOperationException($"{name}:{child.Key} is not a SHA-256 hex string (64 hex digits)");
            }

            _hashes.Add((bytes, role));
        }
    }

    private static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static string NewToken() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
}
