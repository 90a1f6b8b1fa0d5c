using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Organisations;
using Tracemark.Server.Complaints;
using static Tracemark.Server.Tests.Complaints.ComplaintsWorld;
using static Tracemark.Server.Tests.Complaints.NoticeFlowTests;

namespace Tracemark.Server.Tests.Complaints;

/// <summary>
/// The intake's group commit: filings that wait together are written in one transaction, and what a batch can get
/// wrong is checked per filing (each request holds the queue until all its filings wait in it, then lets one batch take them).
/// </summary>
public sealed class IntakeBatchTests(ComplaintsFactory factory) : IClassFixture<ComplaintsFactory>
{
    private const string Path = "/api/v1/complaints/notices";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Two_filings_on_one_listing_in_one_batch_are_linked_not_doubled()
    {
        var world = await CreateAsync(factory, "CN");
        var responses = await InOneBatchAsync(
            () => SendAsync(world.Holder.Client, Path, world.Notice("same-listing"), Guid.NewGuid().ToString()),
            () => SendAsync(world.Holder.Client, Path, world.Notice("same-listing", title: $"{world.Mark} other words"), Guid.NewGuid().ToString()));
        var notices = await BodiesAsync(responses, HttpStatusCode.Created);

        var first = Assert.Single(notices, n => State(n) == "submitted");
        var second = Assert.Single(notices, n => State(n) == "linked");
        Assert.Equal(Id(first), second.GetProperty("linkedNoticeId").GetString());
        Assert.Equal(Id(first), second.GetProperty("listings")[0].GetProperty("linkedNoticeId").GetString());
        Assert.Null(Member(first.GetProperty("listings")[0], "linkedNoticeId"));

        // One listing on the platform, held by the first notice; each notice has its own listing row, event and audit entry.
        await using var connection = await factory.OpenOwnerConnectionAsync();
        var held = (await connection.QueryAsync<Guid?>(
            "SELECT open_notice_id FROM complaint_listings WHERE platform_org_id = @platform AND listing_key LIKE '%same-listing%'", new { platform = world.Platform.Id })).ToList();
        Assert.Equal(Guid.Parse(Id(first)), Assert.Single(held));

        // The first notice's review clock runs, as a row of the sweep's timers written with it; the linked one has no clock.
        var timers = (await connection.QueryAsync<(Guid Id, string State, DateTimeOffset Due)>(
            "SELECT notice_id, state, due_at FROM complaint_timers WHERE notice_id = ANY (@ids)", new { ids = notices.Select(n => Guid.Parse(Id(n))).ToArray() })).ToList();
        var timer = Assert.Single(timers);
        Assert.Equal((Guid.Parse(Id(first)), "submitted"), (timer.Id, timer.State));
        Assert.Equal(first.GetProperty("deadlines").GetProperty("reviewDue").GetDateTimeOffset(), timer.Due);
        foreach (var notice in notices)
        {
            var id = Guid.Parse(Id(notice));
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_notice_listings WHERE notice_id = @id", new { id }));
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_events WHERE notice_id = @id AND action = 'file'", new { id }));
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'complaint.file' AND record_id = @id", new { id = id.ToString() }));

            // The platform hears of each: filed, or linked.
            var kind = State(notice) == "linked" ? "complaint.linked" : "complaint.filed";
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM notifications WHERE recipient_org_id = @platform AND kind = @kind AND subject_id = @id",
                new { platform = world.Platform.Id, kind, id = id.ToString() }));
        }

        // The answers are the notices as a read shows them.
        foreach (var notice in notices)
        {
            var read = await GetAsync(world.Holder.Client, $"{Path}/{Id(notice)}");
            Assert.Equal(State(notice), State(read));
            Assert.Equal(notice.GetProperty("listings").GetRawText(), read.GetProperty("listings").GetRawText());
            Assert.Equal(notice.GetProperty("rights").GetRawText(), read.GetProperty("rights").GetRawText());
        }
    }

    [Fact]
    public async Task A_batch_answers_each_notice_exactly_as_a_read_shows_it()
    {
        // The answers are built from what the batch wrote rather than read back: a price the column rounds, a whole
        // price it shows with two decimals, several rights, several listings, a listing linked to an earlier filing of
        // the batch and the timeline's detail must all come out as a read gives them.
        var world = await CreateAsync(factory, "CN");
        var second = await RightAsync(world.Holder.Client, "Aardvark" + Number());
        var several = new
        {
            platformId = world.Platform.Id,
            kind = "counterfeit",
            rightIds = new[] { world.Right, second },
            listings = new object[]
            {
                new { listingId = "whole-1", url = $"https://www.{Domain}/item/whole-1", sellerId = "shop-1", title = $"{world.Mark} jacket", price = 12.345m, currency = "cny" },
                new { listingId = "whole-2", url = $"https://www.{Domain}/item/whole-2", sellerId = "shop-2", sellerName = "店", title = $"{world.Mark} 高仿", price = 7m, currency = "CNY", snapshotText = $"{world.Mark} 原单" },
            },
            description = "Two listings",
            goodFaith = true,
            signature = "Li Wei",
        };
        var responses = await InOneBatchAsync(
            () => SendAsync(world.Holder.Client, Path, several, Guid.NewGuid().ToString()),
            () => SendAsync(world.Holder.Client, Path, world.Notice("whole-1"), Guid.NewGuid().ToString()),
            () => SendAsync(world.Holder.Client, Path, world.Notice("whole-3"), Guid.NewGuid().ToString()));
        var notices = await BodiesAsync(responses, HttpStatusCode.Created);

        Assert.Equal("12.35", notices[0].GetProperty("listings")[0].GetProperty("price").GetRawText());
        Assert.Equal("7.00", notices[0].GetProperty("listings")[1].GetProperty("price").GetRawText());
        Assert.Equal(2, notices[0].GetProperty("rights").GetArrayLength());
        Assert.Equal("linked", State(notices[1]));
        foreach (var notice in notices)
        {
            var read = await GetAsync(world.Holder.Client, $"{Path}/{Id(notice)}");
            Assert.Equal(read.GetRawText(), notice.GetRawText());
        }
    }

    [Fact]
    public async Task One_bad_filing_in_a_batch_gets_its_own_problem_and_the_others_are_filed()
    {
        var world = await CreateAsync(factory, "CN");
        var expired = await RightAsync(world.Holder.Client, "Lapsed" + Number(), status: "registered", expires: "2025-12-31");
        var badKey = Guid.NewGuid().ToString();
        var responses = await InOneBatchAsync(
            () => SendAsync(world.Holder.Client, Path, world.Notice("mixed-1"), Guid.NewGuid().ToString()),
            () => SendAsync(world.Holder.Client, Path, world.Notice("mixed-2", rights: [world.Right, expired]), badKey),
            () => SendAsync(world.Holder.Client, Path, world.Notice("mixed-3"), Guid.NewGuid().ToString()));

        Assert.Equal(HttpStatusCode.Created, responses[0].StatusCode);
        Assert.Equal(HttpStatusCode.Created, responses[2].StatusCode);
        await AssertFieldErrorAsync(responses[1], "rightIds[1]", "complaint.right_expired", "complaint.right_not_in_force");
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM complaint_notices WHERE complainant_org_id = @id", world.Holder.Id));
        Assert.Equal(0, await CountAsync(
            "SELECT count(*) FROM complaint_notice_listings l JOIN complaint_notices n ON n.id = l.notice_id WHERE n.complainant_org_id = @id AND l.listing_ref = 'mixed-2'", world.Holder.Id));

        // The refused filing's key was not used up: corrected, it is filed.
        var corrected = await SendAsync(world.Holder.Client, Path, world.Notice("mixed-2"), badKey);
        Assert.Equal(HttpStatusCode.Created, corrected.StatusCode);
        Assert.Equal(3, await CountAsync("SELECT count(*) FROM complaint_notices WHERE complainant_org_id = @id", world.Holder.Id));
    }

    [Fact]
    public async Task A_retry_queued_beside_its_first_copy_replays_its_answer_and_files_nothing_twice()
    {
        var world = await CreateAsync(factory, "CN");
        var key = Guid.NewGuid().ToString();
        var notice = world.Notice("queued-twice");
        var other = Guid.NewGuid().ToString();
        var responses = await InOneBatchAsync(
            () => SendAsync(world.Holder.Client, Path, notice, key),
            () => SendAsync(world.Holder.Client, Path, notice, key),
            () => SendAsync(world.Holder.Client, Path, world.Notice("queued-other"), key),
            () => SendAsync(world.Holder.Client, Path, world.Notice("queued-unrelated"), other));

        Assert.Equal(HttpStatusCode.Created, responses[0].StatusCode);
        Assert.Equal(HttpStatusCode.Created, responses[1].StatusCode);
        Assert.Equal(await responses[0].Content.ReadAsStringAsync(Ct), await responses[1].Content.ReadAsStringAsync(Ct));
        Assert.Equal(responses[0].Headers.Location, responses[1].Headers.Location);
        Assert.Equal(1, new[] { responses[0], responses[1] }.Count(r => r.Headers.Contains("Idempotent-Replayed")));

        // The same key with another body, queued with them: refused, nothing filed for it.
        var problem = await ProblemAsync(responses[2], HttpStatusCode.UnprocessableEntity);
        Assert.Equal("idempotency.key_reused", problem.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Created, responses[3].StatusCode);
        Assert.Equal(2, await CountAsync("SELECT count(*) FROM complaint_notices WHERE complainant_org_id = @id", world.Holder.Id));
    }

    [Fact]
    public async Task A_caller_without_the_right_in_the_same_batch_as_its_holder_is_refused()
    {
        var world = await CreateAsync(factory, "CN");
        var stranger = await ActorAsync(factory, OrganisationKind.RightsHolder);
        var agent = await ActorAsync(factory, OrganisationKind.Agent);
        var platformCaller = world.Platform;
        var responses = await InOneBatchAsync(
            () => SendAsync(world.Holder.Client, Path, world.Notice("rights-1"), Guid.NewGuid().ToString()),
            () => SendAsync(stranger.Client, Path, world.Notice("rights-2"), Guid.NewGuid().ToString()),
            () => SendAsync(agent.Client, Path, world.Notice("rights-3"), Guid.NewGuid().ToString()),
            () => SendAsync(platformCaller.Client, Path, world.Notice("rights-4"), Guid.NewGuid().ToString()));

        Assert.Equal(HttpStatusCode.Created, responses[0].StatusCode);
        await AssertFieldErrorAsync(responses[1], "rightIds[0]", "complaint.right_unknown", "complaint.right_not_held");
        await AssertFieldErrorAsync(responses[2], "rightIds[0]", "complaint.right_unknown", "complaint.right_not_held");
        Assert.Equal(HttpStatusCode.Forbidden, responses[3].StatusCode);
        Assert.Equal(1, await CountAsync("SELECT count(*) FROM complaint_notices WHERE complainant_org_id = @id", world.Holder.Id));
        foreach (var refused in new[] { stranger.Id, agent.Id, platformCaller.Id })
        {
            Assert.Equal(0, await CountAsync("SELECT count(*) FROM complaint_notices WHERE complainant_org_id = @id", refused));
        }

        // The holder's notice names the holder's caller in its audit entry, not another's.
        Assert.Equal(1, await CountAsync(
            "SELECT count(*) FROM audit_events a JOIN complaint_notices n ON n.id::text = a.record_id WHERE a.action = 'complaint.file' AND n.complainant_org_id = @id AND a.organisation_id = @id", world.Holder.Id));
    }

    /// <summary>Sends the requests while the intake is held, each once the one before is queued, then lets one batch take them all.</summary>
    private async Task<HttpResponseMessage[]> InOneBatchAsync(params Func<Task<HttpResponseMessage>>[] requests)
    {
        var intake = factory.Services.GetRequiredService<FilingIntake>();
        var sent = new List<Task<HttpResponseMessage>>();
        await using (await intake.HoldAsync(Ct))
        {
            // One at a time, so the queue holds them in the order given.
            foreach (var request in requests)
            {
                sent.Add(request());
                for (var attempt = 0; intake.Waiting < sent.Count; attempt++)
                {
                    Assert.True(attempt < 200, $"Only {intake.Waiting} of {sent.Count} filings reached the queue.");
                    await Task.Delay(20, Ct);
                }
            }
        }

        var all = Task.WhenAll(sent);
        var answered = await all;

        // Each answer came from the batch itself, not from filing its members again one by one.
        Assert.Equal(0, intake.BatchesFiledOneByOne);
        return answered;
    }

    private static async Task<List<JsonElement>> BodiesAsync(IEnumerable<HttpResponseMessage> responses, HttpStatusCode expected)
    {
        var bodies = new List<JsonElement>();
        foreach (var response in responses)
        {
            var text = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
            bodies.Add(JsonDocument.Parse(text).RootElement.Clone());
        }

        return bodies;
    }

    private async Task<long> CountAsync(string sql, Guid id)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql, new { id });
    }
}
