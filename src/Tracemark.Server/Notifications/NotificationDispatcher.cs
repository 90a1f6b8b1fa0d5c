using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Notifications;

/// <summary>
/// The outbox's worker: asks each <see cref="IReminderSource"/> for reminders that are due, then delivers
/// due notifications through their channels, retrying failures with exponential backoff. It reads the
/// time from the injected <see cref="TimeProvider"/>, so tests move the clock and call <see cref="RunOnceAsync"/>.
/// Several servers may run it at once: rows are claimed with SKIP LOCKED and reminders are deduplicated.
/// </summary>
public sealed class NotificationDispatcher(
    Db db,
    TimeProvider clock,
    IEnumerable<IReminderSource> sources,
    IEnumerable<INotificationChannel> channels,
    ILogger<NotificationDispatcher> logger)
{
    public const int MaxAttempts = 10;
    private const int Batch = 100;

    /// <summary>One pass: due reminders created, due notifications delivered. Returns how many of each.</summary>
    public async Task<(int Created, int Delivered)> RunOnceAsync(CancellationToken cancellationToken)
    {
        var created = 0;
        foreach (var source in sources)
        {
            await using var tx = await db.BeginSystemAsync(cancellationToken);
            created += await source.CreateDueAsync(tx, clock.GetUtcNow(), cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }

        var delivered = 0;
        int claimed;
        do
        {
            (claimed, var done) = await DeliverBatchAsync(cancellationToken);
            delivered += done;
        }
        while (claimed == Batch);

        return (created, delivered);
    }

    private async Task<(int Claimed, int Delivered)> DeliverBatchAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        // NO KEY UPDATE: a channel may log its attempt in another transaction, in a row that references the
        // notification (webhook_deliveries), whose foreign-key check takes a key-share lock FOR UPDATE would block.
        var items = (await tx.QueryAsync<OutboxItem>(
            """
            SELECT id, kind, channel, recipient_org_id, recipient_user_id, subject_type, subject_id, payload::text AS payload, attempts
            FROM notifications
            WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= @now
            ORDER BY next_attempt_at
            LIMIT @Batch
            FOR NO KEY UPDATE SKIP LOCKED
            """,
            new { now, Batch },
            cancellationToken)).ToList();
        var delivered = 0;
        foreach (var item in items)
        {
            var channel = channels.FirstOrDefault(c => string.Equals(c.Name, item.Channel, StringComparison.Ordinal));
            string? error = null;
            if (channel is null)
            {
                error = $"no channel named '{item.Channel}'";
            }
            else
            {
                try
                {
                    await channel.DeliverAsync(item, cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    error = ex.Message;
                    logger.LogWarning("Delivering notification {Id} through {Channel} failed (attempt {Attempt}): {Error}", item.Id, item.Channel, item.Attempts + 1, ex.Message);
                }
            }

            if (error is null)
            {
                delivered++;
                await tx.ExecuteAsync("UPDATE notifications SET delivered_at = @now, attempts = attempts + 1, last_error = NULL WHERE id = @Id", new { now, item.Id }, cancellationToken);
            }
            else
            {
                var attempts = item.Attempts + 1;
                await tx.ExecuteAsync(
                    """
                    UPDATE notifications SET attempts = @attempts, last_error = left(@error, 2000), next_attempt_at = @next,
                        failed_at = CASE WHEN @attempts >= @MaxAttempts THEN @now END
                    WHERE id = @Id
                    """,
                    new { attempts, error, next = now + Backoff(attempts), now, MaxAttempts, item.Id },
                    cancellationToken);
            }
        }

        await tx.CommitAsync(cancellationToken);
        return (items.Count, delivered);
    }

    /// <summary>1, 2, 4, … minutes, at most six hours between attempts.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromMinutes(Math.Min(Math.Pow(2, attempts - 1), 360));
}

/// <summary>Runs the dispatcher every minute of the application's clock while the server runs.</summary>
public sealed class NotificationWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<NotificationWorker> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<NotificationDispatcher>().RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database hiccup must not end the worker: the next pass tries again.
                logger.LogError(ex, "The notification pass failed");
            }

            try
            {
                await Task.Delay(Interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
