using Microsoft.Playwright;
using Skymap.Driver.Tests.Support;

namespace Skymap.Driver.Tests;

/// <summary>The web page in Debian's chromium (Playwright, no browser download): submit, watch, see the plot.</summary>
public sealed class WebPageTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "skymap-driver-ui", Guid.NewGuid().ToString("N"));

    public WebPageTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [ChromiumFact]
    public async Task Page_submits_a_scan_follows_it_to_the_final_state_and_shows_the_plot()
    {
        using var service = await ServiceProcess.StartAsync(_dir, ServiceProcess.FreePort());
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        var page = await browser.NewPageAsync();
        var consoleErrors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                consoleErrors.Add(m.Text);
            }
        };
        await page.GotoAsync(new Uri(service.Address, "/ui").ToString());

        // A wrong token is refused and said so.
        await page.FillAsync("#token", "wrong-token");
        await page.ClickAsync("#save-token");
        await Assertions.Expect(page.Locator("#auth-state")).ToContainTextAsync("token rejected: invalid token");

        await page.FillAsync("#token", Tokens.User);
        await page.ClickAsync("#save-token");
        await Assertions.Expect(page.Locator("#auth-state")).ToContainTextAsync("signed in");
        await page.SelectOptionAsync("#event-select", "builtin:track-100tev");
        await page.SelectOptionAsync("#reco-select", "dummy");
        await page.FillAsync("#nsides", "1:0 2:1");
        await page.ClickAsync("#submit");

        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("#scan=[0-9a-f]{11}x[0-9a-f]{20}$"));
        var scanId = page.Url[(page.Url.IndexOf("#scan=", StringComparison.Ordinal) + 6)..];
        await Assertions.Expect(page.Locator("#scan-id")).ToHaveTextAsync(scanId);
        await Assertions.Expect(page.Locator("#scan-state")).ToHaveTextAsync("SCAN_HAS_FINAL_RESULT", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#plot")).ToHaveAttributeAsync("data-final", "true", new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#plot")).ToBeVisibleAsync();
        var naturalWidth = await page.EvalOnSelectorAsync<int>("#plot", "img => img.complete ? img.naturalWidth : 0");
        Assert.True(naturalWidth > 100, $"plot image width {naturalWidth}");
        await Assertions.Expect(page.Locator("#best-fit")).ToContainTextAsync("llh");
        await Assertions.Expect(page.Locator("#areas")).ToContainTextAsync("deg²");
        await Assertions.Expect(page.Locator("#nsides-table tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#downloads a")).ToHaveCountAsync(5);

        // The list shows the scan as final with a full progress bar and its best fit.
        await page.ClickAsync("#nav-list");
        var row = page.Locator($"tr[data-scan-id='{scanId}']");
        await Assertions.Expect(row.Locator(".state")).ToHaveTextAsync("SCAN_HAS_FINAL_RESULT");
        await Assertions.Expect(row).ToContainTextAsync("100%");
        await Assertions.Expect(row).ToContainTextAsync("llh");
        var unexpected = consoleErrors.Where(e => !e.Contains("401", StringComparison.Ordinal)).ToArray();
        Assert.True(unexpected.Length == 0, string.Join("\n", unexpected));
    }
}

/// <summary>A fact that needs Debian's chromium at /usr/bin/chromium; skipped without it unless SKYMAP_REQUIRE_ALL=1.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Chromium) && Environment.GetEnvironmentVariable("SKYMAP_REQUIRE_ALL") != "1")
        {
            Skip = $"{Chromium} is not installed (apt-get install chromium)";
        }
    }
}
