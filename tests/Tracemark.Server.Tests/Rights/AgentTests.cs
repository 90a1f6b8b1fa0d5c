using System.Net;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Organisations;
using static Tracemark.Server.Tests.Rights.RightsWorld;

namespace Tracemark.Server.Tests.Rights;

/// <summary>Rights holders authorise agents; "may X act for right R at time T" gives one answer in SQL and through the API.</summary>
public sealed class AgentTests(TracemarkFactory factory) : IClassFixture<TracemarkFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    /// <summary>(who, right, day, expected): the holder always; the all-rights agent inside its dates; the one-right agent for that right only; a revoked agent never.</summary>
    public static TheoryData<string, string, string, bool> Cases => new()
    {
        { "holder", "first", "2026-03-02T09:00:00Z", true },
        { "holder", "second", "2030-01-01T00:00:00Z", true },
        { "all", "first", "2026-03-02T09:00:00Z", true },
        { "all", "second", "2026-03-02T09:00:00Z", true },
        { "all", "first", "2026-01-31T23:59:59Z", false },
        { "all", "first", "2026-02-01T00:00:00Z", true },
        { "all", "first", "2026-06-30T23:59:59Z", true },
        { "all", "first", "2026-07-01T00:00:00Z", false },
        { "one", "first", "2026-03-02T09:00:00Z", true },
        { "one", "second", "2026-03-02T09:00:00Z", false },
        { "revoked", "first", "2026-03-02T09:00:00Z", false },
        { "stranger", "first", "2026-03-02T09:00:00Z", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task May_act_for_a_right_follows_the_holders_authorisations(string who, string right, string at, bool expected)
    {
        var world = await WorldAsync();
        var actor = world.Actors[who];
        var rightId = right == "first" ? world.First : world.Second;

        await using var connection = await factory.OpenOwnerConnectionAsync();
        var sql = await connection.ExecuteScalarAsync<bool>("SELECT tm_may_act_for_right(@actor, @rightId, @at::timestamptz)", new { actor, rightId, at });
        Assert.Equal(expected, sql);

        var answer = await GetAsync(world.Platform, $"/api/v1/rights/{rightId}/may-act?organisationId={actor}&at={Uri.EscapeDataString(at)}");
        Assert.Equal(expected, answer.GetProperty("mayAct").GetBoolean());
    }

    [Fact]
    public async Task An_agent_records_changes_and_sees_rights_for_its_holder_and_the_holder_is_notified()
    {
        var world = await WorldAsync();
        var agent = factory.ApiClient(await Seed.ApiKeyAsync(factory, world.Actors["all"], ["read", "write"]));
        var created = await CreateRightAsync(agent, new { type = "trademark", jurisdiction = "CN", number = Number(), name = "Agentrecorded", holderId = world.Holder, distribution = "organisation" });
        Assert.Equal(world.Holder.ToString(), created.GetProperty("owner").GetProperty("id").GetString());
        var id = created.GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.OK, (await agent.PatchAsync($"/api/v1/rights/{id}", Json(new { nameZh = "代理登记" }), _ct)).StatusCode);

        var inbox = await GetAsync(world.HolderClient, "/api/v1/notifications");
        Assert.Contains(inbox.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "right.recorded_by_agent" && n.GetProperty("link").GetString() == $"/rights/{id}");

        var one = factory.ApiClient(await Seed.ApiKeyAsync(factory, world.Actors["one"], ["read", "write"]));
        await AssertFieldErrorAsync(
            await one.PostAsync("/api/v1/rights", Json(new { type = "trademark", jurisdiction = "CN", number = Number(), name = "Not allowed", holderId = world.Holder }), _ct),
            "holderId",
            "right.holder_not_authorised");
        Assert.Equal(HttpStatusCode.NotFound, (await one.GetAsync($"/api/v1/rights/{id}", _ct)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await one.PatchAsync($"/api/v1/rights/{world.Second}", Json(new { nameZh = "不行" }), _ct)).StatusCode);
    }

    [Fact]
    public async Task Only_a_holders_administrator_authorises_and_revokes_and_bad_authorisations_are_refused()
    {
        var world = await WorldAsync();
        var officer = factory.ApiClient(await Seed.ApiKeyAsync(factory, world.Holder, ["read", "write"]));
        Assert.Equal(HttpStatusCode.Forbidden, (await officer.PostAsync("/api/v1/agent-authorisations", Json(new { agentId = world.Actors["stranger"], allRights = true }), _ct)).StatusCode);

        var customs = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        await AssertFieldErrorAsync(await world.HolderClient.PostAsync("/api/v1/agent-authorisations", Json(new { agentId = customs, allRights = true }), _ct), "agentId", "agent.not_an_agent");
        await AssertFieldErrorAsync(await world.HolderClient.PostAsync("/api/v1/agent-authorisations", Json(new { agentId = world.Actors["stranger"] }), _ct), "rightIds", "agent.rights_required");
        await AssertFieldErrorAsync(
            await world.HolderClient.PostAsync("/api/v1/agent-authorisations", Json(new { agentId = world.Actors["stranger"], allRights = true, validFrom = "2026-05-01", validUntil = "2026-04-01" }), _ct),
            "validUntil",
            "date.before");
        var otherHolder = await OrgAsync(factory, OrganisationKind.RightsHolder);
        var notMine = await CreateRightAsync(otherHolder.Client, Trademark(Number(), "Someone else's"));
        await AssertFieldErrorAsync(
            await world.HolderClient.PostAsync("/api/v1/agent-authorisations", Json(new { agentId = world.Actors["stranger"], rightIds = new[] { notMine.GetProperty("id").GetGuid() } }), _ct),
            "rightIds[0]",
            "agent.right_not_held");

        var list = await GetAsync(world.HolderClient, "/api/v1/agent-authorisations");
        Assert.Equal(3, list.GetProperty("given").GetArrayLength());
        var agentView = await GetAsync(factory.ApiClient(await Seed.ApiKeyAsync(factory, world.Actors["one"], ["read"])), "/api/v1/agent-authorisations");
        Assert.Single(agentView.GetProperty("received").EnumerateArray());
        Assert.Empty(agentView.GetProperty("given").EnumerateArray());
    }

    private static string Number() => Random.Shared.NextInt64(10_000_000, 99_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private sealed record World(Guid Holder, HttpClient HolderClient, Guid First, Guid Second, Dictionary<string, Guid> Actors, HttpClient Platform);

    /// <summary>A holder with two rights; agents authorised for all rights (February to June 2026), for the first only, and revoked; a stranger.</summary>
    private async Task<World> WorldAsync()
    {
        var holder = await OrgAsync(factory, OrganisationKind.RightsHolder, admin: true);
        var first = (await CreateRightAsync(holder.Client, Trademark(Number(), "Firstright"))).GetProperty("id").GetGuid();
        var second = (await CreateRightAsync(holder.Client, Trademark(Number(), "Secondright"))).GetProperty("id").GetGuid();
        var actors = new Dictionary<string, Guid>(StringComparer.Ordinal) { ["holder"] = holder.Id };
        foreach (var name in new[] { "all", "one", "revoked", "stranger" })
        {
            actors[name] = await Seed.OrganisationAsync(factory, OrganisationKind.Agent);
        }

        await PostAsync(holder.Client, "/api/v1/agent-authorisations", new { agentId = actors["all"], allRights = true, validFrom = "2026-02-01", validUntil = "2026-06-30" });
        await PostAsync(holder.Client, "/api/v1/agent-authorisations", new { agentId = actors["one"], rightIds = new[] { first } });
        var revoked = await PostAsync(holder.Client, "/api/v1/agent-authorisations", new { agentId = actors["revoked"], allRights = true, validFrom = "2020-01-01" });
        var revoke = await holder.Client.DeleteAsync($"/api/v1/agent-authorisations/{revoked.GetProperty("id").GetString()}", _ct);
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.False(JsonDocument.Parse(await revoke.Content.ReadAsStringAsync(_ct)).RootElement.GetProperty("inForce").GetBoolean());

        var platform = (await OrgAsync(factory, OrganisationKind.Platform)).Client;
        return new World(holder.Id, holder.Client, first, second, actors, platform);
    }
}
