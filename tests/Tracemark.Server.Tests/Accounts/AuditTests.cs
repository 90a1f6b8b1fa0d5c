using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Accounts;

public sealed class AuditTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Reads_of_restricted_records_and_changes_are_audited_with_who_where_and_what_changed()
    {
        var owner = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var reader = await Seed.OrganisationAsync(factory, OrganisationKind.Police);
        var stranger = await Seed.OrganisationAsync(factory, OrganisationKind.MarketRegulator);
        var ownerAdmin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, owner, Role.OrgAdmin));
        var readerUser = await Seed.UserAsync(factory, reader, Role.Officer);
        var readerClient = await factory.SignedInClientAsync(readerUser);
        var strangerAdmin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, stranger, Role.OrgAdmin));

        var created = await (await ownerAdmin.PostAsync("/api/v1/alerts", Json("""{"title":"t","body":"b","distribution":"organisation"}"""), _ct)).Content.ReadFromJsonAsync<JsonElement>(_ct);
        var id = created.GetProperty("id").GetString();
        await ownerAdmin.PatchAsync($"/api/v1/alerts/{id}", Json("""{"distribution":"node"}"""), _ct);
        Assert.Equal(HttpStatusCode.OK, (await readerClient.GetAsync($"/api/v1/alerts/{id}", _ct)).StatusCode);

        var trail = await EntriesAsync(ownerAdmin, $"recordType=alert&recordId={id}");
        Assert.Equal(["alert.read", "alert.widen", "alert.create"], trail.Select(e => e.GetProperty("action").GetString()));
        var read = trail[0];
        Assert.Equal(readerUser.Id, read.GetProperty("userId").GetGuid());
        Assert.Equal(reader, read.GetProperty("organisationId").GetGuid());
        Assert.False(string.IsNullOrEmpty(read.GetProperty("sessionId").GetString()));
        var widen = trail[1];
        Assert.Equal("organisation", widen.GetProperty("before").GetProperty("distribution").GetString());
        Assert.Equal("node", widen.GetProperty("after").GetProperty("distribution").GetString());

        Assert.Empty(await EntriesAsync(strangerAdmin, $"recordType=alert&recordId={id}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await readerClient.GetAsync("/api/v1/audit", _ct)).StatusCode);

        var platformAdmin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, stranger, Role.Viewer, platformAdmin: true));
        Assert.Equal(3, (await EntriesAsync(platformAdmin, $"recordType=alert&recordId={id}")).Count);
    }

    [Fact]
    public async Task Public_records_are_not_audited_on_read_but_listing_restricted_ones_is()
    {
        var owner = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, owner, Role.OrgAdmin));
        var created = await (await admin.PostAsync("/api/v1/alerts", Json("""{"title":"public","body":"b","distribution":"public"}"""), _ct)).Content.ReadFromJsonAsync<JsonElement>(_ct);
        var id = created.GetProperty("id").GetString();
        await admin.GetAsync($"/api/v1/alerts/{id}", _ct);
        Assert.DoesNotContain(await EntriesAsync(admin, $"recordType=alert&recordId={id}"), e => e.GetProperty("action").GetString() == "alert.read");

        await admin.PostAsync("/api/v1/alerts", Json("""{"title":"private","body":"b"}"""), _ct);
        await admin.GetAsync("/api/v1/alerts", _ct);
        Assert.Contains(await EntriesAsync(admin, "recordType=alert"), e => e.GetProperty("action").GetString() == "alert.list");
    }

    [Fact]
    public async Task Sign_ins_are_audited()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var user = await Seed.UserAsync(factory, organisation, Role.OrgAdmin);
        var admin = await factory.SignedInClientAsync(user);
        var entries = await EntriesAsync(admin, $"userId={user.Id}");
        Assert.Contains(entries, e => e.GetProperty("action").GetString() == "session.sign_in");
        await EntriesAsync(admin, "from=not-a-date", HttpStatusCode.BadRequest);
    }

    private async Task<List<JsonElement>> EntriesAsync(HttpClient client, string query, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.GetAsync("/api/v1/audit?" + query, _ct);
        Assert.Equal(expected, response.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            return [];
        }

        var page = await response.Content.ReadFromJsonAsync<JsonElement>(_ct);
        return page.GetProperty("items").EnumerateArray().Select(e => e.Clone()).ToList();
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
