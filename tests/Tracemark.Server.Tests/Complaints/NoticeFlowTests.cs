using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Organisations;
using static Tracemark.Server.Tests.Complaints.ComplaintsWorld;

namespace Tracemark.Server.Tests.Complaints;

/// <summary>
/// The whole flow over HTTP, under PRC and US rules: filing (screened), the platform's measure, the seller's
/// counter-notice, forwarding, and the restore the sweep makes when the period ends on the injected clock; the
/// complainant's complaint or lawsuit in time; duplicates linked; agents; strikes.
/// </summary>
public sealed class NoticeFlowTests(ComplaintsFactory factory) : IClassFixture<ComplaintsFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Under_PRC_rules_a_counter_notice_forwarded_restores_the_listing_15_calendar_days_later_unless_the_complainant_acts()
    {
        var world = await CreateAsync(factory, "CN");
        var filed = await world.FileAsync(world.Notice("prc-1"));
        Assert.Equal("submitted", State(filed));
        Assert.Equal("complainant", filed.GetProperty("role").GetString());

        // On intake the listing text is screened: the holder's own mark is a hit attached to the listing.
        var hits = filed.GetProperty("listings")[0].GetProperty("hits");
        Assert.True(hits.GetArrayLength() > 0, filed.ToString());
        Assert.NotNull(Member(filed.GetProperty("listings")[0], "snapshotSha256"));
        Assert.Equal("prc-1", filed.GetProperty("listings")[0].GetProperty("listingId").GetString());
        Assert.Equal("shop-88", filed.GetProperty("listings")[0].GetProperty("sellerId").GetString());

        // Counterfeits: 24 hours to review under the PRC preset.
        var due = filed.GetProperty("deadlines").GetProperty("reviewDue").GetDateTimeOffset();
        Assert.Equal(factory.Clock.GetUtcNow().AddHours(24), due);

        // The platform sees it in its queue and decides.
        var queue = await GetAsync(world.Platform.Client, "/api/v1/complaints/queue");
        Assert.Contains(queue.EnumerateArray(), n => n.GetProperty("id").GetString() == Id(filed));
        var id = Id(filed);

        // The complainant may not decide its own notice.
        var refused = await SendAsync(world.Holder.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "mine" });
        Assert.True(refused.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Conflict, refused.StatusCode.ToString());

        factory.Clock.Advance(TimeSpan.FromHours(3));
        var decided = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "Replica of a registered mark." });
        Assert.Equal("measure_taken", State(decided));
        var link = decided.GetProperty("sellerLink").GetProperty("path").GetString()!;
        Assert.StartsWith("/s/sl_", link, StringComparison.Ordinal);
        Assert.Equal("remove", decided.GetProperty("decision").GetProperty("measure").GetString());

        // The link is shown once: reading the notice again does not give it.
        var read = await GetAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}");
        Assert.Null(Member(read, "sellerLink"));

        factory.Clock.Advance(TimeSpan.FromDays(2));
        var countered = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/counter-notice", new
        {
            statement = "These are genuine goods bought from the brand's distributor.",
            sellerName = "星光小店",
            sellerContact = "shop88@example.cn",
            affirmed = true,
        });
        Assert.Equal("counter_noticed", State(countered));

        factory.Clock.Advance(TimeSpan.FromHours(5));
        var forwardedAt = factory.Clock.GetUtcNow();
        var forwarded = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/forward", null);
        Assert.Equal("counter_notice_forwarded", State(forwarded));
        var notBefore = forwarded.GetProperty("deadlines").GetProperty("restoreNotBefore").GetDateTimeOffset();
        // Counted as the PRC counts: the day of forwarding is not counted; the period ends at midnight (Beijing) after its 15th day.
        var beijing = TimeSpan.FromHours(8);
        var forwardedDay = forwardedAt.ToOffset(beijing).Date;
        Assert.Equal(new DateTimeOffset(forwardedDay.AddDays(16), beijing), notBefore);

        // A day before the end: the sweep leaves it alone.
        factory.Clock.Set(notBefore.AddDays(-1));
        Assert.Equal(0, (await factory.SweepAsync()).Restored);
        Assert.Equal("counter_notice_forwarded", State(await GetAsync(world.Holder.Client, $"/api/v1/complaints/notices/{id}")));

        // At the end, without a complaint or lawsuit shown: restored, once.
        factory.Clock.Set(notBefore);
        Assert.True((await factory.SweepAsync()).Restored >= 1);
        Assert.Equal(0, (await factory.SweepAsync()).Restored);
        var restored = await GetAsync(world.Holder.Client, $"/api/v1/complaints/notices/{id}");
        Assert.Equal("restored", State(restored));
        Assert.Equal(notBefore, restored.GetProperty("deadlines").GetProperty("restoredAt").GetDateTimeOffset());

        // Every step is on the timeline, in order, the last one the system's.
        var timeline = Timeline(restored);
        Assert.Equal(["file", "take_measure", "counter_notice", "forward_counter_notice", "restore"], timeline.Where(a => a is "file" or "take_measure" or "counter_notice" or "forward_counter_notice" or "restore").ToArray());
        Assert.Equal("system", restored.GetProperty("timeline").EnumerateArray().Last().GetProperty("party").GetString());

        // The platform's statistics count exactly this notice: taken down, counter-noticed, restored.
        var statistics = await GetAsync(world.Platform.Client, "/api/v1/complaints/statistics");
        var total = statistics.GetProperty("total");
        Assert.Equal(1, total.GetProperty("notices").GetInt32());
        Assert.Equal(1, total.GetProperty("takenDown").GetInt32());
        Assert.Equal(1m, total.GetProperty("takedownRate").GetDecimal());
        Assert.Equal(1, total.GetProperty("counterNotices").GetInt32());
        Assert.Equal(1, total.GetProperty("restored").GetInt32());
        Assert.Equal(3.0, total.GetProperty("medianHoursToAction").GetDouble(), 3);
        Assert.Equal(world.Platform.Id.ToString(), Assert.Single(statistics.GetProperty("byPlatform").EnumerateArray()).GetProperty("platform").GetProperty("id").GetString());
        await AssertFieldErrorAsync(await world.Platform.Client.GetAsync("/api/v1/complaints/statistics?from=yesterday", Ct), "from", "invalid_value", "instant.invalid", "date.invalid");

        // Too late now to show a lawsuit.
        var late = await SendAsync(world.Holder.Client, $"/api/v1/complaints/notices/{id}/filed-action", new { kind = "lawsuit", with = "Hangzhou Internet Court" });
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
    }

    [Fact]
    public async Task Under_PRC_rules_a_lawsuit_shown_in_time_keeps_the_measure_and_the_sweep_does_not_restore()
    {
        var world = await CreateAsync(factory, "CN");
        var id = Id(await world.FileAsync(world.Notice("prc-suit")));
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "block", reasons = "Counterfeit." });
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/counter-notice", new { statement = "Genuine.", sellerName = "Shop", sellerContact = "s@example.com", affirmed = true });
        var forwarded = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/forward", null);
        var notBefore = forwarded.GetProperty("deadlines").GetProperty("restoreNotBefore").GetDateTimeOffset();

        factory.Clock.Set(notBefore.AddDays(-2));
        var filed = await PostAsync(world.Holder.Client, $"/api/v1/complaints/notices/{id}/filed-action", new { kind = "lawsuit", with = "杭州互联网法院", reference = "(2026)浙0192民初1234号" });
        Assert.Equal("action_filed", State(filed));

        factory.Clock.Set(notBefore.AddDays(30));
        await factory.SweepAsync();
        var after = await GetAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}");
        Assert.Equal("action_filed", State(after));
        Assert.Null(Member(after.GetProperty("deadlines"), "restoredAt"));
    }

    [Fact]
    public async Task Under_US_rules_the_restore_counts_10_business_days_from_the_counter_notice_received()
    {
        // Monday 1 March 2027, 14:00 UTC (09:00 in New York); no federal holiday in the weeks that follow.
        factory.Clock.Set(new DateTimeOffset(2027, 3, 1, 14, 0, 0, TimeSpan.Zero));
        var world = await CreateAsync(factory, "US");
        var id = Id(await world.FileAsync(world.Notice("us-1", kind: "counterfeit")));
        var decided = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "Disabled access under § 512(c)." });
        Assert.Equal("US", decided.GetProperty("jurisdiction").GetString());
        var received = factory.Clock.GetUtcNow();
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/counter-notice", new { statement = "Removed by mistake.", sellerName = "Shop", sellerContact = "s@example.com", affirmed = true });
        factory.Clock.Advance(TimeSpan.FromDays(1));
        var forwarded = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/forward", null);
        var deadlines = forwarded.GetProperty("deadlines");
        var notBefore = deadlines.GetProperty("restoreNotBefore").GetDateTimeOffset();
        var latest = deadlines.GetProperty("restoreLatest").GetDateTimeOffset();

        // The day of receipt is not counted: the 10th business day is Monday 15 March, the 14th Friday 19 March; each ends at
        // midnight in New York (daylight time from 14 March), and the days in between that are weekends are skipped.
        Assert.Equal(new DateTimeOffset(2027, 3, 16, 4, 0, 0, TimeSpan.Zero), notBefore);
        Assert.Equal(new DateTimeOffset(2027, 3, 20, 4, 0, 0, TimeSpan.Zero), latest);
        Assert.Equal(received, factory.Clock.GetUtcNow().AddDays(-1));
        Assert.Equal("US", deadlines.GetProperty("calendar").GetString());

        factory.Clock.Set(notBefore.AddMinutes(-1));
        Assert.Equal(0, (await factory.SweepAsync()).Restored);
        factory.Clock.Set(notBefore.AddMinutes(1));
        Assert.True((await factory.SweepAsync()).Restored >= 1);
        Assert.Equal("restored", State(await GetAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}")));
    }

    [Fact]
    public async Task A_second_notice_on_a_listing_under_an_open_notice_is_linked_to_it_not_reviewed_twice()
    {
        var world = await CreateAsync(factory, "CN");
        var first = await world.FileAsync(world.Notice("dup-1"));
        var second = await world.FileAsync(world.Notice("dup-1", title: "Same listing, filed again"));
        Assert.Equal("linked", State(second));
        Assert.Equal(Id(first), second.GetProperty("linkedNoticeId").GetString());
        Assert.Equal(Id(first), second.GetProperty("listings")[0].GetProperty("linkedNoticeId").GetString());

        // The platform's queue holds the listing once.
        var queue = await GetAsync(world.Platform.Client, "/api/v1/complaints/queue");
        Assert.Contains(queue.EnumerateArray(), n => n.GetProperty("id").GetString() == Id(first));
        Assert.DoesNotContain(queue.EnumerateArray(), n => n.GetProperty("id").GetString() == Id(second));

        // One listing row in the platform's register, whatever the number of notices.
        await using var connection = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "SELECT count(DISTINCT listing_id) FROM complaint_notice_listings WHERE notice_id = ANY(@ids)",
            new { ids = new[] { Guid.Parse(Id(first)), Guid.Parse(Id(second)) } }));

        // A notice with one listing already claimed and one new is reviewed for both, the claimed one linked.
        var mixed = world.Notice("dup-1");
        var body = JsonSerializer.SerializeToElement(mixed);
        var listing = JsonSerializer.Deserialize<Dictionary<string, object?>>(body.GetProperty("listings")[0].GetRawText())!;
        var fresh = new Dictionary<string, object?>(listing) { ["listingId"] = "dup-2", ["url"] = $"https://www.{Domain}/item/dup-2" };
        var both = await world.FileAsync(new
        {
            platformId = world.Platform.Id,
            kind = "counterfeit",
            rightIds = new[] { world.Right },
            listings = new[] { listing, fresh },
            goodFaith = true,
            signature = "Li Wei",
        });
        Assert.Equal("submitted", State(both));
        Assert.Equal(Id(first), both.GetProperty("listings")[0].GetProperty("linkedNoticeId").GetString());
        Assert.Null(Member(both.GetProperty("listings")[1], "linkedNoticeId"));
    }

    [Fact]
    public async Task An_agent_files_only_for_rights_its_authorisation_covers_on_the_day()
    {
        var world = await CreateAsync(factory, "CN");
        var agent = await ActorAsync(factory, OrganisationKind.Agent);

        // Not authorised: the right is not visible to the agent, or not held; refused naming the right, nothing written.
        var refused = await SendAsync(agent.Client, "/api/v1/complaints/notices", world.Notice("agent-1"));
        await AssertFieldErrorAsync(refused, "rightIds[0]", "complaint.right_unknown", "complaint.right_not_held");
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM complaint_notices WHERE complainant_org_id = @id", agent.Id));

        // Authorised by the holder until the end of next month: the agent files for the holder.
        var until = DateOnly.FromDateTime(factory.Clock.GetUtcNow().UtcDateTime).AddMonths(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var holderAdmin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, world.Holder.Id, Tracemark.Core.Accounts.Role.OrgAdmin));
        await PostAsync(holderAdmin, "/api/v1/agent-authorisations", new { agentId = agent.Id, rightIds = new[] { world.Right }, validUntil = until }, HttpStatusCode.Created);
        var filed = await world.FileAsync(world.Notice("agent-1"), agent.Client);
        Assert.Equal(agent.Id.ToString(), filed.GetProperty("complainant").GetProperty("id").GetString());
        Assert.Equal(world.Holder.Id.ToString(), filed.GetProperty("holder").GetProperty("id").GetString());

        // The holder sees its agent's notice.
        await GetAsync(world.Holder.Client, $"/api/v1/complaints/notices/{Id(filed)}");

        // After the authorisation ends, the agent is refused again.
        factory.Clock.Advance(TimeSpan.FromDays(70));
        var lapsed = await SendAsync(agent.Client, "/api/v1/complaints/notices", world.Notice("agent-2"));
        await AssertFieldErrorAsync(lapsed, "rightIds[0]", "complaint.right_unknown", "complaint.right_not_held");
    }

    [Fact]
    public async Task Strikes_against_a_seller_within_the_window_lead_to_one_suspension_recommendation()
    {
        var world = await CreateAsync(factory, "CN");
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, world.Platform.Id, Tracemark.Core.Accounts.Role.OrgAdmin));
        var policy = await admin.PutAsync($"/api/v1/complaints/platforms/{world.Platform.Id}", Json(new { strikeLimit = 2, strikeWindowDays = 30 }), Ct);
        Assert.True(policy.IsSuccessStatusCode, await policy.Content.ReadAsStringAsync(Ct));

        var seller = "repeat-" + Number();
        for (var i = 0; i < 3; i++)
        {
            var id = Id(await world.FileAsync(world.Notice($"strike-{seller}-{i}", seller: seller)));
            await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "Counterfeit." });
            factory.Clock.Advance(TimeSpan.FromDays(1));
        }

        // A no-action decision is not a strike.
        var declined = Id(await world.FileAsync(world.Notice($"strike-{seller}-x", seller: seller)));
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{declined}/decision", new { measure = "no_action", reasons = "Genuine goods." });

        var sellers = await GetAsync(world.Platform.Client, "/api/v1/complaints/sellers?q=" + seller);
        var row = Assert.Single(sellers.EnumerateArray());
        Assert.Equal(3, row.GetProperty("standingStrikes").GetInt32());
        Assert.NotNull(Member(row, "recommendation"));
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM complaint_recommendations WHERE platform_org_id = @id", world.Platform.Id));

        // Another seller with one strike has no recommendation.
        var other = Id(await world.FileAsync(world.Notice("strike-other", seller: "other-" + seller)));
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{other}/decision", new { measure = "remove", reasons = "Counterfeit." });
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM complaint_recommendations WHERE platform_org_id = @id", world.Platform.Id));
    }

    [Fact]
    public async Task The_seller_answers_through_its_link_without_an_account_and_a_revoked_link_opens_nothing()
    {
        var world = await CreateAsync(factory, "CN");
        var id = Id(await world.FileAsync(world.Notice("seller-link")));
        var decided = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "restrict", reasons = "Counterfeit." });
        var link = decided.GetProperty("sellerLink").GetProperty("path").GetString()!;

        var anonymous = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var page = await anonymous.GetAsync(link, Ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("seller-link", await page.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        // The seller answers through its page, with a file: the notice moves and the platform must forward it.
        var html = await page.Content.ReadAsStringAsync(Ct);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("Genuine goods from the distributor."), "Statement" },
            { new StringContent("星光小店"), "SellerName" },
            { new StringContent("shop88@example.cn"), "SellerContact" },
            { new StringContent("true"), "Affirmed" },
            { new StringContent(Seed.AntiforgeryToken(html)), "__RequestVerificationToken" },
        };
        var png = new ByteArrayContent([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
        form.Add(png, "Files", "invoice.png");
        var answered = await anonymous.PostAsync(link + "?handler=Counter", form, Ct);
        Assert.True(answered.StatusCode == HttpStatusCode.Redirect, $"{(int)answered.StatusCode}: {await answered.Content.ReadAsStringAsync(Ct)}");
        var again = await anonymous.GetAsync(link, Ct);
        Assert.True(again.StatusCode == HttpStatusCode.OK, $"{(int)again.StatusCode}: {await again.Content.ReadAsStringAsync(Ct)}");
        var countered = await GetAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}");
        Assert.Equal("counter_noticed", State(countered));
        Assert.Contains(countered.GetProperty("evidence").EnumerateArray(), e => e.GetProperty("party").GetString() == "seller");

        var renewed = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/seller-link", null);
        Assert.NotEqual(link, renewed.GetProperty("path").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(link, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/s/sl_guess", Ct)).StatusCode);
    }

    private async Task<long> CountAsync(string sql, Guid id)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { id });
    }

    internal static async Task AssertFieldErrorAsync(HttpResponseMessage response, string field, params string[] codes)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement;
        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        Assert.True(
            errors.Any(e => e.GetProperty("field").GetString() == field && codes.Contains(e.GetProperty("code").GetString())),
            $"no error on {field} with {string.Join("|", codes)} in {body}");
        Assert.All(errors, e => Assert.False(string.IsNullOrWhiteSpace(e.GetProperty("message").GetString())));
    }

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }
}
