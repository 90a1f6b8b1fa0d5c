using System.Text.RegularExpressions;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;

namespace Tracemark.Browser.Tests;

/// <summary>A person signs in, creates an alert and shares it more widely, by clicking through the real pages, in both languages.</summary>
public sealed class AlertsInTheBrowserTests(ServedTracemark server, Chromium chromium) : IClassFixture<ServedTracemark>
{
    private static readonly Regex HomePage = new("/$", RegexOptions.None, TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData("en", "Sign in", "New alert", "Alert created.", "All organisations on this node", "The alert is now shared more widely.")]
    [InlineData("zh-CN", "登录", "新建预警", "预警已创建。", "本节点所有机构", "预警的共享范围已扩大。")]
    public async Task An_officer_signs_in_creates_an_alert_and_widens_it(string language, string signIn, string newAlert, string created, string nodeWide, string widened)
    {
        var customs = await Seed.OrganisationAsync(server, OrganisationKind.Customs, "Eastport Customs " + language);
        var officer = await Seed.UserAsync(server, customs, Role.Officer);
        var police = await Seed.UserAsync(server, await Seed.OrganisationAsync(server, OrganisationKind.Police), Role.Officer);
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US", BaseURL = server.BaseUrl });
        var page = await context.NewPageAsync();

        // Choose the language with the switcher, as a visitor would, before signing in.
        await page.GotoAsync("/login");
        await page.SelectOptionAsync("#language-select", language);
        await page.ClickAsync("form.language button[type=submit]");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(signIn);
        Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));

        await page.FillAsync("#email", officer.Email);
        await page.FillAsync("#password", officer.Password);
        await page.ClickAsync("main button[type=submit]");
        await Assertions.Expect(page).ToHaveURLAsync(HomePage);

        await page.ClickAsync("nav a[href='/alerts']");
        await page.ClickAsync($"text={newAlert}");
        var title = language == "zh-CN" ? "快件夹带假冒降压药" : "Counterfeit tablets in express parcels";
        await page.FillAsync("#title", title);
        await page.FillAsync("#body", "Blister packs with misprinted batch codes. 批号印刷错误。");
        await page.FillAsync("#origin", "cn，de");
        await page.SelectOptionAsync("#severity", "high");
        await page.ClickAsync("main form button[type=submit]");

        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync(created);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(title);
        await Assertions.Expect(page.Locator("dl.facts")).ToContainTextAsync("CN, DE");
        var alertUrl = page.Url;

        // Someone from another organisation cannot see it yet.
        await using var policeContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var policePage = await SignInAsync(policeContext, police);
        var hidden = await policePage.GotoAsync(alertUrl);
        Assert.Equal(404, hidden!.Status);

        // Widen it to the whole node; the other organisation now sees it.
        await page.CheckAsync("input[name=Distribution][value=node]");
        await page.ClickAsync("section form button[type=submit]");
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync(widened);
        await Assertions.Expect(page.Locator("#distribution")).ToHaveTextAsync(nodeWide);
        Assert.Equal(0, await page.Locator("input[name=Distribution][value=organisation]").CountAsync());

        var visible = await policePage.GotoAsync(alertUrl);
        Assert.Equal(200, visible!.Status);
        await Assertions.Expect(policePage.Locator("h1")).ToHaveTextAsync(title);

        await Screenshots.TakeAsync(page, $"alert-{language}");
        await page.GotoAsync("/alerts");
        await Screenshots.TakeAsync(page, $"alerts-{language}");
    }

    [Fact]
    public async Task Bad_input_is_shown_on_the_form_in_the_readers_language_and_nothing_is_created()
    {
        var officer = await Seed.UserAsync(server, await Seed.OrganisationAsync(server, OrganisationKind.Customs), Role.Officer, language: "zh-CN");
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var page = await SignInAsync(context, officer);

        await page.GotoAsync("/alerts/new");
        await page.FillAsync("#body", "没有标题");
        await page.FillAsync("#origin", "XX");
        await page.ClickAsync("main form button[type=submit]");

        var errors = page.Locator(".validation");
        await Assertions.Expect(errors).ToContainTextAsync("字段“title”：为必填项。");
        await Assertions.Expect(errors).ToContainTextAsync("“XX”不是 ISO 3166 国家代码");
        Assert.Equal("没有标题", await page.InputValueAsync("#body"));
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
