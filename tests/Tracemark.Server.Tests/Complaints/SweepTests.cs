using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using static Tracemark.Server.Tests.Complaints.ComplaintsWorld;

namespace Tracemark.Server.Tests.Complaints;

/// <summary>
/// What the deadline sweep leaves behind for every notice it restores, written in batches for the whole set:
/// the state, the timeline event, the audit entry, the listing free again, the strikes void, and the parties'
/// notifications; and that sweeps running at once, or again, restore each notice once.
/// </summary>
public sealed class SweepTests(ComplaintsFactory factory) : IClassFixture<ComplaintsFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_restored_notice_gets_its_event_audit_entry_free_listing_void_strike_and_notifications_once()
    {
        var world = await CreateAsync(factory, "CN");
        var admin = await factory.SignedInClientAsync(await Seed.UserAsync(factory, world.Platform.Id, Tracemark.Core.Accounts.Role.OrgAdmin));
        var hook = await admin.PutAsync("/api/v1/webhooks", Json(new { url = "https://hooks.platform.test/sweep", events = new[] { "complaint.restored" } }), Ct);
        Assert.True(hook.IsSuccessStatusCode, await hook.Content.ReadAsStringAsync(Ct));

        var ids = new List<string>();
        DateTimeOffset notBefore = default;
        for (var i = 0; i < 3; i++)
        {
            var id = Id(await world.FileAsync(world.Notice($"sweep-{i}-{Number()}", seller: "sweep-shop-" + i)));
            await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "Counterfeit." });
            await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/counter-notice", new { statement = "Genuine.", sellerName = "Shop", sellerContact = "s@example.com", affirmed = true });
            var forwarded = await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/forward", null);
            notBefore = forwarded.GetProperty("deadlines").GetProperty("restoreNotBefore").GetDateTimeOffset();
            ids.Add(id);
        }

        await using var connection = await factory.OpenOwnerConnectionAsync();
        var notices = ids.Select(Guid.Parse).ToArray();
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_strikes WHERE notice_id = ANY (@notices) AND voided_at IS NULL", new { notices }));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_listings WHERE open_notice_id = ANY (@notices)", new { notices }));

        // Two sweeps at once (each itself runs batches at once), then another: every notice is restored exactly once.
        factory.Clock.Set(notBefore);
        var sweeps = await Task.WhenAll(factory.SweepAsync(), factory.SweepAsync());
        Assert.Equal(3, sweeps.Sum(s => s.Restored));
        Assert.Equal(0, (await factory.SweepAsync()).Restored);

        foreach (var id in ids)
        {
            var notice = await GetAsync(world.Holder.Client, $"/api/v1/complaints/notices/{id}");
            Assert.Equal("restored", State(notice));
            Assert.Equal(notBefore, notice.GetProperty("deadlines").GetProperty("restoredAt").GetDateTimeOffset());
            var restore = Assert.Single(notice.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("action").GetString() == "restore");
            Assert.Equal("system", restore.GetProperty("party").GetString());
        }

        var audit = (await connection.QueryAsync<(string RecordId, string Before, string After, Guid? Owner)>(
            "SELECT record_id, before::text, after::text, record_owner_id FROM audit_events WHERE action = 'complaint.restore' AND record_type = 'complaint_notice' AND record_id = ANY (@ids)",
            new { ids = ids.ToArray() })).ToList();
        Assert.Equal(ids.Order(StringComparer.Ordinal), audit.Select(a => a.RecordId).Order(StringComparer.Ordinal));
        Assert.All(audit, a =>
        {
            Assert.Equal("counter_notice_forwarded", JsonDocument.Parse(a.Before).RootElement.GetProperty("state").GetString());
            Assert.Equal("restored", JsonDocument.Parse(a.After).RootElement.GetProperty("state").GetString());
            Assert.Equal(world.Holder.Id, a.Owner);
        });

        // The listings are free: nothing holds them, and the strikes the measure caused no longer count.
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_listings WHERE open_notice_id = ANY (@notices)", new { notices }));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM complaint_strikes WHERE notice_id = ANY (@notices) AND voided_at = @notBefore AND void_reason = 'restore'", new { notices, notBefore }));

        // Each party is told once per notice in its inbox; the platform, which asked for the event, once per notice by webhook.
        var told = (await connection.QueryAsync<(string SubjectId, Guid Recipient, string Channel, string Payload)>(
            "SELECT subject_id, recipient_org_id, channel, payload::text FROM notifications WHERE kind = 'complaint.restored' AND subject_id = ANY (@ids)",
            new { ids = ids.ToArray() })).ToList();
        foreach (var id in ids)
        {
            var inbox = told.Where(n => n.SubjectId == id && n.Channel == "in_app").ToList();
            Assert.Equal([world.Holder.Id, world.Platform.Id], inbox.Select(n => n.Recipient).Order());
            Assert.All(inbox, n => Assert.EndsWith(" down jacket 1:1 replica", JsonDocument.Parse(n.Payload).RootElement.GetProperty("title").GetString(), StringComparison.Ordinal));
            var webhook = Assert.Single(told, n => n.SubjectId == id && n.Channel == "webhook");
            Assert.Equal(world.Platform.Id, webhook.Recipient);
            var payload = JsonDocument.Parse(webhook.Payload).RootElement;
            Assert.Equal("restored", payload.GetProperty("state").GetString());
            Assert.Equal("counter_notice_forwarded", payload.GetProperty("previousState").GetString());
        }

        // The holder's inbox words it with the listing's title.
        var holderInbox = await world.Holder.Client.GetFromJsonAsync<JsonElement>("/api/v1/notifications", Ct);
        Assert.Contains(holderInbox.GetProperty("items").EnumerateArray(), n => n.GetProperty("kind").GetString() == "complaint.restored"
            && n.GetProperty("text").GetString()!.Contains("was restored", StringComparison.Ordinal));

        // A new notice on a restored listing is reviewed on its own, not linked to the closed one.
        var listing = await connection.ExecuteScalarAsync<string>(
            "SELECT l.listing_key FROM complaint_notice_listings nl JOIN complaint_listings l ON l.id = nl.listing_id WHERE nl.notice_id = @id", new { id = notices[0] });
        var again = await world.FileAsync(world.Notice(listing!));
        Assert.Equal("submitted", State(again));
    }
}
