using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Skymap.Driver.Launch;

namespace Skymap.Driver.Tests.Support;

/// <summary>An answer: status, the status line's reason phrase and the JSON body.</summary>
public sealed record Answer(HttpStatusCode Status, string? Reason, JsonNode? Body, HttpResponseMessage Raw)
{
    public JsonObject Object => Body as JsonObject ?? throw new InvalidOperationException($"not a JSON object: {Body?.ToJsonString()}");

    public string? Error => (string?)Object["error"];
}

/// <summary>
/// The service in the ASP.NET test host, on SQLite (a temporary file) or PostgreSQL (a fresh database), with the test
/// tokens and short launcher delays. Its coordinators report through the test server's own handler.
/// </summary>
public sealed class DriverHost : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly string _dir;
    private readonly string? _postgres;
    private bool _ownsStorage = true;

    public DriverHost(bool postgres = false, IDictionary<string, string?>? settings = null)
    {
        _dir = Path.Combine(Path.GetTempPath(), "skymap-driver-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dir);
        _settings = new Dictionary<string, string?>(Tokens.Config())
        {
            ["Storage:SqlitePath"] = Path.Combine(_dir, "driver.db"),
            ["Launch:LocalWorkers"] = "2",
            ["Launch:BacklogShortDelaySeconds"] = "0.2",
            ["Launch:BacklogDelaySeconds"] = "0.2",
            ["Launch:TeardownDelaySeconds"] = "0.5",
            ["Scanner:ProgressIntervalSeconds"] = "0.5",
            ["Scanner:ResultIntervalSeconds"] = "0.5",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        if (postgres)
        {
            _postgres = Postgres.CreateDatabase();
            _settings["ConnectionStrings:Postgres"] = _postgres;
        }

        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    /// <summary>A new service on the storage of <paramref name="previous"/> (a restart); the new host then owns the storage.</summary>
    public DriverHost(DriverHost previous, IDictionary<string, string?>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(previous);
        previous._ownsStorage = false;
        _dir = previous._dir;
        _postgres = previous._postgres;
        _settings = new Dictionary<string, string?>(previous._settings);
        foreach (var (k, v) in settings ?? new Dictionary<string, string?>())
        {
            _settings[k] = v;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (k, v) in _settings)
        {
            builder.UseSetting(k, v);
        }

        builder.ConfigureTestServices(s => s.AddSingleton(new SelfHttpHandler(() => Server.CreateHandler(), new Uri("http://localhost"))));
    }

    public HttpClient Client(string? token)
    {
        var c = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        if (token is not null)
        {
            c.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return c;
    }

    public async Task<Answer> SendAsync(string? token, HttpMethod method, string path, JsonNode? body = null, string? rawBody = null)
    {
        using var c = Client(token);
        using var req = new HttpRequestMessage(method, path);
        var text = rawBody ?? body?.ToJsonString() ?? (method == HttpMethod.Get ? null : "{}");
        if (text is not null)
        {
            req.Content = new StringContent(text, Encoding.UTF8, "application/json");
        }

        var resp = await c.SendAsync(req);
        var s = await resp.Content.ReadAsStringAsync();
        return new Answer(resp.StatusCode, resp.ReasonPhrase, s.Length == 0 ? null : JsonNode.Parse(s), resp);
    }

    public Task<Answer> GetAsync(string? token, string path) => SendAsync(token, HttpMethod.Get, path);

    public Task<Answer> PostAsync(string? token, string path, JsonNode body) => SendAsync(token, HttpMethod.Post, path, body);

    /// <summary>Submits a tiny dummy scan of a built-in event and returns its manifest.</summary>
    public async Task<JsonObject> SubmitAsync(Action<JsonObject>? change = null)
    {
        var req = TinyScan();
        change?.Invoke(req);
        var a = await PostAsync(Tokens.User, "/scan", req);
        Assert.True(a.Status == HttpStatusCode.OK, $"POST /scan: {a.Status} {a.Body?.ToJsonString()}");
        return a.Object;
    }

    public static JsonObject TinyScan() => new()
    {
        ["reco_algo"] = "dummy",
        ["nsides"] = new JsonObject { ["1"] = 0, ["2"] = 1 },
        ["real_or_simulated_event"] = "sim",
        ["event_ref"] = "builtin:track-100tev",
        ["max_pixel_reco_time"] = 60,
    };

    /// <summary>Polls the status until <paramref name="done"/> holds (60 s at most).</summary>
    public async Task<JsonObject> WaitForStatusAsync(string scanId, Func<JsonObject, bool> done, double seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonObject? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var a = await GetAsync(Tokens.User, $"/scan/{scanId}/status");
            last = a.Object;
            if (done(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"scan {scanId}: last status {last?.ToJsonString()}");
    }

    public Task<JsonObject> WaitForFinalAsync(string scanId) => WaitForStatusAsync(scanId, s => (bool)s["scan_complete"]!);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _ownsStorage)
        {
            if (_postgres is not null)
            {
                try
                {
                    Postgres.DropDatabase(_postgres);
                }
                catch (Npgsql.NpgsqlException)
                {
                }
            }

            try
            {
                Directory.Delete(_dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
