using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Skymap.Transport.Driver;

/// <summary>A scan the Driver is running, as <c>GET /scans/running</c> lists it (for worker pools).</summary>
/// <param name="ScanId">The scan id.</param>
/// <param name="Priority">Its priority (the list is sorted by it, highest first).</param>
/// <param name="ToQueue">The task queue workers consume.</param>
/// <param name="FromQueue">The reply queue workers publish to.</param>
/// <param name="StartupSha256">SHA-256 of the startup document (<c>GET /scan/{id}/startup</c>).</param>
public sealed record DriverRunningScan(string ScanId, int Priority, string? ToQueue, string? FromQueue, string? StartupSha256);

/// <summary>
/// A small typed client of the Skymap Driver REST service (SERVICE.md §3). Every request carries the bearer token and a
/// JSON body where the method has one; 408/429/5xx answers and connection failures are retried with back-off
/// (<see cref="MaxRetries"/>), as the upstream Python client does. Error answers raise <see cref="DriverApiException"/>.
/// </summary>
public sealed class DriverClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <summary>Creates a client for a Driver address and a bearer token.</summary>
    /// <param name="address">The Driver's base address, e.g. <c>http://localhost:8080</c>.</param>
    /// <param name="token">The bearer token (never logged).</param>
    /// <param name="handler">An HTTP handler (tests, custom TLS); null uses the default handler.</param>
    public DriverClient(Uri address, string token, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentException.ThrowIfNullOrEmpty(token);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: false);
        _http.BaseAddress = address;
        _http.Timeout = Timeout.InfiniteTimeSpan;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _ownsHttp = true;
    }

    /// <summary>Retries of a request that got 408/429/5xx or no answer (default 3).</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>Timeout of one attempt (default 30 s).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>First back-off delay, doubled on every retry (default 0.5 s).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary><c>POST /scan</c>: submits a scan request (SERVICE.md §4) and returns its manifest.</summary>
    public Task<JsonObject> SubmitScanAsync(JsonObject request, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "/scan", request, cancellationToken);

    /// <summary><c>GET /scan/{id}/status</c>.</summary>
    public Task<JsonObject> GetStatusAsync(string scanId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"/scan/{Id(scanId)}/status", null, cancellationToken);

    /// <summary><c>GET /scan/{id}/manifest</c> with an optional pipe-delimited projection.</summary>
    public Task<JsonObject> GetManifestAsync(string scanId, string? projection, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"/scan/{Id(scanId)}/manifest" + (projection is null ? "" : "?projection=" + Uri.EscapeDataString(projection)), null, cancellationToken);

    /// <summary><c>PATCH /scan/{id}/manifest</c> (system role): progress, event and scan metadata.</summary>
    public Task<JsonObject> PatchManifestAsync(string scanId, JsonObject body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, $"/scan/{Id(scanId)}/manifest", body, cancellationToken);

    /// <summary><c>GET /scan/{id}/result</c>: the result document, or an empty object when there is none yet.</summary>
    public Task<JsonObject> GetResultAsync(string scanId, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, $"/scan/{Id(scanId)}/result", null, cancellationToken);

    /// <summary><c>PUT /scan/{id}/result</c> (system role) with the result's FORMATS.md JSON text.</summary>
    /// <param name="scanId">The scan id.</param>
    /// <param name="skyScanResultJson">The result, as <c>SkyScanResultJson.Serialize</c> writes it.</param>
    /// <param name="isFinal">True for the final result.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task PutResultAsync(string scanId, string skyScanResultJson, bool isFinal, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(skyScanResultJson);
        var body = "{\"skyscan_result\": " + skyScanResultJson + ", \"is_final\": " + (isFinal ? "true" : "false") + "}";
        await SendRawAsync(HttpMethod.Put, $"/scan/{Id(scanId)}/result", body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>POST /scans/find</c> with the filter language of SERVICE.md §6.</summary>
    public Task<JsonObject> FindAsync(JsonObject filter, bool includeDeleted, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, "/scans/find", new JsonObject { ["filter"] = filter.DeepClone(), ["include_deleted"] = includeDeleted }, cancellationToken);

    /// <summary><c>DELETE /scan/{id}</c>.</summary>
    public Task<JsonObject> DeleteScanAsync(string scanId, bool deleteCompletedScan, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Delete, $"/scan/{Id(scanId)}", new JsonObject { ["delete_completed_scan"] = deleteCompletedScan }, cancellationToken);

    /// <summary><c>GET /scans/running</c> (system role): the scans worker pools may serve, highest priority first.</summary>
    public async Task<IReadOnlyList<DriverRunningScan>> GetRunningScansAsync(CancellationToken cancellationToken)
    {
        var o = await SendAsync(HttpMethod.Get, "/scans/running", null, cancellationToken).ConfigureAwait(false);
        return (o["scans"] as JsonArray ?? []).OfType<JsonObject>().Select(s => new DriverRunningScan(
            (string)s["scan_id"]!, (int?)s["priority"] ?? 0, (string?)s["to_queue"], (string?)s["from_queue"], (string?)s["startup_sha256"])).ToArray();
    }

    /// <summary><c>GET /scan/{id}/startup</c> (system role): the exact bytes of the startup document.</summary>
    public async Task<byte[]> GetStartupAsync(string scanId, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(HttpMethod.Get, $"/scan/{Id(scanId)}/startup", null, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Any route: sends <paramref name="body"/> (null: none for GET, <c>{}</c> otherwise) and returns the JSON object answer.</summary>
    public async Task<JsonObject> SendAsync(HttpMethod method, string pathAndQuery, JsonNode? body, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(method);
        var text = body?.ToJsonString() ?? (method == HttpMethod.Get ? null : "{}");
        return await SendRawAsync(method, pathAndQuery, text, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<JsonObject> SendRawAsync(HttpMethod method, string pathAndQuery, string? body, CancellationToken cancellationToken)
    {
        using var response = await SendCoreAsync(method, pathAndQuery, body, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject ?? throw new DriverApiException((int)response.StatusCode, "the Driver's answer is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new DriverApiException($"the Driver's answer to {method} {pathAndQuery} is not JSON: {e.Message}", e);
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string pathAndQuery, string? body, CancellationToken cancellationToken)
    {
        var delay = RetryDelay;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, pathAndQuery);
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(RequestTimeout);
            HttpResponseMessage? response = null;
            Exception? failure = null;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            }
            catch (HttpRequestException e)
            {
                failure = e;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                failure = new TimeoutException($"{method} {pathAndQuery}: no answer within {RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s", e);
            }

            if (response is not null && response.IsSuccessStatusCode)
            {
                return response;
            }

            var retriable = response is null || IsRetriable(response.StatusCode);
            if (!retriable || attempt >= MaxRetries)
            {
                if (response is null)
                {
                    throw new DriverApiException($"{method} {pathAndQuery}: {failure!.Message}", failure);
                }

                using (response)
                {
                    throw await ToExceptionAsync(response, cancellationToken).ConfigureAwait(false);
                }
            }

            response?.Dispose();
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
        }
    }

    private static bool IsRetriable(HttpStatusCode code) =>
        code is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or HttpStatusCode.InternalServerError
            or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout;

    private static async Task<DriverApiException> ToExceptionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var reason = response.ReasonPhrase ?? response.StatusCode.ToString();
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (JsonNode.Parse(text) is JsonObject o && o["error"] is JsonValue v && v.TryGetValue(out string? error))
            {
                reason = error;
            }
        }
        catch (JsonException)
        {
        }

        return new DriverApiException((int)response.StatusCode, reason);
    }

    private static string Id(string scanId)
    {
        ArgumentException.ThrowIfNullOrEmpty(scanId);
        return Uri.EscapeDataString(scanId);
    }
}
