using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Complaints;
using Tracemark.Server.Complaints;
using Tracemark.Server.Notifications.Webhooks;
using static Tracemark.Server.Tests.Complaints.ComplaintsWorld;

namespace Tracemark.Server.Tests.Complaints;

/// <summary>
/// What the deadline sweep leaves behind for every notice it restores, written in batches for the whole set:
/// the state, the timeline event, the strikes void and the platform's webhook event per notice (in batched deliveries); the audit entry and
/// the parties' inbox notification per organisation and batch, naming the notices; the listing free again
/// (derived from the notice's state); and that sweeps running at once, or again, restore each notice once.
/// </summary>
public sealed class SweepTests(ComplaintsFactory factory) : IClassFixture<ComplaintsFactory>
{
    /// <summary>Listings held by the given notices: claimed by one, while it is in a state that holds listings.</summary>
    private const string HeldListings =
        "SELECT count(*) FROM complaint_listings l JOIN complaint_notices n ON n.id = l.open_notice_id WHERE n.id = ANY (@notices) AND tm_complaint_holds_listings(n.state)";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static List<string> Notices(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("notices").EnumerateArray().Select(e => e.GetString()!).ToList();

    [Fact]
    public async Task Each_restored_notice_gets_its_event_void_strike_and_webhook_once_and_is_named_once_in_the_batch_audit_and_inbox()
    {
        var world = await CreateAsync(factory, "CN");
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, world.Platform.Id, Tracemark.Core.Accounts.Role.OrgAdmin));
        var hook = await admin.PutAsync("/api/v1/webhooks", Json(new { url = "https://hooks.platform.test/sweep", events = new[] { "complaint.restored" } }), Ct);
        Assert.True(hook.IsSuccessStatusCode, await hook.Content.ReadAsStringAsync(Ct));
        var secret = (await hook.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("secret").GetString()!;

        var ids = new List<string>();
        DateTimeOffset notBefore = default;
        for (var i = 0; i < 3; i++)
        {
            (var id, notBefore) = await world.ForwardedAsync($"sweep-{i}-{Number()}", "sweep-shop-" + i);
            ids.Add(id);
        }

        await using var connection = await factory.OpenOwnerConnectionAsync();
        var notices = ids.Select(Guid.Parse).ToArray();
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_strikes WHERE notice_id = ANY (@notices) AND voided_at IS NULL", new { notices }));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>(HeldListings, new { notices }));

        // Two sweeps at once (each itself runs batches at once), then another: every notice is restored exactly once.
        factory.Clock.Set(notBefore);
        var sweeps = await Task.WhenAll(factory.SweepAsync(), factory.SweepAsync());
        Assert.Equal(3, sweeps.Sum(s => s.Restored));
        Assert.Equal(0, (await factory.SweepAsync()).Restored);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timers WHERE notice_id = ANY (@notices)", new { notices }));

        foreach (var id in ids)
        {
            var notice = await GetAsync(world.Holder.Client, $"/api/v1/complaints/notices/{id}");
            Assert.Equal("restored", State(notice));
            Assert.Equal(notBefore, notice.GetProperty("deadlines").GetProperty("restoredAt").GetDateTimeOffset());
            var restore = Assert.Single(notice.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("action").GetString() == "restore");
            Assert.Equal("system", restore.GetProperty("party").GetString());
        }

        // The audit: rows of the system's restore for the complainant, naming every notice exactly once (two sweeps
        // at once may split the three between batches), and nothing per notice any more.
        var audit = (await connection.QueryAsync<(string? RecordId, string Before, string After, Guid? Owner, string Detail)>(
            "SELECT record_id, before::text, after::text, record_owner_id, detail::text FROM audit_events WHERE action = 'complaint.restore' AND detail -> 'notices' ?| @ids",
            new { ids = ids.ToArray() })).ToList();
        Assert.NotEmpty(audit);
        Assert.Equal(ids.Order(StringComparer.Ordinal), audit.SelectMany(a => Notices(a.Detail)).Order(StringComparer.Ordinal));
        Assert.All(audit, a =>
        {
            Assert.Null(a.RecordId);
            Assert.Equal("counter_notice_forwarded", JsonDocument.Parse(a.Before).RootElement.GetProperty("state").GetString());
            Assert.Equal("restored", JsonDocument.Parse(a.After).RootElement.GetProperty("state").GetString());
            Assert.Equal(world.Holder.Id, a.Owner);
            var detail = JsonDocument.Parse(a.Detail).RootElement;
            Assert.Equal("system", detail.GetProperty("by").GetString());
            Assert.Equal("restore_due", detail.GetProperty("reason").GetString());
            Assert.Equal(Notices(a.Detail).Count, detail.GetProperty("count").GetInt32());
        });
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events WHERE action = 'complaint.restore' AND record_id = ANY (@ids)", new { ids = ids.ToArray() }));

        // The listings are free: their notices no longer hold them, and the strikes the measure caused no longer count.
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(HeldListings, new { notices }));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM complaint_strikes WHERE notice_id = ANY (@notices) AND voided_at = @notBefore AND void_reason = 'restore'", new { notices, notBefore }));

        // Webhooks: every state change is an event of a delivery to the platform, which asked for the event (one
        // delivery per batch and subscriber, so two sweeps at once may give two), each notice in exactly one;
        // nothing per notice in an inbox.
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE kind = 'complaint.restored' AND channel = 'in_app' AND subject_id = ANY (@ids)", new { ids = ids.ToArray() }));
        var hooks = (await connection.QueryAsync<(Guid Id, Guid Recipient, string? SubjectId, string Payload)>(
            """
            SELECT id, recipient_org_id, subject_id, payload::text FROM notifications
            WHERE kind = 'complaint.restored' AND channel = 'webhook'
              AND EXISTS (SELECT 1 FROM jsonb_array_elements(payload -> 'events') e WHERE e ->> 'noticeId' = ANY (@ids))
            """,
            new { ids = ids.ToArray() })).ToList();
        Assert.NotEmpty(hooks);
        Assert.All(hooks, h =>
        {
            Assert.Equal(world.Platform.Id, h.Recipient);
            Assert.Null(h.SubjectId);
            var payload = JsonDocument.Parse(h.Payload).RootElement;
            Assert.Equal("complaint.restored", payload.GetProperty("event").GetString());
            Assert.Equal(payload.GetProperty("events").GetArrayLength(), payload.GetProperty("count").GetInt32());
        });
        var events = hooks.SelectMany(h => JsonDocument.Parse(h.Payload).RootElement.GetProperty("events").EnumerateArray().Select(e => e.Clone())).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), events.Select(e => e.GetProperty("noticeId").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(events, e =>
        {
            Assert.Equal("restored", e.GetProperty("state").GetString());
            Assert.Equal("counter_notice_forwarded", e.GetProperty("previousState").GetString());
            Assert.Equal(notBefore, e.GetProperty("occurredAt").GetDateTimeOffset());
            Assert.Equal(world.Holder.Id.ToString(), e.GetProperty("complainantId").GetString());
            Assert.Equal("/complaints/" + e.GetProperty("noticeId").GetString(), e.GetProperty("link").GetString());
        });

        // Delivered signed; a failed delivery is retried whole, with the same delivery id and the same events.
        while (factory.Receiver.Received.TryDequeue(out _))
        {
        }

        factory.Receiver.FailuresLeft = 1;
        await factory.DispatchAsync();
        factory.Clock.Advance(TimeSpan.FromSeconds(61));
        await factory.DispatchAsync();
        var received = factory.Receiver.Received.Where(r => r.Headers[WebhookSignature.EventHeader] == "complaint.restored").ToList();
        Assert.Equal(hooks.Count + 1, received.Count);
        foreach (var delivery in hooks)
        {
            var attempts = received.Where(r => r.Headers[WebhookSignature.DeliveryHeader] == delivery.Id.ToString()).ToList();
            Assert.NotEmpty(attempts);
            Assert.Single(attempts.Select(a => a.Body).Distinct(StringComparer.Ordinal));
            var (_, body, headers) = attempts[^1];
            Assert.True(WebhookSignature.Verify(secret, headers[WebhookSignature.Header], Encoding.UTF8.GetBytes(body), factory.Clock.GetUtcNow(), TimeSpan.FromMinutes(5)));
            var sent = JsonDocument.Parse(body).RootElement;
            Assert.Equal("complaint.restored", sent.GetProperty("type").GetString());
            Assert.False(sent.TryGetProperty("subject", out _));
            Assert.Equal(
                JsonDocument.Parse(delivery.Payload).RootElement.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("noticeId").GetString()),
                sent.GetProperty("data").GetProperty("events").EnumerateArray().Select(e => e.GetProperty("noticeId").GetString()));
        }

        // The inbox: each party (the holder, who filed, and the platform) gets one notification per batch naming
        // how many of its notices were restored and which, each of ours exactly once.
        var inbox = (await connection.QueryAsync<(Guid Recipient, string? SubjectId, string Payload)>(
            "SELECT recipient_org_id, subject_id, payload::text FROM notifications WHERE kind = 'complaint.restored_batch' AND channel = 'in_app' AND payload -> 'notices' ?| @ids",
            new { ids = ids.ToArray() })).ToList();
        foreach (var party in new[] { world.Holder.Id, world.Platform.Id })
        {
            var mine = inbox.Where(n => n.Recipient == party).ToList();
            Assert.Equal(ids.Order(StringComparer.Ordinal), mine.SelectMany(n => Notices(n.Payload)).Order(StringComparer.Ordinal));
            Assert.All(mine, n =>
            {
                Assert.Null(n.SubjectId);
                var payload = JsonDocument.Parse(n.Payload).RootElement;
                Assert.Equal(Notices(n.Payload).Count, payload.GetProperty("count").GetInt32());
                Assert.Equal("/complaints?state=restored", payload.GetProperty("link").GetString());
            });
        }

        Assert.Equal(2, inbox.Select(n => n.Recipient).Distinct().Count());

        // What the holder reads in its inbox, in English and in Chinese: the count, linking to its restored notices.
        var restoredBatches = inbox.Where(n => n.Recipient == world.Holder.Id).ToList();
        foreach (var (language, words) in new[] { ("en", "Notices restored: {0}. No complaint or lawsuit was shown in time."), ("zh-CN", "已恢复 {0} 件通知：期限内未收到投诉或起诉证明。") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/notifications?limit=100");
            request.Headers.AcceptLanguage.ParseAdd(language);
            var response = await world.Holder.Client.SendAsync(request, Ct);
            Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
            var items = (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("items").EnumerateArray()
                .Where(n => n.GetProperty("kind").GetString() == "complaint.restored_batch").ToList();
            Assert.Equal(restoredBatches.Count, items.Count);
            Assert.All(items, n =>
            {
                var count = n.GetProperty("payload").GetProperty("count").GetInt32();
                Assert.Equal(string.Format(System.Globalization.CultureInfo.InvariantCulture, words, count), n.GetProperty("text").GetString());
                Assert.Equal("/complaints?state=restored", n.GetProperty("link").GetString());
            });
            Assert.Equal(3, items.Sum(n => n.GetProperty("payload").GetProperty("count").GetInt32()));
        }

        // The link's page lists the restored notices.
        var listed = await GetAsync(world.Holder.Client, "/api/v1/complaints/notices?state=restored&limit=100");
        Assert.Superset(ids.ToHashSet(StringComparer.Ordinal), listed.GetProperty("items").EnumerateArray().Select(n => n.GetProperty("id").GetString()!).ToHashSet(StringComparer.Ordinal));

        // A new notice on a restored listing is reviewed on its own, not linked to the closed one.
        var listing = await connection.ExecuteScalarAsync<string>(
            "SELECT l.listing_key FROM complaint_notice_listings nl JOIN complaint_listings l ON l.id = nl.listing_id WHERE nl.notice_id = @id", new { id = notices[0] });
        var again = await world.FileAsync(world.Notice(listing!));
        Assert.Equal("submitted", State(again));
    }

    /// <summary>
    /// A batch's notices are grouped by their three parties and each group's list is made once: an organisation
    /// in one group is named that list, one in several gets the groups' lists merged. What could go wrong: an
    /// organisation in two groups getting two rows, a list naming another's notices, missing one, naming one
    /// twice, out of order, or a count that is not the list's.
    /// </summary>
    [Fact]
    public async Task An_organisation_in_several_groups_of_a_batch_gets_one_audit_row_and_one_inbox_row_naming_all_its_notices_in_order()
    {
        var a = await CreateAsync(factory, "CN");
        var b = await CreateAsync(factory, "CN");
        await using var connection = await factory.OpenOwnerConnectionAsync();
        var due = factory.Clock.GetUtcNow().AddDays(-2);

        // Holder A files with both platforms (two groups with A as complainant), holder B with platform A (so
        // platform A is in two groups, with two complainants); platform B and holder B are in one group each.
        async Task<Guid[]> InsertAsync(Guid holder, Guid platform) => (await connection.QueryAsync<Guid>(
            """
            INSERT INTO complaint_notices (id, complainant_org_id, holder_org_id, platform_org_id, jurisdiction, kind, state, good_faith_statement, signature,
                measure, measure_reasons, decided_at, review_due_at, counter_notice_at, forwarded_at, restore_not_before, restore_latest, next_timer_at, created_at, updated_at)
            SELECT tm_uuid7(@due), @holder, @holder, @platform, 'CN', 'counterfeit', 'counter_notice_forwarded', 'good faith', 'sig',
                'remove', 'counterfeit', @due, @due, @due, @due, @due, @due, @due, @due, @due
            FROM generate_series(1, 12)
            RETURNING id
            """,
            new { due, holder, platform })).ToArray();
        var aWithA = await InsertAsync(a.Holder.Id, a.Platform.Id);
        var aWithB = await InsertAsync(a.Holder.Id, b.Platform.Id);
        var bWithA = await InsertAsync(b.Holder.Id, a.Platform.Id);
        var all = aWithA.Concat(aWithB).Concat(bWithA).ToArray();
        await connection.ExecuteAsync("SELECT tm_complaint_timers_sync(@all)", new { all });

        Assert.True((await factory.SweepAsync()).Restored >= all.Length);
        Assert.Equal(all.Length, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_notices WHERE id = ANY (@all) AND state = 'restored'", new { all }));

        // One sweep takes each worker's slot (the id's last byte modulo the workers) in one batch, as these are
        // fewer than a batch: so an organisation gets one row per slot holding any of its notices, and that row
        // names exactly its notices of that slot, sorted.
        static List<List<string>> Expected(IEnumerable<Guid> notices) => notices
            .Select(n => n.ToString())
            .GroupBy(n => Convert.ToInt32(n[^2..], 16) % ComplaintSweep.Workers)
            .Select(slot => slot.Order(StringComparer.Ordinal).ToList())
            .OrderBy(list => list[0], StringComparer.Ordinal)
            .ToList();
        async Task<List<List<string>>> RowsAsync(string sql, Guid org)
        {
            var rows = (await connection.QueryAsync<string>(sql, new { org, ids = all.Select(n => n.ToString()).ToArray() })).ToList();
            Assert.All(rows, json => Assert.Equal(Notices(json).Count, JsonDocument.Parse(json).RootElement.GetProperty("count").GetInt32()));
            return rows.Select(Notices).OrderBy(list => list[0], StringComparer.Ordinal).ToList();
        }

        const string Audit = "SELECT detail::text FROM audit_events WHERE action = 'complaint.restore' AND record_owner_id = @org AND detail -> 'notices' ?| @ids";
        Assert.Equal(Expected(aWithA.Concat(aWithB)), await RowsAsync(Audit, a.Holder.Id));
        Assert.Equal(Expected(bWithA), await RowsAsync(Audit, b.Holder.Id));

        const string Inbox = "SELECT payload::text FROM notifications WHERE kind = 'complaint.restored_batch' AND channel = 'in_app' AND recipient_org_id = @org AND payload -> 'notices' ?| @ids";
        Assert.Equal(Expected(aWithA.Concat(aWithB)), await RowsAsync(Inbox, a.Holder.Id));
        Assert.Equal(Expected(aWithA.Concat(bWithA)), await RowsAsync(Inbox, a.Platform.Id));
        Assert.Equal(Expected(aWithB), await RowsAsync(Inbox, b.Platform.Id));
        Assert.Equal(Expected(bWithA), await RowsAsync(Inbox, b.Holder.Id));
    }

    /// <summary>
    /// A listing's claim is derived from the claiming notice's state in the database: the states it counts as
    /// holding must be the workflow's, or a closed notice would keep (or an open one lose) its listings.
    /// </summary>
    [Fact]
    public async Task The_database_counts_the_same_states_as_holding_listings_as_the_workflow()
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        foreach (var state in Enum.GetValues<NoticeState>())
        {
            var wire = ComplaintWire.ToWire(state);
            Assert.Equal(NoticeWorkflow.HoldsListings(state), await connection.ExecuteScalarAsync<bool>("SELECT tm_complaint_holds_listings(@wire)", new { wire }));
        }

        // Every transition out of a holding state into one that holds nothing is one that released the listings.
        Assert.All(
            NoticeWorkflow.Transitions.Where(t => NoticeWorkflow.HoldsListings(t.From) && !NoticeWorkflow.HoldsListings(t.To)),
            t => Assert.True(t.Effects.HasFlag(TransitionEffects.ReleasesListings), $"{t.From} -> {t.To}"));

        // And no transition leaves a state that holds nothing for one that holds listings (closed notices stay closed).
        Assert.DoesNotContain(NoticeWorkflow.Transitions, t => !NoticeWorkflow.HoldsListings(t.From) && NoticeWorkflow.HoldsListings(t.To));
    }
}
