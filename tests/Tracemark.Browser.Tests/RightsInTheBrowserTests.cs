using System.Text.RegularExpressions;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;

namespace Tracemark.Browser.Tests;

/// <summary>
/// The registry through its pages, in both languages: a rights holder records a trademark with a Chinese
/// and an English name and writes an identification guide with a picture; a customs officer finds it by its
/// Chinese name, by the other script's form and by a misspelt English name, and sees the guide; a platform's
/// officer sees the right but not the guide.
/// </summary>
public sealed class RightsInTheBrowserTests(ServedTracemark server, Chromium chromium) : IClassFixture<ServedTracemark>
{
    private static readonly Regex HomePage = new("/$", RegexOptions.None, TimeSpan.FromSeconds(1));

    [Theory]
    [InlineData("en", "Quillfeather", "鹰羽", "鷹羽", "Quilfether", "31500001", "Right recorded.", "Identification guide saved.", "No identification guide you may see.")]
    [InlineData("zh-CN", "Skylarkton", "云雀峰", "雲雀峰", "Skylarktn", "31500002", "权利已登记。", "识别指南已保存。", "没有您可查看的识别指南。")]
    public async Task A_holder_records_a_mark_and_its_guide_customs_finds_it_in_either_script_or_misspelt_and_a_platform_sees_no_guide(
        string language, string name, string nameZh, string otherScript, string misspelt, string number, string recorded, string guideSaved, string noGuide)
    {
        var holder = await Seed.UserAsync(server, await Seed.OrganisationAsync(server, OrganisationKind.RightsHolder, "Holder " + language), Role.Officer, language: language);
        var customs = await Seed.UserAsync(server, await Seed.OrganisationAsync(server, OrganisationKind.Customs, "Customs " + language), Role.Officer, language: language);
        var platform = await Seed.UserAsync(server, await Seed.OrganisationAsync(server, OrganisationKind.Platform, "Platform " + language), Role.Officer, language: language);

        // The holder records the mark.
        await using var holderContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var page = await SignInAsync(holderContext, holder);
        Assert.Equal(language, await page.GetAttributeAsync("html", "lang"));
        await page.ClickAsync("nav a[href='/rights']");
        await page.ClickAsync("#record-right");
        await page.SelectOptionAsync("#type", "trademark");
        await page.FillAsync("#jurisdiction", "cn");
        await page.FillAsync("#number", number);
        await page.FillAsync("#name", name);
        await page.FillAsync("#name-zh", nameZh);
        await page.FillAsync("#classes", "25；18");
        await page.FillAsync("#goods", "25: jackets, footwear 夹克、鞋");
        await page.FillAsync("#filed", "2019-03-12");
        await page.FillAsync("#registered", "2020-06-21");
        await page.FillAsync("#expires", "2030-06-20");
        await page.SetInputFilesAsync("#image", new FilePayload { Name = "mark.png", MimeType = "image/png", Buffer = TestImages.Png(20, 90, 160, 64, 32) });
        await page.ClickAsync("main form button[type=submit]");
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync(recorded);
        await Assertions.Expect(page.Locator("#right-name")).ToContainTextAsync(nameZh);
        await Assertions.Expect(page.Locator("#right-name")).ToContainTextAsync(name);
        Assert.True(await LoadedAsync(page, "#mark-image"));
        var rightUrl = page.Url;

        // … and writes its identification guide with a picture.
        await page.ClickAsync("#new-guide");
        await page.FillAsync("#guide-title", $"{name} jackets {nameZh}夹克");
        await page.FillAsync("#genuine", "Laser-etched serial on the neck label 领标激光刻印序列号\nEight-point compass on zip pullers 拉链头八角罗盘");
        await page.FillAsync("#fake", "Serial printed in ink 序列号为油墨印刷");
        await page.FillAsync("#parties", "进口商 | Quill Europe B.V. | Rotterdam | NL");
        await page.FillAsync("#prices", "jacket | 899 | 1299 | CNY | piece");
        await page.SetInputFilesAsync("#picture", new FilePayload { Name = "label.png", MimeType = "application/octet-stream", Buffer = TestImages.Png(200, 160, 40, 48, 48) });
        await page.FillAsync("#picture-caption", "Neck label 领标");
        await page.ClickAsync("main form button[type=submit]");
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync(guideSaved);
        await Assertions.Expect(page.Locator(".guide ul.genuine")).ToContainTextAsync("领标激光刻印序列号");
        Assert.True(await LoadedAsync(page, ".guide .pictures img"));
        var guideUrl = page.Url;
        await Screenshots.TakeAsync(page, $"guide-{language}");

        // A customs officer finds it by the Chinese name, by the other script and by a misspelling, and sees the guide.
        await using var customsContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var officer = await SignInAsync(customsContext, customs);
        await officer.ClickAsync("nav a[href='/rights']");
        foreach (var query in new[] { nameZh, otherScript, misspelt })
        {
            await officer.FillAsync("#q", query);
            await officer.ClickAsync("#search");
            await Assertions.Expect(officer.Locator("#rights tbody tr").First).ToContainTextAsync(name);
        }

        await Screenshots.TakeAsync(officer, $"rights-search-{language}");
        await officer.ClickAsync("#rights tbody tr >> nth=0 >> a");
        await Assertions.Expect(officer.Locator("#right-name")).ToContainTextAsync(nameZh);
        await Assertions.Expect(officer.Locator("#guides .guide ul.genuine")).ToContainTextAsync("Laser-etched serial");
        await Assertions.Expect(officer.Locator("#guides .guide ul.fake")).ToContainTextAsync("序列号为油墨印刷");
        Assert.True(await LoadedAsync(officer, "#guides .guide .pictures img"));
        Assert.Equal(0, await officer.Locator("#new-guide").CountAsync());
        await Screenshots.TakeAsync(officer, $"right-{language}");

        // A platform's officer sees the right but not its guide, not even by the guide's address.
        await using var platformContext = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var seller = await SignInAsync(platformContext, platform);
        var rightPage = await seller.GotoAsync(rightUrl);
        Assert.Equal(200, rightPage!.Status);
        await Assertions.Expect(seller.Locator("#right-name")).ToContainTextAsync(name);
        Assert.Equal(0, await seller.Locator(".guide").CountAsync());
        await Assertions.Expect(seller.Locator("#guides")).ToContainTextAsync(noGuide);
        var guidePage = await seller.GotoAsync(guideUrl);
        Assert.Equal(404, guidePage!.Status);
    }

    [Fact]
    public async Task A_bad_right_is_shown_on_the_form_in_the_readers_language_and_nothing_is_recorded()
    {
        var holder = await Seed.UserAsync(server, await Seed.OrganisationAsync(server, OrganisationKind.RightsHolder), Role.Officer, language: "zh-CN");
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var page = await SignInAsync(context, holder);

        await page.GotoAsync("/rights/new");
        await page.FillAsync("#jurisdiction", "XX");
        await page.FillAsync("#number", "31500099");
        await page.FillAsync("#name", "Badmark");
        await page.FillAsync("#classes", "25; 46");
        await page.FillAsync("#filed", "2021-01-01");
        await page.FillAsync("#registered", "2020-01-01");
        await page.ClickAsync("main form button[type=submit]");

        var errors = page.Locator(".validation");
        await Assertions.Expect(errors).ToContainTextAsync("“XX”既不是国家或地区代码");
        await Assertions.Expect(errors).ToContainTextAsync("46 不是尼斯分类类别");
        await Assertions.Expect(errors).ToContainTextAsync("不得早于filed");
        Assert.Equal("Badmark", await page.InputValueAsync("#name"));
    }

    private static async Task<bool> LoadedAsync(IPage page, string selector)
    {
        var image = page.Locator(selector).First;
        await Assertions.Expect(image).ToBeVisibleAsync();
        await image.EvaluateAsync("img => img.decode()");
        return await image.EvaluateAsync<int>("img => img.naturalWidth") > 0;
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
