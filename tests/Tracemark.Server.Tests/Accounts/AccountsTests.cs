using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;

namespace Tracemark.Server.Tests.Accounts;

public sealed class AccountsTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_until_an_administrator_unlocks_it()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var user = await Seed.UserAsync(factory, organisation, Role.Officer);
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, organisation, Role.OrgAdmin));

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            var page = await SignInAsync(user.Email, "wrong-password-" + attempt);
            Assert.Contains(attempt < 5 ? "is wrong" : "locked", page, StringComparison.Ordinal);
        }

        Assert.Contains("locked", await SignInAsync(user.Email, user.Password), StringComparison.Ordinal);
        Assert.Contains(await FindUserAsync(admin, user.Id), u => u.GetProperty("isLockedOut").GetBoolean());

        var unlock = await admin.PatchAsync($"/api/v1/users/{user.Id}", Json("""{"unlock":true}"""), _ct);
        Assert.Equal(HttpStatusCode.OK, unlock.StatusCode);
        var client = await factory.SignedInClientAsync(user);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me", _ct)).StatusCode);
    }

    [Fact]
    public async Task Unknown_addresses_and_wrong_passwords_get_the_same_answer()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var user = await Seed.UserAsync(factory, organisation, Role.Officer);
        var wrong = await SignInAsync(user.Email, "not-the-password");
        var unknown = await SignInAsync("nobody-" + Guid.NewGuid().ToString("N") + "@test.tracemark.example", "not-the-password");
        Assert.Contains("The e-mail address or the password is wrong.", wrong, StringComparison.Ordinal);
        Assert.Contains("The e-mail address or the password is wrong.", unknown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_API_key_stops_working_at_its_expiry_and_at_once_when_revoked_and_records_its_last_use()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Platform);
        var adminUser = await Seed.UserAsync(factory, organisation, Role.OrgAdmin);
        var admin = await factory.SignedInClientAsync(adminUser);
        var created = await admin.PostAsync("/api/v1/api-keys", Json("""{"name":"Marketplace sync","scopes":["read","write"],"expiresInDays":30}"""), _ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var key = await created.Content.ReadFromJsonAsync<JsonElement>(_ct);
        var secret = key.GetProperty("key").GetString()!;
        var id = key.GetProperty("id").GetGuid();

        var machine = factory.ApiClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);
        var listed = await admin.GetStringAsync("/api/v1/api-keys", _ct);
        Assert.Contains("Marketplace sync", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, listed, StringComparison.Ordinal);
        Assert.DoesNotContain(secret[^20..], listed, StringComparison.Ordinal);
        Assert.Contains(await ListKeysAsync(admin), k => k.GetProperty("id").GetGuid() == id && k.TryGetProperty("lastUsedAt", out _));

        factory.Clock.Advance(TimeSpan.FromDays(31));
        await AssertUnauthorisedAsync(await machine.GetAsync("/api/v1/me", _ct), "auth.api_key_expired");

        // A month later the administrator's own session has long expired too: sign in again.
        admin = await factory.SignedInClientAsync(adminUser);

        var second = await (await admin.PostAsync("/api/v1/api-keys", Json("""{"name":"Second","scopes":["read"]}"""), _ct)).Content.ReadFromJsonAsync<JsonElement>(_ct);
        var secondClient = factory.ApiClient(second.GetProperty("key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await secondClient.GetAsync("/api/v1/me", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/api-keys/{second.GetProperty("id").GetGuid()}", _ct)).StatusCode);
        await AssertUnauthorisedAsync(await secondClient.GetAsync("/api/v1/me", _ct), "auth.api_key_revoked");
    }

    [Theory]
    [InlineData("tmk_notakey")]
    [InlineData("tmk_abcdefghijkm_0000000000000000000000000000000000000000000")]
    [InlineData("Bearer")]
    public async Task A_made_up_key_is_401_with_a_problem_detail(string key)
    {
        var client = factory.ApiClient(key);
        await AssertUnauthorisedAsync(await client.GetAsync("/api/v1/alerts", _ct), "auth.api_key_invalid");
    }

    [Fact]
    public async Task A_read_key_cannot_write()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Platform);
        var reader = factory.ApiClient(await Seed.ApiKeyAsync(factory, organisation, [ApiScopes.Read]));
        var response = await reader.PostAsync("/api/v1/alerts", Json("""{"title":"t","body":"b"}"""), _ct);
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"email":"not-an-email","displayName":"X","role":"officer","password":"long-enough-pass"}""", "email", "email.invalid")]
    [InlineData("""{"email":"a@b","displayName":"X","role":"officer","password":"long-enough-pass"}""", "email", "email.invalid")]
    [InlineData("""{"email":"x@test.tracemark.example","displayName":"X","role":"officer","password":"short"}""", "password", "password.too_short")]
    [InlineData("""{"email":"x@test.tracemark.example","displayName":"X","role":"officer","password":"qwertyuiop"}""", "password", "password.too_common")]
    [InlineData("""{"email":"zhangwei@test.tracemark.example","displayName":"X","role":"officer","password":"zhangwei-2026!"}""", "password", "password.contains_email")]
    [InlineData("""{"email":"x@test.tracemark.example","displayName":"X","role":"officer","password":"aaaaaaaaaaaa"}""", "password", "password.too_simple")]
    [InlineData("""{"email":"x@test.tracemark.example","displayName":"X","role":"superuser","password":"long-enough-pass"}""", "role", "json.invalid_value")]
    [InlineData("""{"email":"x@test.tracemark.example","displayName":"","role":"officer","password":"long-enough-pass"}""", "displayName", "required")]
    public async Task Bad_user_input_is_refused_naming_the_field_and_creates_nobody(string body, string field, string code)
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, organisation, Role.OrgAdmin));
        var before = await CountUsersAsync(organisation);

        var response = await admin.PostAsync("/api/v1/users", Json(body), _ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(_ct));
        Assert.Contains(problem.RootElement.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").GetString() == field && e.GetProperty("code").GetString() == code);
        Assert.Equal(before, await CountUsersAsync(organisation));
    }

    [Fact]
    public async Task An_administrator_creates_users_in_their_own_organisation_only_and_a_role_change_reaches_the_session()
    {
        var mine = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var other = await Seed.OrganisationAsync(factory, OrganisationKind.Police);
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, mine, Role.OrgAdmin));
        var email = $"new.officer.{Guid.NewGuid():N}@test.tracemark.example";

        var created = await admin.PostAsync("/api/v1/users", Json($$"""{"email":"{{email}}","displayName":"王伟","role":"officer","password":"Lanshan-river-2026","organisationId":"{{other}}"}"""), _ct);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var user = await created.Content.ReadFromJsonAsync<JsonElement>(_ct);
        Assert.Equal(mine, user.GetProperty("organisationId").GetGuid());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/api/v1/users", Json($$"""{"email":"{{email.ToUpperInvariant()}}","displayName":"Dup","role":"viewer","password":"Lanshan-river-2026"}"""), _ct)).StatusCode);

        var otherAdmin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, other, Role.OrgAdmin));
        Assert.Equal(HttpStatusCode.NotFound, (await otherAdmin.PatchAsync($"/api/v1/users/{user.GetProperty("id").GetGuid()}", Json("""{"role":"org_admin"}"""), _ct)).StatusCode);
        Assert.DoesNotContain(email, await otherAdmin.GetStringAsync("/api/v1/users", _ct), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_administrator_cannot_demote_or_deactivate_themselves()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var self = await Seed.UserAsync(factory, organisation, Role.OrgAdmin);
        var admin = await factory.SignedInClientAsync(self);
        var response = await admin.PatchAsync($"/api/v1/users/{self.Id}", Json("""{"isActive":false}"""), _ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
    }

    [Fact]
    public async Task A_deactivated_organisation_can_no_longer_use_its_keys()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Platform);
        var machine = factory.ApiClient(await Seed.ApiKeyAsync(factory, organisation, [ApiScopes.Read]));
        var platformAdmin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, await Seed.OrganisationAsync(factory, OrganisationKind.CoordinatingOffice), Role.OrgAdmin, platformAdmin: true));

        Assert.Equal(HttpStatusCode.OK, (await platformAdmin.PatchAsync($"/api/v1/organisations/{organisation}", Json("""{"isActive":false}"""), _ct)).StatusCode);

        await AssertUnauthorisedAsync(await machine.GetAsync("/api/v1/me", _ct), "auth.organisation_inactive");
    }

    private async Task<string> SignInAsync(string email, string password)
    {
        var client = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var response = await client.PostAsync("/login", await Seed.LoginFormAsync(client, email, password), _ct);
        return response.StatusCode == HttpStatusCode.Redirect ? "signed in" : await response.Content.ReadAsStringAsync(_ct);
    }

    private async Task<IEnumerable<JsonElement>> FindUserAsync(HttpClient admin, Guid id) =>
        (await admin.GetFromJsonAsync<JsonElement>("/api/v1/users", _ct)).EnumerateArray().Where(u => u.GetProperty("id").GetGuid() == id).Select(u => u.Clone()).ToList();

    private async Task<List<JsonElement>> ListKeysAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonElement>("/api/v1/api-keys", _ct)).EnumerateArray().Select(k => k.Clone()).ToList();

    private async Task<long> CountUsersAsync(Guid organisation)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM users WHERE organisation_id = @organisation", new { organisation });
    }

    private static async Task AssertUnauthorisedAsync(HttpResponseMessage response, string code)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
