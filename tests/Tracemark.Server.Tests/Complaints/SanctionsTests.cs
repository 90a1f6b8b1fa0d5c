using System.Net;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Accounts;
using Tracemark.Core.Organisations;
using static Tracemark.Server.Tests.Complaints.ComplaintsWorld;

namespace Tracemark.Server.Tests.Complaints;

/// <summary>Appeals of a decision, and the complainant's accuracy: the fast track it earns and loses, and wrongful or malicious notices on its record.</summary>
public sealed class SanctionsTests(ComplaintsFactory factory) : IClassFixture<ComplaintsFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_appeal_granted_lifts_the_measure_and_voids_the_strike_and_one_too_late_is_refused()
    {
        var world = await CreateAsync(factory, "CN");
        var seller = "appeal-" + Number();
        var id = Id(await world.FileAsync(world.Notice("appeal-1", seller: seller)));
        var decided = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "Counterfeit." });
        Assert.NotNull(Member(decided.GetProperty("deadlines"), "appealDue"));
        Assert.Equal(1, (await StrikesAsync(world, seller)).Standing);

        // Reasons are required.
        var bare = await SendAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/appeal", new { });
        await NoticeFlowTests.AssertFieldErrorAsync(bare, "reasons", "required");

        var appealed = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/appeal", new { reasons = "The shop is an authorised reseller; invoice attached to the platform's ticket." });
        Assert.Equal("appealed", State(appealed));
        var granted = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/appeal-decision", new { granted = true, reasons = "Invoice checked with the brand's distributor list." });
        Assert.Equal("reversed", State(granted));
        Assert.Equal(0, (await StrikesAsync(world, seller)).Standing);
        Assert.Equal(["file", "take_measure", "appeal", "grant_appeal"], Timeline(granted).Where(a => a is "file" or "take_measure" or "appeal" or "grant_appeal").ToArray());

        // Another decision, appealed after the 15-day window: refused, the notice unchanged.
        var late = Id(await world.FileAsync(world.Notice("appeal-2", seller: seller)));
        var second = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{late}/decision", new { measure = "block", reasons = "Counterfeit." });
        factory.Clock.Set(Member(second.GetProperty("deadlines"), "appealDue")!.Value.GetDateTimeOffset().AddMinutes(1));
        var refused = await SendAsync(world.Platform.Client, $"/api/v1/complaints/notices/{late}/appeal", new { reasons = "Late." });
        var problem = await NoticeFlowTests.ProblemAsync(refused, HttpStatusCode.Conflict);
        Assert.Equal("complaint.appeal_too_late", problem.GetProperty("code").GetString());
        Assert.Equal("measure_taken", State(await GetAsync(world.Platform.Client, $"/api/v1/complaints/notices/{late}")));

        // The complainant cannot decide an appeal or relay one: the platform's part.
        var other = Id(await world.FileAsync(world.Notice("appeal-3", seller: seller)));
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{other}/decision", new { measure = "remove", reasons = "Counterfeit." });
        var byHolder = await SendAsync(world.Holder.Client, $"/api/v1/complaints/notices/{other}/appeal", new { reasons = "Not mine to make." });
        Assert.True(byHolder.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Conflict, byHolder.StatusCode.ToString());
    }

    [Fact]
    public async Task A_complainant_on_the_fast_track_loses_it_when_too_few_notices_are_upheld_and_malicious_notices_count_against_it()
    {
        var world = await CreateAsync(factory, "CN");
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, world.Platform.Id, Role.OrgAdmin));
        var policy = await admin.PutAsync($"/api/v1/complaints/platforms/{world.Platform.Id}", Json(new { accuracyMinDecided = 2, minUpheldShare = 0.9m, maxCounterSuccessShare = 0.05m }), Ct);
        Assert.True(policy.IsSuccessStatusCode, await policy.Content.ReadAsStringAsync(Ct));

        for (var i = 0; i < 2; i++)
        {
            var upheld = Id(await world.FileAsync(world.Notice($"acc-{i}")));
            await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{upheld}/decision", new { measure = "remove", reasons = "Counterfeit." });
        }

        await PutAsync(world.Platform.Client, $"/api/v1/complaints/fast-track/{world.Holder.Id}");
        var accuracy = await GetAsync(world.Platform.Client, $"/api/v1/complaints/accuracy?complainantId={world.Holder.Id}");
        Assert.True(accuracy.GetProperty("fastTrackEligible").GetBoolean(), accuracy.ToString());
        Assert.Equal(1m, accuracy.GetProperty("upheldShare").GetDecimal());

        // On the fast track: 4 hours to review a counterfeit instead of 24.
        var fast = await world.FileAsync(world.Notice("acc-fast"));
        Assert.True(fast.GetProperty("fastTrack").GetBoolean());
        Assert.Equal(factory.Clock.GetUtcNow().AddHours(4), fast.GetProperty("deadlines").GetProperty("reviewDue").GetDateTimeOffset());

        // A notice with no case, found malicious: 2 of 3 upheld is below 90 %.
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{Id(fast)}/decision", new { measure = "no_action", reasons = "Genuine goods; the complainant's own product." });
        var finding = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{Id(fast)}/finding", new { finding = "malicious", reasons = "Filed against a competitor selling genuine goods." });
        Assert.Equal("malicious", finding.GetProperty("finding").GetProperty("finding").GetString());

        var after = await GetAsync(world.Holder.Client, $"/api/v1/complaints/accuracy?platformId={world.Platform.Id}");
        Assert.False(after.GetProperty("fastTrackEligible").GetBoolean());
        Assert.Equal(1, after.GetProperty("counts").GetProperty("malicious").GetInt32());
        Assert.Equal(3, after.GetProperty("counts").GetProperty("decided").GetInt32());
        Assert.Contains(after.GetProperty("bars").EnumerateArray(), b => b.GetString() is not null);

        var slow = await world.FileAsync(world.Notice("acc-slow"));
        Assert.False(slow.GetProperty("fastTrack").GetBoolean());
        Assert.Equal(factory.Clock.GetUtcNow().AddHours(24), slow.GetProperty("deadlines").GetProperty("reviewDue").GetDateTimeOffset());

        // A finding needs a failed notice: one the platform upheld cannot be called malicious.
        var upheldOne = Id(await world.FileAsync(world.Notice("acc-upheld")));
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{upheldOne}/decision", new { measure = "remove", reasons = "Counterfeit." });
        var wrong = await SendAsync(world.Platform.Client, $"/api/v1/complaints/notices/{upheldOne}/finding", new { finding = "malicious", reasons = "x" });
        Assert.Equal(HttpStatusCode.Conflict, wrong.StatusCode);

        // The database counts a record only for its two parties (migration 0044 reads past row-level security):
        // any other organisation asking it directly gets nothing.
        Assert.Equal(4, await DecidedAsAsync(world.Holder.Id, world.Holder.Id, world.Platform.Id));
        Assert.Equal(4, await DecidedAsAsync(world.Platform.Id, world.Holder.Id, world.Platform.Id));
        var stranger = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        Assert.Equal(0, await DecidedAsAsync(stranger, world.Holder.Id, world.Platform.Id));
    }

    /// <summary>Decided notices in a complainant's record, asked of the database as the application's role for an organisation.</summary>
    private async Task<int> DecidedAsAsync(Guid caller, Guid complainant, Guid platform)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteAsync("SELECT set_config('role', 'tracemark_app', true), set_config('tracemark.org_id', @org, true)", new { org = caller.ToString() }, transaction);
        return await connection.ExecuteScalarAsync<int>("SELECT decided FROM tm_complaint_accuracy(@complainant, @platform, '-infinity')", new { complainant, platform }, transaction);
    }

    private static async Task<(int Standing, int All)> StrikesAsync(ComplaintsWorld world, string seller)
    {
        var sellers = await GetAsync(world.Platform.Client, "/api/v1/complaints/sellers?q=" + seller);
        var row = sellers.EnumerateArray().SingleOrDefault(s => s.GetProperty("sellerId").GetString() == seller);
        return row.ValueKind == JsonValueKind.Undefined ? (0, 0) : (row.GetProperty("standingStrikes").GetInt32(), row.GetProperty("allStrikes").GetInt32());
    }

    private static async Task PutAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, path);
        var response = await client.SendAsync(request, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
    }
}
