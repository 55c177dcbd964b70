using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Skymap.Driver.Api;
using Skymap.Transport.Driver;

namespace Skymap.Driver.Launch;

/// <summary>An HTTP handler for the service to reach itself (the test host registers one; a real server needs none).</summary>
internal sealed record SelfHttpHandler(Func<HttpMessageHandler> Create, Uri BaseAddress);

/// <summary>
/// Clients with which the service's coordinators report through the service's own routes, exactly as an external
/// scanner does (system role, the in-memory internal token).
/// </summary>
internal sealed class SelfClientFactory(IServer server, TokenAuth auth, IServiceProvider services)
{
    public DriverClient Create()
    {
        if (services.GetService<SelfHttpHandler>() is { } custom)
        {
            return new DriverClient(custom.BaseAddress, auth.InternalToken, custom.Create());
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the server has no listening address to report to");
        var uri = new UriBuilder(address.Replace("://+", "://localhost", StringComparison.Ordinal).Replace("://*", "://localhost", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0")
        {
            uri.Host = "127.0.0.1";
        }
        else if (uri.Host is "[::]" or "::")
        {
            uri.Host = "[::1]";
        }

        return new DriverClient(uri.Uri, auth.InternalToken);
    }
}
