using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Alerts;

/// <summary>Who sees an alert at each distribution level, through the API, and that the owner can widen but never narrow.</summary>
public sealed class AlertVisibilityTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Another_organisation_cannot_read_list_change_or_infer_an_organisation_level_alert_and_sees_it_once_widened()
    {
        var (a, b) = (await OrgAsync(OrganisationKind.Customs), await OrgAsync(OrganisationKind.Police));
        var id = await CreateAsync(a.Client, """{"title":"Seizure pattern 假冒降压药","body":"Express parcels","severity":"high"}""");

        var hidden = await b.Client.GetAsync($"/api/v1/alerts/{id}", _ct);
        var absent = await b.Client.GetAsync($"/api/v1/alerts/{Guid.CreateVersion7()}", _ct);
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal(ProblemShape(await absent.Content.ReadAsStringAsync(_ct)), ProblemShape(await hidden.Content.ReadAsStringAsync(_ct)));
        Assert.DoesNotContain(id.ToString(), await b.Client.GetStringAsync("/api/v1/alerts?limit=200", _ct), StringComparison.Ordinal);
        Assert.DoesNotContain(id.ToString(), await b.Client.GetStringAsync("/api/v1/alerts?q=%E5%81%87%E5%86%92", _ct), StringComparison.Ordinal);
        var change = await b.Client.PatchAsync($"/api/v1/alerts/{id}", Json("""{"title":"mine now"}"""), _ct);
        Assert.Equal(HttpStatusCode.NotFound, change.StatusCode);
        var widenByStranger = await b.Client.PatchAsync($"/api/v1/alerts/{id}", Json("""{"distribution":"public"}"""), _ct);
        Assert.Equal(HttpStatusCode.NotFound, widenByStranger.StatusCode);

        var widened = await a.Client.PatchAsync($"/api/v1/alerts/{id}", Json("""{"distribution":"node"}"""), _ct);
        Assert.Equal(HttpStatusCode.OK, widened.StatusCode);
        using var seen = JsonDocument.Parse(await b.Client.GetStringAsync($"/api/v1/alerts/{id}", _ct));
        Assert.Equal("node", seen.RootElement.GetProperty("distribution").GetString());
        Assert.Equal("Seizure pattern 假冒降压药", seen.RootElement.GetProperty("title").GetString());
        Assert.Contains(id.ToString(), await b.Client.GetStringAsync("/api/v1/alerts?limit=200", _ct), StringComparison.Ordinal);

        // Visible is not owned: the other organisation still may not change it.
        Assert.Equal(HttpStatusCode.Forbidden, (await b.Client.PatchAsync($"/api/v1/alerts/{id}", Json("""{"title":"mine now"}"""), _ct)).StatusCode);
    }

    [Theory]
    [InlineData("node", "organisation")]
    [InlineData("partners", "node")]
    [InlineData("public", "partners")]
    [InlineData("public", "organisation")]
    public async Task Narrowing_is_refused_with_a_problem_detail_and_changes_nothing(string from, string to)
    {
        var a = await OrgAsync(OrganisationKind.Customs);
        var id = await CreateAsync(a.Client, $$"""{"title":"t","body":"b","distribution":"{{from}}"}""");

        var response = await a.Client.PatchAsync($"/api/v1/alerts/{id}", Json($$"""{"distribution":"{{to}}","title":"changed too"}"""), _ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct));
        Assert.Equal("distribution.narrowing", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal("distribution", problem.RootElement.GetProperty("errors")[0].GetProperty("field").GetString());
        using var after = JsonDocument.Parse(await a.Client.GetStringAsync($"/api/v1/alerts/{id}", _ct));
        Assert.Equal(from, after.RootElement.GetProperty("distribution").GetString());
        Assert.Equal("t", after.RootElement.GetProperty("title").GetString());
        Assert.Equal(1, after.RootElement.GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Group_records_reach_members_only_and_partner_records_reach_partner_nodes()
    {
        var owner = await OrgAsync(OrganisationKind.Customs, admin: true);
        var member = await OrgAsync(OrganisationKind.Police);
        var outsider = await OrgAsync(OrganisationKind.MarketRegulator);
        var abroad = await OrgAsync(OrganisationKind.ForeignPartner, partnerNode: true);

        var created = await owner.Client.PostAsync("/api/v1/sharing-groups", Json($$"""{"name":"Joint operation 联合行动","members":["{{member.Id}}"]}"""), _ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var group = JsonDocument.Parse(await created.Content.ReadAsStringAsync(_ct)).RootElement.GetProperty("id").GetString();

        var grouped = await CreateAsync(owner.Client, $$"""{"title":"g","body":"b","distribution":"group","sharingGroupId":"{{group}}"}""");
        var nodeWide = await CreateAsync(owner.Client, """{"title":"n","body":"b","distribution":"node"}""");
        var partners = await CreateAsync(owner.Client, """{"title":"p","body":"b","distribution":"partners"}""");

        Assert.Equal(HttpStatusCode.OK, (await member.Client.GetAsync($"/api/v1/alerts/{grouped}", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsider.Client.GetAsync($"/api/v1/alerts/{grouped}", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await abroad.Client.GetAsync($"/api/v1/alerts/{grouped}", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await outsider.Client.GetAsync($"/api/v1/alerts/{nodeWide}", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await abroad.Client.GetAsync($"/api/v1/alerts/{nodeWide}", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await abroad.Client.GetAsync($"/api/v1/alerts/{partners}", _ct)).StatusCode);

        // A group with a member abroad may not become node-wide (the member would lose it), but may become partners-wide.
        var withAbroad = await owner.Client.PutAsync($"/api/v1/sharing-groups/{group}/members/{abroad.Id}", null, _ct);
        Assert.Equal(HttpStatusCode.NoContent, withAbroad.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await owner.Client.PatchAsync($"/api/v1/alerts/{grouped}", Json("""{"distribution":"node"}"""), _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.Client.PatchAsync($"/api/v1/alerts/{grouped}", Json("""{"distribution":"partners"}"""), _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await outsider.Client.GetAsync($"/api/v1/alerts/{grouped}", _ct)).StatusCode);
    }

    [Fact]
    public async Task Sharing_to_a_group_the_organisation_is_not_in_is_refused()
    {
        var owner = await OrgAsync(OrganisationKind.Customs, admin: true);
        var stranger = await OrgAsync(OrganisationKind.Police);
        var created = await owner.Client.PostAsync("/api/v1/sharing-groups", Json("""{"name":"Private group"}"""), _ct);
        var group = JsonDocument.Parse(await created.Content.ReadAsStringAsync(_ct)).RootElement.GetProperty("id").GetString();

        var response = await stranger.Client.PostAsync("/api/v1/alerts", Json($$"""{"title":"t","body":"b","distribution":"group","sharingGroupId":"{{group}}"}"""), _ct);

        await AssertFieldErrorAsync(response, "sharingGroupId", "group.unknown");
    }

    [Theory]
    [InlineData("""{"title":"","body":"b"}""", "title", "required", "en")]
    [InlineData("""{"body":"b"}""", "title", "required", "zh-CN")]
    [InlineData("""{"title":"t","body":"b","distribution":"everyone"}""", "distribution", "json.invalid_value", "en")]
    [InlineData("""{"title":"t","body":"b","severity":"urgent"}""", "severity", "json.invalid_value", "zh-CN")]
    [InlineData("""{"title":"t","body":"b","originCountries":["CN","XX"]}""", "originCountries[1]", "country.unknown", "en")]
    [InlineData("""{"title":"t","body":"b","colour":"red"}""", "colour", "json.invalid_value", "en")]
    [InlineData("""{"title":"t","body":"b","distribution":"group"}""", "sharingGroupId", "group.required", "en")]
    [InlineData("""{"title":"t","body":"b","sharingGroupId":"00000000-0000-7000-8000-000000000001"}""", "sharingGroupId", "group.not_allowed", "en")]
    [InlineData("""{"title":"t","body":""", "body", "json.malformed", "en")]
    public async Task Bad_input_is_a_400_naming_the_field_in_the_callers_language_and_writes_nothing(string body, string field, string code, string language)
    {
        var a = await OrgAsync(OrganisationKind.Customs, language: language);
        var before = await CountAlertsAsync();

        var response = await a.Client.PostAsync("/api/v1/alerts", Json(body), _ct);

        var error = await AssertFieldErrorAsync(response, field, code);
        var message = error.GetProperty("message").GetString()!;
        Assert.Contains(field.Split('[')[0] == "body" && code == "json.malformed" ? "body" : field, message, StringComparison.Ordinal);
        Assert.Equal(language == "zh-CN", message.Any(c => c >= 0x4E00 && c <= 0x9FFF));
        Assert.Equal(before, await CountAlertsAsync());
    }

    [Fact]
    public async Task An_oversized_title_is_refused()
    {
        var a = await OrgAsync(OrganisationKind.Customs);
        var response = await a.Client.PostAsync("/api/v1/alerts", Json(JsonSerializer.Serialize(new { title = new string('假', 201), body = "b" })), _ct);
        await AssertFieldErrorAsync(response, "title", "too_long");
    }

    [Fact]
    public async Task A_form_post_is_not_accepted_as_JSON()
    {
        var a = await OrgAsync(OrganisationKind.Customs);
        var response = await a.Client.PostAsync("/api/v1/alerts", new StringContent("title=t&body=b", Encoding.UTF8, "text/plain"), _ct);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Lists_page_by_cursor_without_repeats_or_gaps()
    {
        var a = await OrgAsync(OrganisationKind.Customs);
        var ids = new List<Guid>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add(await CreateAsync(a.Client, $$"""{"title":"paged {{i}}","body":"b","productCategory":"paging-test"}"""));
        }

        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            using var page = JsonDocument.Parse(await a.Client.GetStringAsync($"/api/v1/alerts?limit=3&category=paging-test{(cursor is null ? "" : "&cursor=" + cursor)}", _ct));
            seen.AddRange(page.RootElement.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("id").GetGuid()));
            cursor = page.RootElement.TryGetProperty("nextCursor", out var next) ? next.GetString() : null;
        }
        while (cursor is not null);

        Assert.Equal(ids.AsEnumerable().Reverse(), seen);
        await AssertFieldErrorAsync(await a.Client.GetAsync("/api/v1/alerts?limit=0", _ct), "limit", "out_of_range");
        await AssertFieldErrorAsync(await a.Client.GetAsync("/api/v1/alerts?limit=ten", _ct), "limit", "number.invalid");
        await AssertFieldErrorAsync(await a.Client.GetAsync("/api/v1/alerts?cursor=%%%", _ct), "cursor", "cursor.invalid");
        await AssertFieldErrorAsync(await a.Client.GetAsync("/api/v1/alerts?severity=extreme", _ct), "severity", "invalid_value");
    }

    private async Task<(Guid Id, HttpClient Client)> OrgAsync(OrganisationKind kind, bool admin = false, bool partnerNode = false, string? language = null)
    {
        var id = await Seed.OrganisationAsync(factory, kind, onPartnerNode: partnerNode);
        if (admin)
        {
            var client = await factory.SignedInClientAsync(await Seed.UserAsync(factory, id, Role.OrgAdmin, language: language));
            return (id, client);
        }

        return (id, factory.ApiClient(await Seed.ApiKeyAsync(factory, id, [ApiScopes.Read, ApiScopes.Write]), language));
    }

    private async Task<Guid> CreateAsync(HttpClient client, string json)
    {
        var response = await client.PostAsync("/api/v1/alerts", Json(json), _ct);
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync(_ct));
        var alert = await response.Content.ReadFromJsonAsync<JsonElement>(_ct);
        Assert.Equal($"/api/v1/alerts/{alert.GetProperty("id").GetGuid()}", response.Headers.Location?.ToString());
        return alert.GetProperty("id").GetGuid();
    }

    private async Task<long> CountAlertsAsync()
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM alerts");
    }

    private static async Task<JsonElement> AssertFieldErrorAsync(HttpResponseMessage response, string field, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        var errors = problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.Clone()).ToList();
        return Assert.Single(errors, e => e.GetProperty("field").GetString() == field && e.GetProperty("code").GetString() == code);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>A problem detail without the parts that must differ (id in the path, trace id).</summary>
    private static string ProblemShape(string json)
    {
        using var document = JsonDocument.Parse(json);
        return string.Join("|", document.RootElement.EnumerateObject().Where(p => p.Name is not ("instance" or "traceId" or "detail")).Select(p => $"{p.Name}={p.Value}"));
    }
}
