using System.Security.Cryptography;
using System.Text;

namespace Skymap.Driver.Tests.Support;

/// <summary>The test tokens and the SHA-256 hashes the service is configured with.</summary>
public static class Tokens
{
    public const string User = "user-token-for-tests-0123456789";
    public const string System = "system-token-for-tests-9876543210";
    public const string Both = "both-roles-token-for-tests-5555";

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Configuration entries for the three tokens.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Config() =>
    [
        new("Auth:UserTokenHashes:0", Hash(User)),
        new("Auth:UserTokenHashes:1", Hash(Both)),
        new("Auth:SystemTokenHashes:0", Hash(System)),
        new("Auth:SystemTokenHashes:1", Hash(Both)),
    ];
}
