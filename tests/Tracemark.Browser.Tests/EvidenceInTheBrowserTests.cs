using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Dapper;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;
using Tracemark.Ledger;

namespace Tracemark.Browser.Tests;

/// <summary>
/// Evidence through its pages, in both languages: a customs officer attaches a photo to an alert, sees the chain of
/// custody with its ledger leaves, waits for the node's signature, downloads the receipt (which verifies offline
/// against the node's published key) and hands the evidence to the police.
/// </summary>
public sealed class EvidenceInTheBrowserTests(ServedTracemark server, Chromium chromium) : IClassFixture<ServedTracemark>
{
    private static readonly Regex HomePage = new("/$", RegexOptions.None, TimeSpan.FromSeconds(1));
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("en", "Evidence uploaded; its collection and upload are in the ledger.", "Collected", "Uploaded", "Anyone can check, offline", "Recorded in the chain of custody and the ledger.", "Transferred")]
    [InlineData("zh-CN", "证据已上传，其收集和上传已记入账本。", "收集", "上传", "任何人都可以离线验证", "已记入保管链和账本。", "移交")]
    public async Task An_officer_attaches_evidence_to_an_alert_sees_its_custody_downloads_a_receipt_that_verifies_and_hands_it_over(
        string language, string uploaded, string collectedKind, string uploadedKind, string instructions, string recorded, string transferredKind)
    {
        var customs = await Seed.OrganisationAsync(server, OrganisationKind.Customs, "Eastport Customs " + language);
        var police = await Seed.OrganisationAsync(server, OrganisationKind.Police, "Lanshan Police " + language);
        var officer = await Seed.UserAsync(server, customs, Role.Officer, language: language);
        var alert = await AlertAsync(customs);
        var photo = TestImages.Png(180, 20, 20, width: 24, height: 16);
        var fileName = language == "zh-CN" ? "扣押药品.png" : "seized-tablets.png";

        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl, AcceptDownloads = true });
        var page = await SignInAsync(context, officer);
        await page.GotoAsync($"/alerts/{alert}");
        await page.ClickAsync("#add-evidence");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = fileName, MimeType = "image/png", Buffer = photo });
        await page.FillAsync("#collected-by", "Officer Lin Qiao 林乔");
        await page.FillAsync("#collected-at", "2026-03-01T14:30");
        await page.FillAsync("#collected-where", "Express Mail Centre, bay 2 快件监管中心 2 号台");
        await page.FillAsync("#collection-method", "Photographed beside seal EX-004417");
        await page.ClickAsync("main form button[type=submit]");

        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync(uploaded);
        await Assertions.Expect(page.Locator("#evidence-name")).ToHaveTextAsync(fileName);
        await Assertions.Expect(page.Locator("#sha256")).ToHaveTextAsync(Convert.ToHexStringLower(SHA256.HashData(photo)));
        await Assertions.Expect(page.Locator("#custody tbody tr")).ToHaveCountAsync(2);
        await Assertions.Expect(page.Locator("#custody tbody tr >> nth=0")).ToContainTextAsync(collectedKind);
        await Assertions.Expect(page.Locator("#custody tbody tr >> nth=0")).ToContainTextAsync("2026-03-01 14:30:00 UTC");
        await Assertions.Expect(page.Locator("#custody tbody tr >> nth=1")).ToContainTextAsync(uploadedKind);
        await Assertions.Expect(page.Locator("#verification")).ToContainTextAsync(instructions);
        await Assertions.Expect(page.Locator("#verification")).ToContainTextAsync($"tracemark verify --receipt receipt-");
        var evidenceUrl = page.Url;

        // The node signs within seconds; until then the page says the receipt is on its way.
        var waited = Stopwatch.StartNew();
        while (await page.Locator("#receipt").CountAsync() == 0)
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "no receipt within 10 s");
            await Task.Delay(300, _ct);
            await page.ReloadAsync();
        }

        await Screenshots.TakeAsync(page, $"evidence-{language}");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#receipt"));
        Assert.StartsWith("receipt-", download.SuggestedFilename, StringComparison.Ordinal);
        var receipt = Receipt.FromJson(await File.ReadAllTextAsync(await download.PathAsync(), _ct));
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl) };
        using var key = LedgerKey.FromPem(await http.GetStringAsync("/api/v1/ledger/public-key", _ct));
        var report = receipt.Verify(key, SHA256.HashData(photo));
        Assert.True(report.AllHold, report.Failure?.Description);
        await Assertions.Expect(page.Locator("#fingerprint")).ToHaveTextAsync(key.Fingerprint);

        // The alert shows its evidence.
        await page.GotoAsync($"/alerts/{alert}");
        await Assertions.Expect(page.Locator("#record-evidence")).ToContainTextAsync(fileName);

        // Handing it to the police is one more leaf, and the police hold it now.
        await page.GotoAsync(evidenceUrl);
        await page.SelectOptionAsync("#kind", "transferred");
        await page.SelectOptionAsync("#counterparty", police.ToString());
        await page.FillAsync("#note", "Transfer form T-17 移交单");
        await page.ClickAsync("section form button[type=submit]");
        await Assertions.Expect(page.Locator("p.notice")).ToHaveTextAsync(recorded);
        await Assertions.Expect(page.Locator("#custody tbody tr")).ToHaveCountAsync(3);
        await Assertions.Expect(page.Locator("#custody tbody tr >> nth=2")).ToContainTextAsync(transferredKind);
        await Assertions.Expect(page.Locator("#custodian")).ToHaveTextAsync(language == "zh-CN" ? "测试机构 " + police.ToString("N") : "Lanshan Police " + language);
        Assert.Equal(0, await page.Locator("#kind").CountAsync());
    }

    [Fact]
    public async Task A_bad_upload_is_shown_on_the_form_in_the_readers_language_and_nothing_is_kept()
    {
        var customs = await Seed.OrganisationAsync(server, OrganisationKind.Customs);
        var officer = await Seed.UserAsync(server, customs, Role.Officer, language: "zh-CN");
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = server.BaseUrl });
        var page = await SignInAsync(context, officer);

        await page.GotoAsync("/evidence/new");
        await page.SetInputFilesAsync("#file", new FilePayload { Name = "notes.png", MimeType = "image/png", Buffer = "not a picture"u8.ToArray() });
        await page.FillAsync("#collected-at", "2027-01-01T00:00");
        await page.ClickAsync("main form button[type=submit]");

        var errors = page.Locator(".validation");
        await Assertions.Expect(errors).ToContainTextAsync("字段“collectedAt”：不能晚于当前时间");
        Assert.Equal("2027-01-01T00:00", await page.InputValueAsync("#collected-at"));
        await using var owner = await server.OpenOwnerConnectionAsync();
        Assert.Equal(0, await owner.ExecuteScalarAsync<long>("SELECT count(*) FROM evidence_items WHERE owner_org_id = @customs", new { customs }));
    }

    private async Task<Guid> AlertAsync(Guid owner)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await server.OpenOwnerConnectionAsync();
        await connection.ExecuteAsync(
            """
            INSERT INTO alerts (id, owner_org_id, origin_node_id, distribution, title, body, severity, created_at, updated_at)
            VALUES (@id, @owner, (SELECT id FROM nodes WHERE is_local), 'node', 'Counterfeit tablets 假冒药品', 'Blister packs with misprinted batch codes.', 'high', now(), now())
            """,
            new { id, owner });
        return id;
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
