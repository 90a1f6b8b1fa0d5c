using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Organisations;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Data;
using static Tracemark.Server.Tests.Rights.RightsWorld;

namespace Tracemark.Server.Tests.Rights;

/// <summary>
/// Customs recordations and their renewal reminders, moved through time with the ManualClock: a reminder
/// 30 days before expiry, exactly once, however often the worker runs; a renewal earns a new one.
/// </summary>
public sealed class RecordationReminderTests(QuietFactory factory) : IClassFixture<QuietFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_renewal_reminder_comes_30_days_before_expiry_exactly_once_and_again_after_renewal()
    {
        // The test jumps a year ahead: a key that outlives it, where a session would have expired.
        var holderId = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        var holder = new Party(holderId, factory.ApiClient(await Seed.ApiKeyAsync(factory, holderId, ["read", "write"], factory.Clock.GetUtcNow().AddYears(5))));
        var customs = await Seed.OrganisationAsync(factory, OrganisationKind.Customs);
        var right = await CreateRightAsync(holder.Client, Trademark("90000001", "Remindmark", "提醒标"));
        var today = DateOnly.FromDateTime(factory.Clock.GetUtcNow().UtcDateTime);
        var recordation = await PostAsync(holder.Client, "/api/v1/recordations", new
        {
            kind = "application_for_action",
            rightIds = new[] { right.GetProperty("id").GetGuid() },
            jurisdiction = "EUIPO",
            reference = "AFA-2026-0001",
            authorities = new[] { "Nordhafen Main Customs Office" },
            authorityOrgIds = new[] { customs },
            goods = "Jackets bearing the Remindmark mark",
            status = "granted",
            validFrom = Format(today),
            validUntil = Format(today.AddDays(45)),
        });
        var id = recordation.GetProperty("id").GetString();
        Assert.Equal("EM", recordation.GetProperty("jurisdiction").GetString());

        await RunAsync(times: 3);
        Assert.Equal(0, await RemindersAsync(id!));

        factory.Clock.Advance(TimeSpan.FromDays(14));
        await RunAsync(times: 1);
        Assert.Equal(0, await RemindersAsync(id!));

        factory.Clock.Advance(TimeSpan.FromDays(1));
        await Task.WhenAll(RunAsync(times: 2), RunAsync(times: 2), RunAsync(times: 2));
        Assert.Equal(1, await RemindersAsync(id!));
        factory.Clock.Advance(TimeSpan.FromDays(3));
        await RunAsync(times: 2);
        Assert.Equal(1, await RemindersAsync(id!));

        var inbox = await GetAsync(holder.Client, "/api/v1/notifications?unread=true");
        var reminder = inbox.GetProperty("items").EnumerateArray().Single(n => n.GetProperty("kind").GetString() == "recordation.expiring");
        Assert.Contains("AFA-2026-0001", reminder.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Contains(Format(today.AddDays(45)), reminder.GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Equal($"/recordations/{id}", reminder.GetProperty("link").GetString());
        var unread = (await GetAsync(holder.Client, "/api/v1/notifications/unread-count")).GetProperty("unread").GetInt32();
        Assert.Equal(HttpStatusCode.NoContent, (await holder.Client.PostAsync($"/api/v1/notifications/{reminder.GetProperty("id").GetString()}/read", null, _ct)).StatusCode);
        Assert.Equal(unread - 1, (await GetAsync(holder.Client, "/api/v1/notifications/unread-count")).GetProperty("unread").GetInt32());

        // Renewed for a year: a new expiry date, a new reminder when its time comes, not before.
        var renewed = await holder.Client.PatchAsync($"/api/v1/recordations/{id}", Json(new { validUntil = Format(today.AddDays(45 + 365)) }), _ct);
        Assert.Equal(HttpStatusCode.OK, renewed.StatusCode);
        await RunAsync(times: 1);
        Assert.Equal(1, await RemindersAsync(id!));
        factory.Clock.Advance(TimeSpan.FromDays(365));
        await RunAsync(times: 2);
        Assert.Equal(2, await RemindersAsync(id!));

        // Past the date it is marked expired, once, and said so.
        factory.Clock.Advance(TimeSpan.FromDays(40));
        await RunAsync(times: 2);
        var expired = await GetAsync(holder.Client, $"/api/v1/recordations/{id}");
        Assert.Equal("expired", expired.GetProperty("status").GetString());
        await using var connection = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM notifications WHERE subject_id = @id AND kind = 'recordation.expired'", new { id }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE record_id = @id AND action = 'recordation.expire'", new { id }));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM audit_events WHERE record_id = @id AND action = 'recordation.renew'", new { id }));
    }

    [Fact]
    public async Task A_failing_channel_is_retried_with_backoff_and_given_up_on_after_the_last_attempt()
    {
        var holder = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        var dispatcher = Dispatcher(new FailingChannel());
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Db>();
            await using var tx = await db.BeginSystemAsync(_ct);
            var outbox = scope.ServiceProvider.GetRequiredService<NotificationOutbox>();
            Assert.True(await outbox.AddAsync(tx, new NewNotification("test.hook", holder, new { n = 1 }, Channel: "failing", DedupeKey: "failing-" + holder), _ct));
            Assert.False(await outbox.AddAsync(tx, new NewNotification("test.hook", holder, new { n = 2 }, Channel: "failing", DedupeKey: "failing-" + holder), _ct));
            await tx.CommitAsync(_ct);
        }

        for (var attempt = 1; attempt <= NotificationDispatcher.MaxAttempts; attempt++)
        {
            await dispatcher(factory.Services);
            var (attempts, failed) = await StateAsync(holder);
            Assert.Equal(attempt, attempts);
            Assert.Equal(attempt == NotificationDispatcher.MaxAttempts, failed);
            await dispatcher(factory.Services);
            Assert.Equal(attempt, (await StateAsync(holder)).Attempts);
            factory.Clock.Advance(NotificationDispatcher.Backoff(attempt));
        }
    }

    private async Task<(int Attempts, bool Failed)> StateAsync(Guid holder)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return await connection.QuerySingleAsync<(int, bool)>("SELECT attempts, failed_at IS NOT NULL FROM notifications WHERE recipient_org_id = @holder AND channel = 'failing'", new { holder });
    }

    private static Func<IServiceProvider, Task> Dispatcher(INotificationChannel channel) => async services =>
    {
        await using var scope = services.CreateAsyncScope();
        var p = scope.ServiceProvider;
        var dispatcher = new NotificationDispatcher(
            p.GetRequiredService<Db>(), p.GetRequiredService<TimeProvider>(), [], [channel], p.GetRequiredService<Microsoft.Extensions.Logging.ILogger<NotificationDispatcher>>());
        await dispatcher.RunOnceAsync(TestContext.Current.CancellationToken);
    };

    private async Task RunAsync(int times)
    {
        for (var i = 0; i < times; i++)
        {
            await using var scope = factory.Services.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<NotificationDispatcher>().RunOnceAsync(_ct);
        }
    }

    private async Task<long> RemindersAsync(string id)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notifications WHERE subject_id = @id AND kind = 'recordation.expiring' AND delivered_at IS NOT NULL", new { id });
    }

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private sealed class FailingChannel : INotificationChannel
    {
        public string Name => "failing";

        public Task DeliverAsync(OutboxItem item, CancellationToken cancellationToken) => throw new HttpRequestException("the receiver answered 503");
    }
}
