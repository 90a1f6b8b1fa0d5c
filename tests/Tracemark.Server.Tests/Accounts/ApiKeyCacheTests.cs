using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;
using Tracemark.Server.Accounts;

namespace Tracemark.Server.Tests.Accounts;

/// <summary>
/// Verified keys are remembered by the server for <see cref="ApiKeyCache.Lifetime"/> (30 s here): what that may and may
/// not delay. Each test first shows the key is remembered (a change made behind the server's back is not yet seen), so
/// that what follows is checked against the remembered key, not a fresh read.
/// </summary>
public sealed class ApiKeyCacheTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_key_revoked_elsewhere_is_remembered_only_for_the_cache_lifetime()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Platform);
        var key = await Seed.ApiKeyAsync(factory, organisation, [ApiScopes.Read]);
        var machine = factory.ApiClient(key);
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);

        // As another server process would: in the database only.
        await RevokeBehindTheServersBackAsync(key);
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);

        factory.Clock.Advance(factory.Services.GetRequiredService<ApiKeyCache>().Lifetime + TimeSpan.FromSeconds(1));
        await AssertUnauthorisedAsync(await machine.GetAsync("/api/v1/me", _ct), "auth.api_key_revoked");
    }

    [Fact]
    public async Task A_remembered_key_revoked_through_the_API_is_refused_on_the_very_next_request()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Platform);
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, organisation, Role.OrgAdmin));
        var created = await (await admin.PostAsync("/api/v1/api-keys", Json("""{"name":"Sync","scopes":["read"]}"""), _ct)).Content.ReadFromJsonAsync<JsonElement>(_ct);
        var machine = factory.ApiClient(created.GetProperty("key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);
        Assert.NotNull(factory.Services.GetRequiredService<ApiKeyCache>().Find(Prefix(created.GetProperty("key").GetString()!)));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/api-keys/{created.GetProperty("id").GetGuid()}", _ct)).StatusCode);
        await AssertUnauthorisedAsync(await machine.GetAsync("/api/v1/me", _ct), "auth.api_key_revoked");
    }

    [Fact]
    public async Task A_remembered_key_still_needs_its_secret_and_stops_at_its_expiry()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Platform);
        var key = await Seed.ApiKeyAsync(factory, organisation, [ApiScopes.Read], factory.Clock.GetUtcNow().AddSeconds(10));
        var machine = factory.ApiClient(key);
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);
        await RevokeBehindTheServersBackAsync(key);
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);

        // The right prefix with another well-formed secret, and the right secret with one letter changed.
        var other = ApiKeyFormat.Generate().Secret;
        await AssertUnauthorisedAsync(await factory.ApiClient($"{ApiKeyFormat.Marker}{Prefix(key)}_{other}").GetAsync("/api/v1/me", _ct), "auth.api_key_invalid");
        var changed = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        await AssertUnauthorisedAsync(await factory.ApiClient(changed).GetAsync("/api/v1/me", _ct), "auth.api_key_invalid");
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);

        // Expired by the clock well within the cache's lifetime.
        factory.Clock.Advance(TimeSpan.FromSeconds(11));
        await AssertUnauthorisedAsync(await machine.GetAsync("/api/v1/me", _ct), "auth.api_key_expired");
    }

    [Fact]
    public async Task A_remembered_key_of_an_organisation_deactivated_through_the_API_is_refused_on_the_very_next_request()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Platform);
        var key = await Seed.ApiKeyAsync(factory, organisation, [ApiScopes.Read]);
        var machine = factory.ApiClient(key);
        var platformAdmin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, await Seed.OrganisationAsync(factory, OrganisationKind.CoordinatingOffice), Role.OrgAdmin, platformAdmin: true));
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);
        Assert.NotNull(factory.Services.GetRequiredService<ApiKeyCache>().Find(Prefix(key)));

        Assert.Equal(HttpStatusCode.OK, (await platformAdmin.PatchAsync($"/api/v1/organisations/{organisation}", Json("""{"isActive":false}"""), _ct)).StatusCode);
        await AssertUnauthorisedAsync(await machine.GetAsync("/api/v1/me", _ct), "auth.organisation_inactive");
    }

    [Fact]
    public async Task A_remembered_key_records_its_use_about_once_a_minute()
    {
        var organisation = await Seed.OrganisationAsync(factory, OrganisationKind.Platform);
        var key = await Seed.ApiKeyAsync(factory, organisation, [ApiScopes.Read]);
        var machine = factory.ApiClient(key);
        var first = factory.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);
        Assert.Equal(first, await LastUsedAsync(key));

        // Read again after the cache's lifetime, less than a minute after the recorded use: nothing written.
        factory.Clock.Advance(TimeSpan.FromSeconds(40));
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);
        Assert.Equal(first, await LastUsedAsync(key));

        // Still remembered from the read above, now more than a minute after the recorded use: written once.
        factory.Clock.Advance(TimeSpan.FromSeconds(21));
        Assert.NotNull(factory.Services.GetRequiredService<ApiKeyCache>().Find(Prefix(key)));
        var second = factory.Clock.GetUtcNow();
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);
        Assert.Equal(second, await LastUsedAsync(key));
        factory.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(HttpStatusCode.OK, (await machine.GetAsync("/api/v1/me", _ct)).StatusCode);
        Assert.Equal(second, await LastUsedAsync(key));
    }

    private static string Prefix(string key) => ApiKeyFormat.TryParse(key, out var prefix, out _) ? prefix : throw new ArgumentException("not a key", nameof(key));

    private async Task RevokeBehindTheServersBackAsync(string key)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(1, await connection.ExecuteAsync("UPDATE api_keys SET revoked_at = now() WHERE prefix = @prefix", new { prefix = Prefix(key) }));
    }

    private async Task<DateTimeOffset?> LastUsedAsync(string key)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<DateTimeOffset?>("SELECT last_used_at FROM api_keys WHERE prefix = @prefix", new { prefix = Prefix(key) });
    }

    private static async Task AssertUnauthorisedAsync(HttpResponseMessage response, string code)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
    }

    private static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
