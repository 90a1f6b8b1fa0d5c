using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Accounts;
using Tracemark.Server.Organisations;
using Tracemark.Server.Platform.Demo;

namespace Tracemark.Server.Tests.Demo;

public sealed class DemoDataTests(DemoDataTests.DemoFactory factory) : IClassFixture<DemoDataTests.DemoFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_credentials_file_lists_every_demo_organisation_with_a_working_key_and_people_who_can_sign_in()
    {
        var path = Path.Combine(factory.DataFolder, "demo-credentials.json");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        using var file = JsonDocument.Parse(await File.ReadAllTextAsync(path, _ct));
        var organisations = file.RootElement.GetProperty("organisations").EnumerateArray().ToList();
        Assert.Equal(13, organisations.Count);
        Assert.Equal(3, organisations.Count(o => o.GetProperty("kind").GetString() == "rights_holder"));
        Assert.Contains(organisations, o => o.GetProperty("kind").GetString() == "foreign_partner");

        foreach (var organisation in organisations)
        {
            var me = await factory.ApiClient(organisation.GetProperty("apiKey").GetString()!).GetFromJsonAsync<JsonElement>("/api/v1/me", _ct);
            Assert.Equal(organisation.GetProperty("kind").GetString(), me.GetProperty("organisationKind").GetString());
        }

        var customs = organisations.Single(o => o.GetProperty("kind").GetString() == "customs");
        var officer = customs.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("role").GetString() == "officer");
        var client = await factory.SignedInClientAsync(new TestUser(Guid.Empty, Guid.Empty, officer.GetProperty("email").GetString()!, officer.GetProperty("password").GetString()!, Role.Officer, false));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me", _ct)).StatusCode);
        Assert.Contains(organisations.SelectMany(o => o.GetProperty("users").EnumerateArray()), u => u.GetProperty("platformAdmin").GetBoolean());
    }

    [Fact]
    public async Task The_demo_alerts_show_who_sees_what()
    {
        using var file = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(factory.DataFolder, "demo-credentials.json"), _ct));
        string Key(string kind) => file.RootElement.GetProperty("organisations").EnumerateArray().First(o => o.GetProperty("kind").GetString() == kind).GetProperty("apiKey").GetString()!;

        async Task<List<string>> TitlesAsync(string kind) =>
            (await factory.ApiClient(Key(kind)).GetFromJsonAsync<JsonElement>("/api/v1/alerts", _ct)).GetProperty("items").EnumerateArray().Select(a => a.GetProperty("distribution").GetString()!).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["node", "organisation", "partners", "public"], await TitlesAsync("police"));
        Assert.Equal(["node", "partners", "public"], await TitlesAsync("customs"));
        Assert.Equal(["partners", "public"], await TitlesAsync("foreign_partner"));
    }

    [Fact]
    public async Task The_demo_rights_are_found_in_both_languages_their_guides_reach_enforcement_only_and_a_renewal_is_due()
    {
        using var file = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(factory.DataFolder, "demo-credentials.json"), _ct));
        HttpClient Client(string kind) => factory.ApiClient(file.RootElement.GetProperty("organisations").EnumerateArray().First(o => o.GetProperty("kind").GetString() == kind).GetProperty("apiKey").GetString()!);

        var customs = Client("customs");
        foreach (var query in new[] { "北风", "北風", "Northwnd", "鷹溪", "Calmivo", "绿原" })
        {
            var found = await customs.GetFromJsonAsync<JsonElement>("/api/v1/rights?q=" + Uri.EscapeDataString(query), _ct);
            Assert.True(found.GetProperty("items").GetArrayLength() > 0, query);
        }

        Assert.Equal(3, (await customs.GetFromJsonAsync<JsonElement>("/api/v1/guides", _ct)).GetArrayLength());
        Assert.Equal(0, (await Client("platform").GetFromJsonAsync<JsonElement>("/api/v1/guides", _ct)).GetArrayLength());

        await using (var scope = factory.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<Tracemark.Server.Notifications.NotificationDispatcher>().RunOnceAsync(_ct);
        }

        var eaglebrook = OrganisationDemo.ByKey("eaglebrook");
        var inbox = await factory.ApiClient(file.RootElement.GetProperty("organisations").EnumerateArray().First(o => o.GetProperty("name").GetString() == eaglebrook.NameEn).GetProperty("apiKey").GetString()!)
            .GetFromJsonAsync<JsonElement>("/api/v1/notifications", _ct);
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "recordation.expiring");
    }

    [Fact]
    public async Task The_demo_evidence_has_its_chain_of_custody_and_a_receipt_that_verifies()
    {
        using var file = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(factory.DataFolder, "demo-credentials.json"), _ct));
        HttpClient Client(string kind) => factory.ApiClient(file.RootElement.GetProperty("organisations").EnumerateArray().First(o => o.GetProperty("kind").GetString() == kind).GetProperty("apiKey").GetString()!);
        async Task<List<JsonElement>> EvidenceAsync(string kind) =>
            [.. (await Client(kind).GetFromJsonAsync<JsonElement>("/api/v1/evidence", _ct)).GetProperty("items").EnumerateArray()];

        // The tablets' photo follows the node-wide alert; the waybill's goes only where it was disclosed.
        Assert.Equal(2, (await EvidenceAsync("customs")).Count);
        Assert.Equal(2, (await EvidenceAsync("police")).Count);
        Assert.Equal(["EX2026-0117-blister-packs.png"], (await EvidenceAsync("platform")).Select(e => e.GetProperty("originalName").GetString()));
        Assert.Empty(await EvidenceAsync("foreign_partner"));

        var police = Client("police");
        var blisters = (await EvidenceAsync("police")).Single(e => e.GetProperty("originalName").GetString() == "EX2026-0117-blister-packs.png");
        var item = await police.GetFromJsonAsync<JsonElement>("/api/v1/evidence/" + blisters.GetProperty("id").GetString(), _ct);
        Assert.Equal(
            ["collected", "uploaded", "viewed", "disclosed", "sampled", "transferred", "viewed"],
            item.GetProperty("custody").EnumerateArray().Select(c => c.GetProperty("kind").GetString()));
        Assert.Equal(OrganisationDemo.ByKey("police").Id.ToString(), item.GetProperty("custodian").GetProperty("id").GetString());

        // The signer runs as in `tracemark serve`: within seconds the receipt is there and checks out.
        var sha = item.GetProperty("sha256").GetString()!;
        HttpResponseMessage receipt;
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while ((receipt = await police.GetAsync($"/api/v1/evidence/{sha}/receipt", _ct)).StatusCode == HttpStatusCode.Conflict && waited.Elapsed < TimeSpan.FromSeconds(10))
        {
            await Task.Delay(200, _ct);
        }

        using var key = Tracemark.Ledger.LedgerKey.FromPem(await factory.CreateClient().GetStringAsync("/api/v1/ledger/public-key", _ct));
        var report = Tracemark.Ledger.Receipt.FromJson(await receipt.Content.ReadAsStringAsync(_ct)).Verify(key, Convert.FromHexString(sha));
        Assert.True(report.AllHold, report.Failure?.Description);
    }

    [Fact]
    public async Task Loading_again_is_a_no_op_and_forcing_it_doubles_nothing()
    {
        var loader = factory.Services.GetRequiredService<DemoLoader>();
        Assert.False(await loader.LoadAsync(_ct));
        Assert.True(await loader.LoadAsync(_ct, force: true));

        await using var connection = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(13, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM organisations"));
        Assert.Equal(4, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM alerts"));
        Assert.Equal(13, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM api_keys WHERE revoked_at IS NULL"));
        Assert.Equal(10, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM rights"));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM guides"));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM recordations"));
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM evidence_items"));
        Assert.Equal(10, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM custody_events"));
        Assert.Equal(await connection.ExecuteScalarAsync<long>("SELECT count(DISTINCT normalized_email) FROM users"), await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users"));
    }

    public sealed class DemoFactory : TracemarkFactory
    {
        protected override IDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Tracemark:Demo"] = "true" };

        public override async ValueTask InitializeAsync()
        {
            await base.InitializeAsync();

            // Starting the host runs the demo loader, as `tracemark serve --demo` does.
            _ = Services;
        }
    }
}
