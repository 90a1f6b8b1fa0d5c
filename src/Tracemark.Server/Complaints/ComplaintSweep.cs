using System.Diagnostics;
using System.Text.Json;
using Tracemark.Core.Complaints;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Complaints;

public sealed record SweepResult(int Restored, int ReviewOverdue, int ForwardOverdue, TimeSpan Elapsed);

/// <summary>
/// Moves notices on when their clock runs out, on the injected <see cref="TimeProvider"/>: a restore period
/// that ended without a complaint or lawsuit lifts the measure; a missed service level is flagged for the
/// platform. Each timer's notices are taken in batches with FOR UPDATE SKIP LOCKED, so servers running the
/// sweep at once share the work, and a notice once handled has no timer left, so running again does nothing.
/// A batch is one statement: the state, the timeline, the audit trail, the strikes and the notifications
/// change together, which is what lets a sweep keep up with a million open notices. What a restore writes
/// per notice is its state, its timeline event and the webhooks asked for; the audit row and the inbox
/// notification are one per organisation and batch, naming the notices, and a listing is free once the
/// notice holding it is closed (tm_complaint_claim_listing reads the holder's state), so it is not written.
/// </summary>
public sealed class ComplaintSweep(Db db, TimeProvider clock, ILogger<ComplaintSweep> logger)
{
    public const int Batch = 5_000;

    /// <summary>The inbox notification of a batch of restores: how many of the organisation's notices, and which.</summary>
    public const string RestoredBatchKind = "complaint.restored_batch";

    /// <summary>
    /// Batches of one timer run this many at once, each in its own transaction: a batch is one backend's
    /// work in PostgreSQL, and SKIP LOCKED already lets sweeps share a timer's notices.
    /// </summary>
    public const int Workers = 2;

    public async Task<SweepResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var restored = 0;
        var review = 0;
        var forward = 0;
        foreach (var (state, timer) in NoticeWorkflow.Timers)
        {
            var moved = (await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => DrainAsync(state, timer, cancellationToken)))).Sum();
            switch (timer)
            {
                case TimerKind.RestoreDue:
                    restored += moved;
                    break;
                case TimerKind.ReviewOverdue:
                    review += moved;
                    break;
                default:
                    forward += moved;
                    break;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        if (restored + review + forward > 0)
        {
            logger.LogInformation("Complaint sweep: {Restored} restored, {Review} reviews and {Forward} forwards overdue in {Elapsed} ms", restored, review, forward, (int)elapsed.TotalMilliseconds);
        }

        return new SweepResult(restored, review, forward, elapsed);
    }

    /// <summary>
    /// Batches until one comes back short: then every due notice was taken, by this worker or by another
    /// that holds it and goes on.
    /// </summary>
    private async Task<int> DrainAsync(NoticeState state, TimerKind timer, CancellationToken cancellationToken)
    {
        var total = 0;
        int moved;
        do
        {
            moved = timer == TimerKind.RestoreDue ? await RestoreBatchAsync(state, cancellationToken) : await FlagBatchAsync(state, timer, cancellationToken);
            total += moved;
        }
        while (moved == Batch);
        return total;
    }

    private async Task<int> RestoreBatchAsync(NoticeState from, CancellationToken cancellationToken)
    {
        var transition = NoticeWorkflow.Next(from, NoticeAction.Restore, Party.System);
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        // Unreferenced SELECT CTEs are not run: the counts of all of them make sure every one is.
        var (moved, _, _, _, _) = await tx.QuerySingleAsync<(int Moved, int Closed, int Inbox, int Hooks, int Audit)>(
            """
            WITH due AS (
                SELECT id FROM complaint_notices
                WHERE state = @from AND next_timer_at <= @now
                ORDER BY next_timer_at
                LIMIT @Batch
                FOR UPDATE SKIP LOCKED),
            moved AS (
                UPDATE complaint_notices n
                SET state = @to, restored_at = @now, closed_at = @now, next_timer_at = NULL, version = n.version + 1, updated_at = @now
                FROM due WHERE n.id = due.id
                RETURNING n.id, n.complainant_org_id, n.holder_org_id, n.platform_org_id, n.jurisdiction, n.kind, n.restore_not_before, n.version),
            closed AS (SELECT tm_complaint_close_all(array_agg(m.id), true, @action, @now) AS released FROM moved m),
            events AS (
                INSERT INTO complaint_events (id, notice_id, occurred_at, party, action, from_state, to_state, detail)
                SELECT tm_uuid7(@now), m.id, @now, 'system', @action, @from, @to, jsonb_build_object('restoreNotBefore', m.restore_not_before)
                FROM moved m),
            -- One audit row per complainant and batch naming its notices (the reason is the timer): the
            -- complainant's administrators read the entries of its notices, so the rows are split by it.
            audit AS (
                INSERT INTO audit_events (action, record_type, record_id, record_owner_id, before, after, detail)
                SELECT 'complaint.' || @action, 'complaint_notice', NULL, m.complainant_org_id,
                       jsonb_build_object('state', @from), jsonb_build_object('state', @to),
                       jsonb_build_object('by', 'system', 'reason', @reason, 'count', count(*), 'notices', jsonb_agg(m.id ORDER BY m.id))
                FROM moved m
                GROUP BY m.complainant_org_id
                RETURNING 1),
            parties AS (
                SELECT m.id, m.complainant_org_id, m.holder_org_id, m.platform_org_id, m.jurisdiction, m.kind, p.org
                FROM moved m
                CROSS JOIN LATERAL (SELECT DISTINCT v.org FROM (VALUES (m.complainant_org_id), (m.holder_org_id), (m.platform_org_id)) AS v (org)) AS p),
            -- The inbox gets one notification per organisation and batch, naming how many of its notices were
            -- restored and which (each notice's own timeline has its event, and webhooks stay one per notice).
            inbox AS (
                INSERT INTO notifications (id, kind, channel, recipient_org_id, subject_type, subject_id, payload, due_at, next_attempt_at, delivered_at, created_at)
                SELECT tm_uuid7(@now), @batchKind, 'in_app', org, 'complaint_notice', NULL,
                       jsonb_build_object('count', count(*), 'notices', jsonb_agg(id ORDER BY id), 'link', '/complaints?state=' || @to),
                       @now, @now, @now, @now
                FROM parties
                GROUP BY org
                RETURNING 1),
            -- Asked once per organisation (materialised, so the planner does not push the question down to every row).
            hooked AS MATERIALIZED (SELECT DISTINCT org FROM parties),
            hooks AS (
                INSERT INTO notifications (id, kind, channel, recipient_org_id, subject_type, subject_id, payload, due_at, next_attempt_at, created_at)
                SELECT tm_uuid7(@now), @kind, 'webhook', p.org, 'complaint_notice', p.id::text,
                       jsonb_build_object('noticeId', p.id, 'event', @kind, 'state', @to, 'previousState', @from, 'occurredAt', @occurredAt::jsonb,
                           'jurisdiction', p.jurisdiction, 'kind', p.kind, 'platformId', p.platform_org_id, 'complainantId', p.complainant_org_id,
                           'holderId', p.holder_org_id, 'link', '/complaints/' || p.id),
                       @now, @now, @now
                FROM parties p
                WHERE p.org IN (SELECT h.org FROM hooked h WHERE tm_webhook_wanted(h.org, @kind))
                RETURNING 1)
            SELECT (SELECT count(*) FROM moved)::int, (SELECT released FROM closed)::int, (SELECT count(*) FROM inbox)::int, (SELECT count(*) FROM hooks)::int,
                   (SELECT count(*) FROM audit)::int
            """,
            new
            {
                now,
                occurredAt = JsonSerializer.Serialize(now, NoticeStore.Json),
                from = ComplaintWire.ToWire(from),
                to = ComplaintWire.ToWire(transition.To),
                action = ComplaintWire.ToWire(transition.Action),
                reason = ComplaintWire.ToWire(TimerKind.RestoreDue),
                kind = "complaint.restored",
                batchKind = RestoredBatchKind,
                Batch,
            },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return moved;
    }

    private async Task<int> FlagBatchAsync(NoticeState state, TimerKind timer, CancellationToken cancellationToken)
    {
        // The flag and the deadline it marks; fixed names from this table, never from input.
        var (flag, due) = timer == TimerKind.ReviewOverdue ? ("review_overdue_at", "review_due_at") : ("forward_overdue_at", "forward_due_at");
        var now = clock.GetUtcNow();
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var (flagged, _, _) = await tx.QuerySingleAsync<(int Flagged, int Inbox, int Hooks)>(
            $"""
            WITH due AS (
                SELECT id FROM complaint_notices
                WHERE state = @state AND next_timer_at <= @now
                ORDER BY next_timer_at
                LIMIT @Batch
                FOR UPDATE SKIP LOCKED),
            flagged AS (
                UPDATE complaint_notices n SET {flag} = @now, next_timer_at = NULL, version = n.version + 1, updated_at = @now
                FROM due WHERE n.id = due.id
                RETURNING n.id, n.complainant_org_id, n.platform_org_id, n.jurisdiction, n.kind, n.{due} AS due_at, n.version),
            events AS (
                INSERT INTO complaint_events (id, notice_id, occurred_at, party, action, detail)
                SELECT tm_uuid7(@now), f.id, @now, 'system', @action, jsonb_build_object('dueAt', f.due_at) FROM flagged f),
            audit AS (
                INSERT INTO audit_events (action, record_type, record_id, record_owner_id, before, after, detail)
                SELECT 'complaint.' || @action, 'complaint_notice', f.id::text, f.complainant_org_id, NULL,
                       jsonb_build_object(@flagName, @now, 'version', f.version), jsonb_build_object('by', 'system', 'dueAt', f.due_at)
                FROM flagged f),
            inbox AS (
                INSERT INTO notifications (id, kind, channel, recipient_org_id, subject_type, subject_id, payload, due_at, next_attempt_at, delivered_at, created_at)
                SELECT tm_uuid7(@now), @kind, 'in_app', f.platform_org_id, 'complaint_notice', f.id::text,
                       jsonb_build_object('notice', f.id, 'title',
                           coalesce((SELECT l.title FROM complaint_notice_listings l WHERE l.notice_id = f.id ORDER BY l.position LIMIT 1), ''),
                           'link', '/complaints/' || f.id),
                       @now, @now, @now, @now
                FROM flagged f
                RETURNING 1),
            hooked AS MATERIALIZED (SELECT DISTINCT platform_org_id AS org FROM flagged),
            hooks AS (
                INSERT INTO notifications (id, kind, channel, recipient_org_id, subject_type, subject_id, payload, due_at, next_attempt_at, created_at)
                SELECT tm_uuid7(@now), @kind, 'webhook', f.platform_org_id, 'complaint_notice', f.id::text,
                       jsonb_build_object('noticeId', f.id, 'event', @kind, 'state', @state, 'occurredAt', @occurredAt::jsonb, 'dueAt', f.due_at,
                           'jurisdiction', f.jurisdiction, 'kind', f.kind, 'platformId', f.platform_org_id, 'complainantId', f.complainant_org_id,
                           'link', '/complaints/' || f.id),
                       @now, @now, @now
                FROM flagged f
                WHERE f.platform_org_id IN (SELECT h.org FROM hooked h WHERE tm_webhook_wanted(h.org, @kind))
                RETURNING 1)
            SELECT (SELECT count(*) FROM flagged)::int, (SELECT count(*) FROM inbox)::int, (SELECT count(*) FROM hooks)::int
            """,
            new
            {
                now,
                occurredAt = JsonSerializer.Serialize(now, NoticeStore.Json),
                state = ComplaintWire.ToWire(state),
                action = ComplaintWire.ToWire(timer),
                kind = "complaint." + ComplaintWire.ToWire(timer),
                flagName = timer == TimerKind.ReviewOverdue ? "reviewOverdueAt" : "forwardOverdueAt",
                Batch,
            },
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return flagged;
    }
}

/// <summary>Runs the sweep every minute of the application's clock while the server runs.</summary>
public sealed class ComplaintSweepWorker(IServiceScopeFactory scopes, TimeProvider clock, ILogger<ComplaintSweepWorker> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<ComplaintSweep>().RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A database hiccup must not end the worker: the next pass tries again.
                logger.LogError(ex, "The complaint sweep failed");
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
