using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;
using Tracemark.Server.Customs;

namespace Tracemark.Browser.Tests;

/// <summary>
/// From a screened declaration to a confirmed destruction through the pages, in both languages: a customs officer imports
/// a file, finds the line on the work list and detains it; the right holder sees its deadline and confirms in one step;
/// the holder's period runs out (deemed consent) and the officer records the destruction with its certificate.
/// </summary>
public sealed class CustomsInTheBrowserTests(ServedTracemark server, Chromium chromium) : IClassFixture<ServedTracemark>
{
    private static readonly Regex HomePage = new("/$", RegexOptions.None, TimeSpan.FromSeconds(1));
    private static readonly Regex DetentionPage = new("/customs/detentions/[0-9a-f-]{36}$", RegexOptions.None, TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData("en", "Velvaretto", "Detained", "Right holder", "Your answer was recorded.", "Destruction pending", "Destroyed")]
    [InlineData("zh-CN", "Quarnebello", "已扣留", "权利人", "您的答复已记录。", "待销毁", "已销毁")]
    public async Task A_screened_declaration_is_detained_confirmed_by_the_holder_and_destroyed(
        string language, string mark, string detained, string holderWaits, string answered, string pending, string destroyed)
    {
        var ct = TestContext.Current.CancellationToken;
        var holderOrg = await Seed.OrganisationAsync(server, OrganisationKind.RightsHolder, mark + " Brands " + language);
        var customsOrg = await Seed.OrganisationAsync(server, OrganisationKind.Customs, "Hamburg Customs " + language);
        await using (var connection = await server.OpenOwnerConnectionAsync())
        {
            await connection.ExecuteAsync("UPDATE organisations SET country = 'DE' WHERE id = @customsOrg", new { customsOrg });
        }

        var holder = await Seed.UserAsync(server, holderOrg, Role.Officer, language: language);
        var officer = await Seed.UserAsync(server, customsOrg, Role.Officer, language: language);

        // The holder's mark and guide (through the API: the registry's pages have their own browser test).
        var holderApi = Api(await Seed.ApiKeyAsync(server, holderOrg, [ApiScopes.Read, ApiScopes.Write]));
        var right = await PostAsync(holderApi, "/api/v1/rights", new
        {
            type = "trademark",
            jurisdiction = "CN",
            number = Random.Shared.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture),
            name = mark,
            classes = new[] { 25 },
            filed = "2019-01-10",
            registered = "2020-02-20",
            expires = "2030-02-19",
        });
        var rightId = right.GetProperty("id").GetGuid();
        await PostAsync(holderApi, "/api/v1/guides", new
        {
            rightIds = new[] { rightId },
            title = mark + " jackets",
            genuineFeatures = new[] { "Woven label" },
            fakeIndicators = new[] { "Printed label" },
            priceBands = new[] { new { product = "Jacket", min = 100.0, max = 400.0, currency = "EUR", unit = "piece" } },
        });
        var customsApi = Api(await Seed.ApiKeyAsync(server, customsOrg, [ApiScopes.Read]));
        await EventuallyAsync(async () => (await PostAsync(customsApi, "/api/v1/screening", new { text = mark + " jacket" }, expectCreated: false))
            .GetProperty("results")[0].GetProperty("hits").EnumerateArray().Any(h => h.TryGetProperty("markId", out var id) && id.GetString() == rightId.ToString()));

        // The officer imports a declaration through the page.
        var today = DateOnly.FromDateTime(server.Clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var number = "DE" + language.Replace("-", "", StringComparison.Ordinal).ToUpperInvariant() + Random.Shared.Next(100_000, 999_999).ToString(CultureInfo.InvariantCulture);
        var csv = "declaration_number,line,date,mode,importer,exporter,origin,destination,port,hs_code,description,brand,quantity,unit,value,currency,gross_kg\n"
            + $"{number},1,{today},air,Cheap Trade Ltd,Shenzhen Export Co,CN,DE,DEHAM,6201.40,Down jackets 羽绒服,{mark},40,件,200,EUR,30\n"
            + $"{number},2,{today},air,Cheap Trade Ltd,Shenzhen Export Co,CN,DE,DEHAM,6109.10,Plain T-shirts,,100,pcs,300,EUR,20\n";
        await using var officerContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var page = await SignInAsync(officerContext, officer);
        await page.GotoAsync("/customs/imports");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "declarations.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });
        await page.ClickAsync("#upload");
        for (var i = 0; i < 100 && await page.GetAttributeAsync("#import-status", "data-status") is not "done"; i++)
        {
            await Task.Delay(200, ct);
            await page.ReloadAsync();
        }

        Assert.Equal("done", await page.GetAttributeAsync("#import-status", "data-status"));
        await Assertions.Expect(page.Locator("#flagged")).ToHaveTextAsync("1");

        // On the work list, the marked line (not the T-shirts) is there; the officer detains it.
        await page.ClickAsync("#to-worklist");
        var row = page.Locator("tr", new PageLocatorOptions { HasText = number });
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await row.Locator("input[name=lineIds]").CheckAsync();
        await page.ClickAsync("#detain-selected");
        await page.SelectOptionAsync("#mode", "application");
        await page.FillAsync("#storage", "Hamburg bonded warehouse 3 汉堡保税仓3号");
        await page.ClickAsync("#detain");
        await Assertions.Expect(page).ToHaveURLAsync(DetentionPage);
        await Assertions.Expect(page.Locator("#detention-state strong")).ToHaveTextAsync(detained);
        await Assertions.Expect(page.Locator("#waiting-for")).ToHaveTextAsync(holderWaits);
        var detentionUrl = page.Url;
        await Screenshots.TakeAsync(page, $"detention-customs-{language}");

        // The holder finds it in its list, with the deadline it must meet, and confirms in one step.
        await using var holderContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var holderPage = await SignInAsync(holderContext, holder);
        await holderPage.GotoAsync("/customs/detentions");
        await Assertions.Expect(holderPage.Locator("#detentions td.due")).Not.ToHaveTextAsync("-");
        await holderPage.ClickAsync("#detentions a");
        await Assertions.Expect(holderPage.Locator("#deadline")).ToBeVisibleAsync();
        await holderPage.CheckAsync("#decision-confirm");

        // Reasons are required: the form comes back with the error, the detention still shown.
        await holderPage.ClickAsync("#send-answer");
        await Assertions.Expect(holderPage.Locator(".validation")).ToContainTextAsync("reasons");
        await Assertions.Expect(holderPage.Locator("#deadline")).ToBeVisibleAsync();
        await holderPage.CheckAsync("#decision-confirm");
        await holderPage.FillAsync("#reasons", "Printed label, wrong zip puller 标签为印刷，拉链头不符");
        await holderPage.ClickAsync("#send-answer");
        await Assertions.Expect(holderPage.Locator("p.notice")).ToHaveTextAsync(answered);
        await Assertions.Expect(holderPage.Locator("#holder-reasons")).ToContainTextAsync("标签为印刷");
        Assert.Equal(0, await holderPage.Locator("#respond").CountAsync());
        await Screenshots.TakeAsync(holderPage, $"detention-holder-{language}");

        // The declarant does not object: when the holder's period ends, consent is deemed.
        server.Clock.Advance(TimeSpan.FromDays(21));
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<DetentionSweep>().RunOnceAsync(ct);
        }

        // Three weeks on, the session has expired: the officer signs in again.
        page = await SignInAsync(officerContext, officer);
        await page.GotoAsync(detentionUrl);
        await Assertions.Expect(page.Locator("#detention-state strong")).ToHaveTextAsync(pending);
        await page.SelectOptionAsync("#action", "destroy");
        await page.FillAsync("#certificate-input", "DE-VN-2026-" + language);
        await page.FillAsync("#date", DateOnly.FromDateTime(server.Clock.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.ClickAsync("#record-step");
        await Assertions.Expect(page.Locator("#detention-state strong")).ToHaveTextAsync(destroyed);
        await Assertions.Expect(page.Locator("#certificate")).ToHaveTextAsync("DE-VN-2026-" + language);
        Assert.Equal(0, await page.Locator("#act").CountAsync());

        // The statistics count it.
        await page.GotoAsync("/customs/statistics?by=port&currency=EUR");
        await Assertions.Expect(page.Locator("#statistics tr[data-key=DEHAM]")).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, $"customs-statistics-{language}");
    }

    /// <summary>An API client for the served (Kestrel) server.</summary>
    private HttpClient Api(string key)
    {
        var client = server.ApiClient(key);
        client.BaseAddress = new Uri(server.BaseUrl);
        return client;
    }

    private static async Task<JsonElement> PostAsync(HttpClient client, string path, object body, bool expectCreated = true)
    {
        var response = await client.PostAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode && (!expectCreated || response.StatusCode == System.Net.HttpStatusCode.Created), $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, "condition not met in time");
            await Task.Delay(100);
        }
    }

    private static async Task<IPage> SignInAsync(IBrowserContext context, TestUser user)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#email", user.Email);
        await page.FillAsync("#password", user.Password);
        await page.ClickAsync("main button[type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(HomePage);
        return page;
    }
}
