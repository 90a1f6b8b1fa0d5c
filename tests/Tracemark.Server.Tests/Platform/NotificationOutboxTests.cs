using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tracemark.Core.Organisations;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Data;
using Tracemark.Server.Platform.Security;
using Tracemark.Server.Tests.Rights;

namespace Tracemark.Server.Tests.Platform;

/// <summary>The outbox's set of notifications in one statement keeps the rules of one at a time.</summary>
public sealed class NotificationOutboxTests(QuietFactory factory) : IClassFixture<QuietFactory>
{
    private readonly CancellationToken _ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_set_is_written_as_the_caller_for_another_organisation_and_a_dedupe_key_is_used_once()
    {
        var writer = await Seed.OrganisationAsync(factory, OrganisationKind.RightsHolder);
        var recipient = await Seed.OrganisationAsync(factory, OrganisationKind.Platform);
        var key = "many-" + Guid.NewGuid();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Db>();
            var outbox = scope.ServiceProvider.GetRequiredService<NotificationOutbox>();
            await using var tx = await db.BeginAsync(new Caller { OrganisationId = writer, OrganisationKind = OrganisationKind.RightsHolder }, _ct);
            Assert.True(await outbox.AddAsync(tx, new NewNotification("test.many", recipient, new { n = 0 }, DedupeKey: key + "-before"), _ct));
            await outbox.AddManyAsync(
                tx,
                [
                    new NewNotification("test.many", recipient, new { n = 1 }, DedupeKey: key),
                    new NewNotification("test.many", recipient, new { n = 2 }, DedupeKey: key),
                    new NewNotification("test.many", recipient, new { n = 3 }, DedupeKey: key + "-before"),
                    new NewNotification("test.many", recipient, new { n = 4 }),
                    new NewNotification("test.many", recipient, new { n = 5 }, Channel: "webhook"),
                ],
                _ct);
            await tx.CommitAsync(_ct);
        }

        await using var connection = await factory.OpenOwnerConnectionAsync();
        var rows = (await connection.QueryAsync<(int N, Guid? CreatedBy, string Channel, bool Delivered)>(
            "SELECT (payload->>'n')::int, created_by_org_id, channel, delivered_at IS NOT NULL FROM notifications WHERE recipient_org_id = @recipient AND kind = 'test.many' ORDER BY 1",
            new { recipient })).ToList();

        // The first of two rows with one key is kept, a key used before is skipped; every row signed by the writer.
        Assert.Equal([0, 1, 4, 5], rows.Select(r => r.N));
        Assert.All(rows, r => Assert.Equal(writer, r.CreatedBy));

        // An in-app notice is in the inbox at once; a webhook waits for its delivery.
        Assert.Equal([true, true, true, false], rows.Select(r => r.Delivered));
        Assert.Equal("webhook", rows[^1].Channel);
    }
}
