using Microsoft.AspNetCore.Http.Features;
using Skymap.Driver.Api;
using Skymap.Driver.Launch;
using Skymap.Driver.Storage;
using Skymap.Driver.Ui;
using Skymap.Recos;

// The Skymap Driver: REST service that queues, launches and records scans (docs/spec/SERVICE.md).
var builder = WebApplication.CreateBuilder(args);
builder.Logging.AddSimpleConsole(o =>
{
    o.SingleLine = true;
    o.TimestampFormat = "HH:mm:ss ";
});
builder.Services.AddSkymapBuiltinRecos();
builder.Services.AddSingleton<TokenAuth>();
builder.Services.AddSingleton(sp => DriverStore.Create(sp.GetRequiredService<IConfiguration>()));
builder.Services.AddSingleton(sp => LaunchOptions.From(sp.GetRequiredService<IConfiguration>()));
builder.Services.AddSingleton<ScanRuntime>();
builder.Services.AddSingleton<SelfClientFactory>();
builder.Services.AddSingleton<ProductCache>();
builder.Services.AddSingleton<Launcher>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<Launcher>());

var app = builder.Build();
var store = app.Services.GetRequiredService<DriverStore>();
await store.MigrateAsync(CancellationToken.None);
var auth = app.Services.GetRequiredService<TokenAuth>();
var launch = app.Services.GetRequiredService<LaunchOptions>();
app.Logger.LogInformation("Skymap Driver: storage {Storage}; launch mode {Mode}, {Workers} local worker(s), at most {Max} running scan(s)",
    store.Description, launch.Mode, launch.LocalWorkers, launch.MaxRunningScans);
if (auth.DevelopmentToken is { } devToken)
{
    // Printed on the console for the person who started the service; never written to the log.
    Console.WriteLine($"skymap-driver: no Auth:UserTokenHashes / Auth:SystemTokenHashes configured; development token (user + system roles): {devToken}");
}

app.Use(async (ctx, next) =>
{
    try
    {
        await next(ctx);
    }
    catch (ApiException e) when (!ctx.Response.HasStarted)
    {
        await ErrorResponses.WriteAsync(ctx, e.Status, e.Reason);
    }
    catch (BadHttpRequestException e) when (!ctx.Response.HasStarted)
    {
        await ErrorResponses.WriteAsync(ctx, e.StatusCode, e.Message);
    }
    catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
    {
    }
    catch (Exception e) when (!ctx.Response.HasStarted)
    {
        app.Logger.LogError(e, "{Method} {Path} failed", ctx.Request.Method, ctx.Request.Path);
        await ErrorResponses.WriteAsync(ctx, 500, "Internal server error: " + e.GetType().Name);
    }
});
app.UseStatusCodePages(async sc =>
{
    var ctx = sc.HttpContext;
    var reason = ctx.Response.StatusCode switch
    {
        404 => $"Not found: {ctx.Request.Method} {ctx.Request.Path}",
        405 => $"Method not allowed: {ctx.Request.Method} {ctx.Request.Path}",
        _ => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(ctx.Response.StatusCode),
    };
    await ErrorResponses.WriteAsync(ctx, ctx.Response.StatusCode, reason);
});

ScanRoutes.Map(app);
UiRoutes.Map(app);
app.Run();

/// <summary>The service's entry point (public for the test host).</summary>
public partial class Program
{
}

/// <summary>Error answers of SERVICE.md §2: <c>{"code", "error"}</c>, and the reason in the status line.</summary>
internal static class ErrorResponses
{
    public static async Task WriteAsync(HttpContext ctx, int status, string reason)
    {
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        if (ctx.Features.Get<IHttpResponseFeature>() is { } f)
        {
            f.ReasonPhrase = ApiException.Phrase(reason);
        }

        await ScanRoutes.WriteJsonAsync(ctx, new System.Text.Json.Nodes.JsonObject { ["code"] = status, ["error"] = reason }, status);
    }
}
