using System.Reflection;
using System.Text.Json.Nodes;
using Skymap.Core.Events;
using Skymap.Core.Recos;
using Skymap.Driver.Api;
using Skymap.Driver.Launch;

namespace Skymap.Driver.Ui;

/// <summary>
/// The web page (<c>/ui</c>: static HTML; the page holds the user token and calls the API with it) and the few
/// read-only routes it uses beyond SERVICE.md §3: scan summaries, products (plot, FITS, result files), the catalog.
/// </summary>
internal static class UiRoutes
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var s = Assembly.GetExecutingAssembly().GetManifestResourceStream("ui/index.html")!;
        using var m = new MemoryStream();
        s.CopyTo(m);
        return m.ToArray();
    });

    public static void Map(WebApplication app)
    {
        app.MapGet("/ui", async ctx =>
        {
            ctx.Response.ContentType = "text/html; charset=utf-8";
            ctx.Response.Headers.CacheControl = "no-store";
            await ctx.Response.Body.WriteAsync(Page.Value, ctx.RequestAborted);
        });
        app.MapGet("/ui/catalog", async ctx =>
        {
            ScanRoutes.Auth(ctx).Require(ctx.Request, Roles.User);
            await ScanRoutes.WriteJsonAsync(ctx, new JsonObject
            {
                ["recos"] = new JsonArray(ctx.RequestServices.GetRequiredService<RecoRegistry>().Names.Select(n => (JsonNode?)n).ToArray()),
                ["builtin_events"] = new JsonArray(BuiltinEvents.Names.Select(n => (JsonNode?)(BuiltinEvents.Prefix + n)).ToArray()),
                ["launch_mode"] = ctx.RequestServices.GetRequiredService<LaunchOptions>().Mode,
            });
        });
        app.MapGet("/ui/scans", ScansAsync);
        app.MapGet("/ui/scan/{id}", ScanAsync);
        app.MapGet("/scan/{id}/products/{kind}", ProductAsync);
    }

    private static async Task ScansAsync(HttpContext ctx)
    {
        ScanRoutes.Auth(ctx).Require(ctx.Request, Roles.User);
        var args = await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted);
        var limit = (int)args.GetInt("limit", 100, 1, 1000);
        args.RejectUnknown();
        var store = ScanRoutes.Store(ctx);
        var cache = ctx.RequestServices.GetRequiredService<ProductCache>();
        var (where, ps) = Storage.FindFilter.Build([], includeDeleted: false, store.IsPostgres);
        var (manifests, truncated) = await store.FindAsync(where, ps, limit, ctx.RequestAborted);
        var list = new JsonArray();
        foreach (var m in manifests)
        {
            list.Add(await SummaryAsync(ctx, m, cache, withProgress: false));
        }

        await ScanRoutes.WriteJsonAsync(ctx, new JsonObject { ["scans"] = list, ["truncated"] = truncated });
    }

    private static async Task ScanAsync(HttpContext ctx, string id)
    {
        ScanRoutes.Auth(ctx).Require(ctx.Request, Roles.User);
        (await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted)).RejectUnknown();
        var m = await ScanRoutes.LiveManifestAsync(ctx, id, includeDeleted: true);
        await ScanRoutes.WriteJsonAsync(ctx, await SummaryAsync(ctx, m, ctx.RequestServices.GetRequiredService<ProductCache>(), withProgress: true));
    }

    private static async Task<JsonObject> SummaryAsync(HttpContext ctx, JsonObject m, ProductCache cache, bool withProgress)
    {
        var id = (string)m["scan_id"]!;
        var result = await ScanRoutes.Store(ctx).GetResultAsync(id, ctx.RequestAborted);
        var progress = m["progress"] as JsonObject;
        var nsides = new JsonArray();
        double? overall = null;
        if (progress?["tallies"] is JsonObject tallies)
        {
            overall = Fraction(tallies["overall"]?["recos"]);
            if (tallies["nsides"] is JsonObject perNside)
            {
                foreach (var (nside, t) in perNside)
                {
                    nsides.Add(new JsonObject
                    {
                        ["nside"] = nside,
                        ["done"] = t?["recos"]?["done"]?.DeepClone(),
                        ["total"] = t?["recos"]?["initial approximation total"]?.DeepClone(),
                        ["fraction"] = Fraction(t?["recos"]),
                    });
                }
            }
        }

        var state = ScanDocs.State(m, result?.IsFinal);
        if (state == ScanDocs.FinalState)
        {
            overall = 1.0;
        }

        var o = new JsonObject
        {
            ["scan_id"] = id,
            ["state"] = state,
            ["timestamp"] = m["timestamp"]?.DeepClone(),
            ["event_metadata"] = m["event_metadata"]?.DeepClone(),
            ["classifiers"] = m["classifiers"]?.DeepClone(),
            ["is_deleted"] = m["is_deleted"]?.DeepClone(),
            ["failure_reason"] = m["failure_reason"]?.DeepClone(),
            ["progress_fraction"] = overall,
            ["has_result"] = result is not null,
            ["is_final"] = result?.IsFinal ?? false,
            ["best_fit"] = result is { } r ? cache.Summary(id, r.Doc)?.DeepClone() : null,
            ["result_digest"] = result is { } rd ? ProductCache.Digest(rd.Doc) : null,
        };
        if (withProgress)
        {
            o["nsides"] = nsides;
            o["scanner_server_args"] = m["scanner_server_args"]?.DeepClone();
            o["summary"] = progress?["summary"]?.DeepClone();
            o["runtime"] = progress?["processing_stats"]?["runtime"]?.DeepClone();
        }

        return o;
    }

    private static double? Fraction(JsonNode? t)
    {
        if (t is not JsonObject o || o["done"] is not JsonValue d || o["initial approximation total"] is not JsonValue total)
        {
            return null;
        }

        var tot = total.GetValue<double>();
        return tot > 0 ? Math.Min(1.0, d.GetValue<double>() / tot) : null;
    }

    private static async Task ProductAsync(HttpContext ctx, string id, string kind)
    {
        ScanRoutes.Auth(ctx).Require(ctx.Request, Roles.User);
        (await ApiArgs.ReadAsync(ctx.Request, ctx.RequestAborted)).RejectUnknown();
        if (!ProductCache.Kinds.TryGetValue(kind, out var contentType))
        {
            throw ApiException.NotFound($"unknown product '{kind}' (known: {string.Join(", ", ProductCache.Kinds.Keys)})");
        }

        await ScanRoutes.LiveManifestAsync(ctx, id, includeDeleted: true);
        var result = await ScanRoutes.Store(ctx).GetResultAsync(id, ctx.RequestAborted) ?? throw ApiException.NotFound("The scan has no result yet");
        var path = await ctx.RequestServices.GetRequiredService<ProductCache>().GetAsync(id, result.Doc, kind, ctx.RequestAborted)
            ?? throw new ApiException(422, "The result has no finite pixel to plot yet");
        ctx.Response.ContentType = contentType;
        ctx.Response.Headers.ContentDisposition = $"attachment; filename=\"{id}.{kind}\"";
        await ctx.Response.SendFileAsync(path, ctx.RequestAborted);
    }
}
