using System.Globalization;
using Tracemark.Server.Notifications;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Customs;

/// <summary>
/// Makes detention deadlines fire on their own: each pass moves on every detention whose deadline passed (the
/// holder did not act, consent is deemed, the declarant did not answer), and warns the detaining authority of a
/// notice not sent in time. Time is the injected clock, so tests move it and run a pass. Several servers may sweep
/// at once: detentions are claimed with FOR UPDATE SKIP LOCKED, a moved detention is no longer due, and
/// notifications carry dedupe keys, so a second pass (or a second server) changes nothing.
/// </summary>
public sealed class DetentionSweep(Db db, DetentionStore detentions, NotificationOutbox outbox, TimeProvider clock)
{
    private const int Batch = 50;

    /// <summary>One pass; returns how many detentions moved.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var moved = 0;
        while (true)
        {
            var now = clock.GetUtcNow();
            await using var tx = await db.BeginSystemAsync(cancellationToken);
            var due = (await tx.QueryAsync<Guid>(
                "SELECT id FROM customs_detentions WHERE due_at <= @now ORDER BY due_at LIMIT @Batch FOR UPDATE SKIP LOCKED",
                new { now, Batch },
                cancellationToken)).ToList();
            var batchMoved = 0;
            foreach (var id in due)
            {
                if (await detentions.ExpireAsync(tx, id, now, cancellationToken))
                {
                    batchMoved++;
                }
            }

            await tx.CommitAsync(cancellationToken);
            moved += batchMoved;
            if (due.Count < Batch || batchMoved == 0)
            {
                break;
            }
        }

        await WarnOfLateNoticesAsync(cancellationToken);
        return moved;
    }

    private async Task WarnOfLateNoticesAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var late = await tx.QueryAsync<(Guid Id, Guid DetentionId, Guid OwnerOrgId, long Number, DateTimeOffset DueAt)>(
            """
            SELECT n.id, n.detention_id, d.owner_org_id, d.number, n.due_at
            FROM customs_notices n JOIN customs_detentions d ON d.id = n.detention_id
            WHERE n.sent_at IS NULL AND n.due_at <= @now AND d.state NOT IN ('destroyed', 'donated', 'released', 'referred_to_police')
            """,
            new { now },
            cancellationToken);
        foreach (var notice in late)
        {
            await outbox.AddAsync(
                tx,
                new Notifications.NewNotification(
                    "customs.notice_overdue",
                    notice.OwnerOrgId,
                    new
                    {
                        reference = DetentionStore.Reference(notice.Number),
                        due = notice.DueAt.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture),
                        link = "/customs/detentions/" + notice.DetentionId,
                    },
                    "customs_detention",
                    notice.DetentionId.ToString(),
                    DedupeKey: "customs.notice_overdue:" + notice.Id),
                cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }
}

/// <summary>Runs the sweep on the application's clock while the server runs (every minute unless configured: Tracemark:CustomsSweepSeconds).</summary>
public sealed class DetentionSweepWorker(IServiceScopeFactory scopes, IConfiguration configuration, TimeProvider clock, ILogger<DetentionSweepWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = TimeSpan.FromSeconds(Math.Clamp(configuration.GetValue("Tracemark:CustomsSweepSeconds", 60.0), 0.05, 3600));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<DetentionSweep>().RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database hiccup must not end the sweep: deadlines are checked again on the next pass.
                logger.LogWarning(ex, "The detention sweep failed a pass");
            }

            try
            {
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
