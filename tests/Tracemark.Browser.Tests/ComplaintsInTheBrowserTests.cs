using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;
using Tracemark.Server.Complaints;

namespace Tracemark.Browser.Tests;

/// <summary>
/// A notice through its pages, in both languages: a rights holder files it, the platform's reviewer takes the listing
/// down from its queue, the seller answers through its link without an account, the platform forwards the
/// counter-notice, and when the period ends without a lawsuit the sweep restores the listing, on the timeline of all.
/// </summary>
public sealed class ComplaintsInTheBrowserTests(ServedTracemark server, Chromium chromium) : IClassFixture<ServedTracemark>
{
    private static readonly Regex HomePage = new("/$", RegexOptions.None, TimeSpan.FromSeconds(1));
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en", "Notice filed.", "Waiting for review", "Taken down", "Counter-notice received", "Counter-notice forwarded", "Restored")]
    [InlineData("zh-CN", "通知已提交。", "待审核", "已采取措施", "已收到反通知", "反通知已转送", "已恢复")]
    public async Task A_notice_goes_from_filing_to_takedown_to_counter_notice_to_restore(
        string language, string filed, string waiting, string takenDown, string countered, string forwarded, string restored)
    {
        var domain = $"shop-{language.ToLowerInvariant()}.test";
        var holder = await Seed.OrganisationAsync(server, OrganisationKind.RightsHolder, "Zephyr Apparel " + language);
        var platform = await Seed.OrganisationAsync(server, OrganisationKind.Platform, "Bazaar " + language);
        await using (var connection = await server.OpenOwnerConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO complaint_platforms (organisation_id, jurisdiction, domains, updated_at) VALUES (@platform, 'CN', @domains, now())",
                new { platform, domains = new[] { domain } });
        }

        var mark = "Zephyrine" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var right = await RightAsync(holder, mark);
        var holderOfficer = await Seed.UserAsync(server, holder, Role.Officer, language: language);
        var reviewer = await Seed.UserAsync(server, platform, Role.Officer, language: language);
        var title = language == "zh-CN" ? $"{mark} 羽绒服 高仿" : $"{mark} down jacket, replica";

        // The holder files the notice from the form.
        await using var holderContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var page = await SignInAsync(holderContext, holderOfficer);
        await page.ClickAsync("nav a[href='/complaints']");
        await page.ClickAsync("#file-notice");
        await page.SelectOptionAsync("#platform", platform.ToString());
        await page.SelectOptionAsync("#kind", "counterfeit");
        await page.SelectOptionAsync("#right", right.ToString());
        await page.FillAsync("#listing-url", $"https://www.{domain}/item/778899");
        await page.FillAsync("#listing-id", "778899");
        await page.FillAsync("#listing-title", title);
        await page.FillAsync("#seller-id", "shop-88");
        await page.FillAsync("#seller-name", "星光小店");
        await page.FillAsync("#price", "199.00");
        await page.FillAsync("#snapshot", $"{mark} 羽绒服 原单 1:1");
        await page.CheckAsync("#good-faith");
        await page.FillAsync("#signature", "Li Wei 李伟, IP counsel");
        await page.ClickAsync("#file-submit");
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync(filed);
        await Assertions.Expect(page.Locator("#notice-state")).ToHaveTextAsync(waiting);
        await Assertions.Expect(page.Locator("#listings")).ToContainTextAsync(mark);
        await Assertions.Expect(page.Locator("#listings")).ToContainTextAsync("778899");
        var noticeUrl = page.Url;
        await Screenshots.TakeAsync(page, $"complaint-filed-{language}");

        // The platform's reviewer finds it in the queue, with its clock, and removes the listing.
        await using var reviewerContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var review = await SignInAsync(reviewerContext, reviewer);
        await review.ClickAsync("nav a[href='/complaints']");
        await Assertions.Expect(review.Locator("#queue")).ToContainTextAsync(title);
        await Screenshots.TakeAsync(review, $"complaint-queue-{language}");
        await review.ClickAsync($"#queue a:has-text('{mark}')");
        await review.SelectOptionAsync("#measure", "remove");
        await review.FillAsync("#reasons", "Replica of a registered mark. 仿冒注册商标。");
        await review.ClickAsync("#decide-submit");
        await Assertions.Expect(review.Locator("#notice-state")).ToHaveTextAsync(takenDown);
        var link = await review.Locator("#seller-link a").GetAttributeAsync("href");
        Assert.NotNull(link);
        Assert.Contains("/s/sl_", link, StringComparison.Ordinal);

        // The seller opens its link without an account, chooses its language, and answers.
        await using var sellerContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var seller = await sellerContext.NewPageAsync();
        await seller.GotoAsync(link!);
        await seller.SelectOptionAsync("#language-select", language);
        await seller.ClickAsync("form.language button[type=submit]");
        Assert.Equal(language, await seller.GetAttributeAsync("html", "lang"));
        await Assertions.Expect(seller.Locator("#notice-state")).ToHaveTextAsync(takenDown);
        await seller.FillAsync("#statement", "Genuine goods from the brand's distributor. 正品，经销商授权。");
        await seller.FillAsync("#seller-name", "星光小店");
        await seller.FillAsync("#seller-contact", "shop88@example.cn");
        await seller.CheckAsync("#affirmed");
        var posted = await seller.RunAndWaitForResponseAsync(() => seller.ClickAsync("#counter-submit"), r => r.Request.Method == "POST");
        Assert.True(posted.Status is 302 or 303, $"{posted.Url}: {posted.Status}");
        await Assertions.Expect(seller.Locator("#notice-state")).ToHaveTextAsync(countered);
        await Assertions.Expect(seller.Locator("#counter-title")).ToHaveCountAsync(0);
        await Screenshots.TakeAsync(seller, $"complaint-seller-{language}");

        // The platform forwards the counter-notice; the restore date is shown.
        await review.ReloadAsync();
        await review.ClickAsync("#forward-submit");
        await Assertions.Expect(review.Locator("#notice-state")).ToHaveTextAsync(forwarded);
        await Assertions.Expect(review.Locator("#restore-due")).ToBeVisibleAsync();
        var due = DateTimeOffset.Parse(await review.Locator("#restore-due time").GetAttributeAsync("datetime") ?? "", System.Globalization.CultureInfo.InvariantCulture);

        // No lawsuit by then: the sweep restores the listing.
        server.Clock.Set(due.AddMinutes(1));
        await using (var scope = server.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ComplaintSweep>().RunOnceAsync(_ct);
        }

        await using var laterContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var later = await SignInAsync(laterContext, holderOfficer);
        await later.GotoAsync(noticeUrl);
        await Assertions.Expect(later.Locator("#notice-state")).ToHaveTextAsync(restored);
        await Assertions.Expect(later.Locator("#timeline li")).ToHaveCountAsync(6);
        await Assertions.Expect(later.Locator("#timeline li[data-action=restore]")).ToHaveCountAsync(1);
        await Screenshots.TakeAsync(later, $"complaint-restored-{language}");

        // The statistics count it, under the platform's name in the reader's language (the seeded Chinese name carries the id).
        await later.GotoAsync("/complaints/statistics");
        await Assertions.Expect(later.Locator("#stats-by_platform")).ToContainTextAsync(language == "zh-CN" ? platform.ToString("N") : "Bazaar " + language);
        await Screenshots.TakeAsync(later, $"complaint-statistics-{language}");
    }

    [Theory]
    [InlineData("en", "Policy saved.", "On the fast track", "Taken off the fast track.")]
    [InlineData("zh-CN", "规则已保存。", "在快速通道中", "已取消快速通道。")]
    public async Task A_platform_sets_its_policy_and_fast_track_and_a_complainant_sees_its_accuracy(string language, string saved, string onFastTrack, string revoked)
    {
        var holder = await Seed.OrganisationAsync(server, OrganisationKind.RightsHolder, "Quorvane " + language);
        var platform = await Seed.OrganisationAsync(server, OrganisationKind.Platform, "Marketrow " + language);
        await using (var connection = await server.OpenOwnerConnectionAsync())
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO complaint_platforms (organisation_id, jurisdiction, domains, updated_at) VALUES (@platform, 'CN', @domains, now());
                INSERT INTO complaint_fast_track (platform_org_id, complainant_org_id, granted_at) VALUES (@platform, @holder, now());
                """,
                new { platform, holder, domains = new[] { $"row-{language.ToLowerInvariant()}.test" } });
        }

        var admin = await Seed.UserAsync(server, platform, Role.OrgAdmin, language: language);
        var holderOfficer = await Seed.UserAsync(server, holder, Role.Officer, language: language);

        // The platform's administrator tightens its policy; a limit beyond the largest allowed is refused by the server and changes nothing.
        await using var adminContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var page = await SignInAsync(adminContext, admin);
        await page.ClickAsync("nav a[href='/complaints/accountability']");
        await Assertions.Expect(page.Locator("#strike-limit")).ToHaveValueAsync("3");
        await page.FillAsync("#strike-limit", "2");
        await page.FillAsync("#min-upheld", "80");
        await page.ClickAsync("#policy-submit");
        await Assertions.Expect(page.Locator("#flash")).ToHaveTextAsync(saved);
        await Assertions.Expect(page.Locator("#strike-limit")).ToHaveValueAsync("2");
        await Assertions.Expect(page.Locator("#min-upheld")).ToHaveValueAsync("80");
        await page.FillAsync("#strike-limit", "1000000");
        await page.ClickAsync("#policy-submit");
        await Assertions.Expect(page.Locator(".validation")).Not.ToBeEmptyAsync();
        await page.GotoAsync("/complaints/accountability");
        await Assertions.Expect(page.Locator("#strike-limit")).ToHaveValueAsync("2");
        await Assertions.Expect(page.Locator($"#accuracy tr[data-organisation='{holder}'] .fast-track")).ToContainTextAsync(onFastTrack);
        await Screenshots.TakeAsync(page, $"complaint-accountability-platform-{language}");

        // The complainant sees its own standing with that platform, against the platform's new standard.
        await using var holderContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var own = await SignInAsync(holderContext, holderOfficer);
        await own.GotoAsync("/complaints/accountability");
        var row = own.Locator($"#accuracy tr[data-organisation='{platform}']");
        await Assertions.Expect(row.Locator(".fast-track")).ToContainTextAsync(onFastTrack);
        await Assertions.Expect(row).ToContainTextAsync("80 %");
        await Assertions.Expect(own.Locator("#policy")).ToHaveCountAsync(0);

        // The platform takes it off the fast track.
        await page.ClickAsync($"#accuracy tr[data-organisation='{holder}'] button[type=submit]");
        await Assertions.Expect(page.Locator("#flash")).ToHaveTextAsync(revoked);
        await Assertions.Expect(page.Locator($"#accuracy tr[data-organisation='{holder}']")).ToHaveCountAsync(0);
    }

    [Theory]
    [InlineData("en", "Appealed", "Reversed on appeal", "Withdrawn")]
    [InlineData("zh-CN", "申诉中", "申诉后撤销", "已撤回")]
    public async Task A_seller_appeals_through_its_link_the_platform_grants_it_and_a_complainant_withdraws_another_notice(
        string language, string appealed, string reversed, string withdrawn)
    {
        var domain = $"appeal-{language.ToLowerInvariant()}.test";
        var holder = await Seed.OrganisationAsync(server, OrganisationKind.RightsHolder, "Veltrane " + language);
        var platform = await Seed.OrganisationAsync(server, OrganisationKind.Platform, "Stallway " + language);
        await using (var connection = await server.OpenOwnerConnectionAsync())
        {
            await connection.ExecuteAsync(
                "INSERT INTO complaint_platforms (organisation_id, jurisdiction, domains, updated_at) VALUES (@platform, 'CN', @domains, now())",
                new { platform, domains = new[] { domain } });
        }

        var mark = "Veltranix" + Random.Shared.Next(1000, 9999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var right = await RightAsync(holder, mark);
        using var holderApi = await ApiAsync(holder);
        using var platformApi = await ApiAsync(platform);
        var appealedNotice = await FileAsync(holderApi, platform, right, domain, "A-1", mark);
        var withdrawnNotice = await FileAsync(holderApi, platform, right, domain, "A-2", mark);
        var decision = await PostAsync(platformApi, $"/api/v1/complaints/notices/{appealedNotice}/decision", new { measure = "remove", reasons = "Counterfeit." });
        var link = decision.GetProperty("sellerLink").GetProperty("path").GetString()!;

        // The seller appeals the takedown through its link, without an account.
        await using var sellerContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl, Locale = language });
        var seller = await sellerContext.NewPageAsync();
        await seller.GotoAsync(link);
        await seller.FillAsync("#appeal-reasons", "The jacket is from the brand's own outlet; invoice attached to the counter-notice.");
        await seller.ClickAsync("#appeal-submit");
        await Assertions.Expect(seller.Locator("#notice-state")).ToHaveTextAsync(appealed);
        await Assertions.Expect(seller.Locator("#appeal-submit")).ToHaveCountAsync(0);

        // The platform's reviewer grants the appeal from the notice's page: the measure is reversed.
        var reviewer = await Seed.UserAsync(server, platform, Role.Officer, language: language);
        await using var reviewContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var review = await SignInAsync(reviewContext, reviewer);
        await review.GotoAsync($"/complaints/{appealedNotice}");
        await review.CheckAsync("section[aria-labelledby=appeal-decide-title] input[name=Granted][value=true]");
        await review.FillAsync("section[aria-labelledby=appeal-decide-title] textarea", "The invoice matches the brand's outlet.");
        await review.ClickAsync("section[aria-labelledby=appeal-decide-title] button[type=submit]");
        await Assertions.Expect(review.Locator("#notice-state")).ToHaveTextAsync(reversed);

        // The complainant withdraws its other notice from that notice's page.
        var holderOfficer = await Seed.UserAsync(server, holder, Role.Officer, language: language);
        await using var holderContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var own = await SignInAsync(holderContext, holderOfficer);
        await own.GotoAsync($"/complaints/{withdrawnNotice}");
        await own.ClickAsync("form[action*='handler=Withdraw'] button");
        await Assertions.Expect(own.Locator("#notice-state")).ToHaveTextAsync(withdrawn);
        await Assertions.Expect(own.Locator("form[action*='handler=Withdraw']")).ToHaveCountAsync(0);
    }

    private async Task<HttpClient> ApiAsync(Guid organisation)
    {
        var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await Seed.ApiKeyAsync(server, organisation, [ApiScopes.Read, ApiScopes.Write], server.Clock.GetUtcNow().AddYears(5)));
        return http;
    }

    private async Task<Guid> FileAsync(HttpClient http, Guid platform, Guid right, string domain, string listing, string mark)
    {
        var notice = new
        {
            platformId = platform,
            kind = "counterfeit",
            rightIds = new[] { right },
            listings = new[] { new { listingId = listing, url = $"https://www.{domain}/item/{listing}", sellerId = "shop-" + listing, sellerName = "星光小店", title = mark + " down jacket", price = 199.00m, currency = "CNY", snapshotText = mark + " 羽绒服 原单" } },
            goodFaith = true,
            signature = "Legal department",
        };
        return (await PostAsync(http, "/api/v1/complaints/notices", notice)).GetProperty("id").GetGuid();
    }

    private async Task<JsonElement> PostAsync(HttpClient http, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await http.SendAsync(request, _ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(_ct));
        return await response.Content.ReadFromJsonAsync<JsonElement>(_ct);
    }

    private async Task<Guid> RightAsync(Guid holder, string mark)
    {
        using var http = await ApiAsync(holder);
        var body = new { type = "trademark", jurisdiction = "CN", number = Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture), name = mark, classes = new[] { 25 }, filed = "2019-01-10", registered = "2020-02-20", expires = "2034-02-19", status = "registered", distribution = "organisation" };
        var response = await http.PostAsJsonAsync("/api/v1/rights", body, _ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(_ct));
        return (await response.Content.ReadFromJsonAsync<JsonElement>(_ct)).GetProperty("id").GetGuid();
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
