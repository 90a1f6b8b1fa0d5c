using System.Diagnostics;
using System.Text.Json;
using Dapper;
using Tracemark.Core.Complaints;
using Tracemark.Server.Platform.Data;

namespace Tracemark.Server.Complaints;

public sealed record SweepResult(int Restored, int ReviewOverdue, int ForwardOverdue, TimeSpan Elapsed);

/// <summary>
/// Moves notices on when their clock runs out, on the injected <see cref="TimeProvider"/>: a restore period
/// that ended without a complaint or lawsuit lifts the measure; a missed service level is flagged for the
/// platform. The running timers are rows of complaint_timers (migration 0052), deleted as they are handled, so
/// running again does nothing. A batch of restores is one statement (<see cref="RestoreBatchAsync"/>): the due
/// timers of the worker's slot, the notices' update re-checked on their state, and from the updated rows the
/// timers' deletion, the strikes, the audit trail and the notifications. A flag batch claims with FOR UPDATE
/// SKIP LOCKED on each timer's notice, then writes. What a restore writes per notice is its state (an update in
/// place on its page: no index of the notices uses a column it changes) and its timer's deletion; its timeline
/// step is derived from the notice (complaint_timeline, migration 0056), not written, because that row was a
/// third of the sweep's cost. The audit row, the inbox notification and the webhook delivery are one per
/// organisation and batch (a delivery carries up to <see cref="EventsPerDelivery"/> changes as events), and a
/// listing is free once the notice holding it is closed (tm_complaint_claim_listing reads the holder's state),
/// so it is not written.
/// </summary>
public sealed class ComplaintSweep(Db db, TimeProvider clock, ILogger<ComplaintSweep> logger)
{
    public const int Batch = 5_000;

    /// <summary>The inbox notification of a batch of restores: how many of the organisation's notices, and which.</summary>
    public const string RestoredBatchKind = "complaint.restored_batch";

    /// <summary>
    /// The most state changes one webhook delivery of the sweep carries (about 400 bytes each): a batch's
    /// changes for a subscriber go in deliveries of up to this many, so a body stays near 200 KB.
    /// </summary>
    public const int EventsPerDelivery = 500;

    /// <summary>
    /// Batches of one timer run this many at once, each in its own transaction: a batch is one backend's
    /// work in PostgreSQL. Restores share the due timers by slot, flags by SKIP LOCKED.
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
            var moved = (await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => DrainAsync(state, timer, worker, cancellationToken)))).Sum();
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
    /// Batches until one claims fewer timers than a batch: then every due timer was taken, by this worker or
    /// by another that holds it and goes on. Answers how many notices were moved on.
    /// </summary>
    private async Task<int> DrainAsync(NoticeState state, TimerKind timer, int worker, CancellationToken cancellationToken)
    {
        var total = 0;
        int claimed;
        do
        {
            (claimed, var moved) = timer == TimerKind.RestoreDue ? await RestoreBatchAsync(state, worker, cancellationToken) : await FlagBatchAsync(state, timer, cancellationToken);
            total += moved;
        }
        while (claimed == Batch);
        return total;
    }

    /// <summary>
    /// Claims a batch of one state's due timers: locks each timer's notice (skipping it when another
    /// transaction holds it, so this never waits and two sweeps share the work), deletes the timers, and
    /// answers which notices are still in that state with that timer due: a timer whose notice moved on before
    /// it fell due is dropped without touching the notice. The timer rows are not locked themselves: every
    /// writer of a timer holds its notice's lock (it changed the notice), so the notice's lock covers both,
    /// and a lock record per timer row is saved. <paramref name="events"/> is the statement that writes those
    /// notices' timeline events from <c>live</c> (the columns it needs are read here), checked once per
    /// statement against the notices (migration 0053), not by a foreign key's query and lock per row. Claimed
    /// counts the rows locked, which is a full batch whenever more may be due.
    /// </summary>
    private static async Task<(int Claimed, Guid[] Live)> ClaimAsync(DbTx tx, string state, string events, object parameters, CancellationToken cancellationToken)
    {
        var (claimed, live, _, _) = await tx.QuerySingleAsync<(int Claimed, Guid[]? Live, int Events, int Gone)>(
            $"""
            WITH due AS (
                SELECT t.notice_id AS id, n.state = @state AND n.next_timer_at <= @now AS is_live, n.restore_not_before, n.review_due_at, n.forward_due_at
                FROM complaint_timers t JOIN complaint_notices n ON n.id = t.notice_id
                WHERE t.state = @state AND t.due_at <= @now
                ORDER BY t.due_at
                LIMIT @Batch
                FOR UPDATE OF n SKIP LOCKED),
            gone AS (DELETE FROM complaint_timers t USING due WHERE t.notice_id = due.id RETURNING 1),
            live AS (SELECT due.*, row_number() OVER () AS n FROM due WHERE is_live),
            events AS ({events} RETURNING 1)
            SELECT (SELECT count(*) FROM due)::int, (SELECT array_agg(id) FROM live), (SELECT count(*) FROM events)::int, (SELECT count(*) FROM gone)::int
            """,
            parameters,
            cancellationToken);
        return (claimed, live ?? []);
    }

    /// <summary>
    /// Ids for a batch's timeline events, the i-th live notice taking the i-th: made here, because tm_uuid7 in
    /// SQL took about 25 ms of a 5,000-notice batch (measured on the benchmark's database).
    /// </summary>
    private static Guid[] EventIds(DateTimeOffset now)
    {
        var ids = new Guid[Batch];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = Guid.CreateVersion7(now);
        }

        return ids;
    }

    /// <summary>
    /// One batch of restores in one statement, with no lock taken before the writes: the due timers of this
    /// worker's slot are read, the notices updated where they are still in <paramref name="from"/> with the clock
    /// run out, and everything else (the timers' deletion, the strikes, the audit rows, the inbox and the
    /// webhooks) is written from the update's own rows; the timeline's restore step is the notice's restored_at.
    /// A user's action on a notice in the batch either committed before (the notice is not in the state any more
    /// and is left alone) or holds the notice: the update then waits for it and checks the state again on the
    /// version it committed (READ COMMITTED's re-check), so a notice that moved on is never restored. The order
    /// of locks is the users' own (the notice, then its timer), which a claim by locking timers first would
    /// reverse (a user holding the notice and waiting for its timer, the sweep holding the timer and waiting for
    /// the notice: a deadlock).
    /// Workers of one sweep read disjoint slots of the timers, so they do not wait for each other; two servers
    /// sweeping at once read the same slots, and one waits for the other's batch and then finds its notices moved on.
    /// </summary>
    private async Task<(int Claimed, int Moved)> RestoreBatchAsync(NoticeState from, int worker, CancellationToken cancellationToken)
    {
        var transition = NoticeWorkflow.Next(from, NoticeAction.Restore, Party.System);
        var now = clock.GetUtcNow();
        var parameters = new
        {
            now,
            occurredAt = JsonSerializer.Serialize(now, NoticeStore.Json),
            state = ComplaintWire.ToWire(from),
            to = ComplaintWire.ToWire(transition.To),
            action = ComplaintWire.ToWire(transition.Action),
            reason = ComplaintWire.ToWire(TimerKind.RestoreDue),
            kind = "complaint.restored",
            batchKind = RestoredBatchKind,
            perDelivery = EventsPerDelivery,
            workers = Workers,
            otherSlots = Enumerable.Range(0, Workers).Where(slot => slot != worker).ToArray(),
            Batch,
        };
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        // Unreferenced SELECT CTEs are not run: the counts of all of them make sure every one is.
        var (claimed, moved, _, stale) = await tx.QuerySingleAsync<(int Claimed, int Moved, long Written, Guid[]? Stale)>(
            """
            WITH due AS (
                -- A timer's slot is the last byte of its notice's id (random in a UUIDv7) modulo the workers. It is
                -- written as "in none of the other slots" on purpose: the planner guesses an inequality keeps most
                -- rows, so it walks the due index in order and stops at the batch, where an equality on an
                -- expression is guessed at 0.5 % of rows and it would sort the whole table instead.
                SELECT t.ctid AS timer, t.notice_id AS id
                FROM complaint_timers t
                WHERE t.state = @state AND t.due_at <= @now AND get_byte(uuid_send(t.notice_id), 15) % @workers <> ALL (@otherSlots)
                ORDER BY t.due_at
                LIMIT @Batch),
            moved AS (
                UPDATE complaint_notices n
                SET state = @to, restored_at = @now, closed_at = @now, next_timer_at = NULL, version = n.version + 1, updated_at = @now
                FROM due
                WHERE n.id = due.id AND n.state = @state AND n.next_timer_at <= @now
                RETURNING due.timer, n.id, n.complainant_org_id, n.holder_org_id, n.platform_org_id, n.jurisdiction, n.kind),
            -- By the row read above: a timer rewritten since (its notice's clock moved) is a new version and stays.
            gone AS (DELETE FROM complaint_timers t USING moved m WHERE t.ctid = m.timer RETURNING 1),
            -- Closing a notice: its listings are free by its state (migration 0049), the strikes it caused are void
            -- (tm_complaint_close_all's rule, written here because its count of released listings is not needed).
            voided AS (
                UPDATE complaint_strikes s SET voided_at = @now, void_reason = @action
                WHERE s.notice_id IN (SELECT m.id FROM moved m) AND s.voided_at IS NULL
                RETURNING 1),
            -- The batch's notices by their three parties: a handful of groups, so what is per organisation below
            -- is worked out per group, not per notice. Each group's ids are sorted and made JSON once here: an
            -- organisation in one group only (the usual case: a complainant and a platform) is named that same
            -- list in its audit row and its inbox row. Making the list once per row instead (three sorts and three
            -- to_jsonb per batch, each id's text from uuid_out at 1 kB of memory apiece in PostgreSQL 15) was
            -- about half of these rows' cost: 16-25 against 7.5-12 ms of a 5,000-notice batch (docs/benchmarks.md).
            groups AS MATERIALIZED (
                SELECT g.*, to_jsonb(g.ids) AS notices
                FROM (SELECT m.complainant_org_id, m.holder_org_id, m.platform_org_id, array_agg(m.id ORDER BY m.id) AS ids
                      FROM moved m
                      GROUP BY m.complainant_org_id, m.holder_org_id, m.platform_org_id) AS g),
            -- One audit row per complainant and batch naming its notices (the reason is the timer): the
            -- complainant's administrators read the entries of its notices, so the rows are split by it. A
            -- complainant in several groups gets their lists merged and sorted again (CASE runs that only then).
            audit AS (
                INSERT INTO audit_events (action, record_type, record_id, record_owner_id, before, after, detail)
                SELECT 'complaint.' || @action, 'complaint_notice', NULL, c.org,
                       jsonb_build_object('state', @state), jsonb_build_object('state', @to),
                       jsonb_build_object('by', 'system', 'reason', @reason, 'count', c.count, 'notices', c.notices)
                FROM (SELECT g.complainant_org_id AS org, sum(cardinality(g.ids))::int AS count,
                             CASE WHEN count(*) = 1 THEN (array_agg(g.notices))[1]
                                  ELSE (SELECT to_jsonb(array_agg(i ORDER BY i)) FROM groups g2, unnest(g2.ids) AS i
                                        WHERE g2.complainant_org_id = g.complainant_org_id) END AS notices
                      FROM groups g
                      GROUP BY g.complainant_org_id) AS c
                RETURNING 1),
            parties AS (
                SELECT p.org, g.ids, g.notices
                FROM groups g
                CROSS JOIN LATERAL (SELECT DISTINCT v.org FROM (VALUES (g.complainant_org_id), (g.holder_org_id), (g.platform_org_id)) AS v (org)) AS p),
            -- The inbox gets one notification per organisation and batch, naming how many of its notices were
            -- restored and which (each notice's own timeline shows its restore, and each change is an event of a
            -- webhook delivery); merged as the audit's lists are when the organisation is in several groups.
            inbox AS (
                INSERT INTO notifications (id, kind, channel, recipient_org_id, subject_type, subject_id, payload, due_at, next_attempt_at, delivered_at, created_at)
                SELECT tm_uuid7(@now), @batchKind, 'in_app', o.org, 'complaint_notice', NULL,
                       jsonb_build_object('count', o.count, 'notices', o.notices, 'link', '/complaints?state=' || @to),
                       @now, @now, @now, @now
                FROM (SELECT p.org, sum(cardinality(p.ids))::int AS count,
                             CASE WHEN count(*) = 1 THEN (array_agg(p.notices))[1]
                                  ELSE (SELECT to_jsonb(array_agg(i ORDER BY i)) FROM parties p2, unnest(p2.ids) AS i WHERE p2.org = p.org) END AS notices
                      FROM parties p
                      GROUP BY p.org) AS o
                RETURNING 1),
            -- Asked once per organisation (materialised, so the planner does not push the question down to every row).
            hooked AS MATERIALIZED (SELECT p.org FROM (SELECT DISTINCT org FROM parties) AS p WHERE tm_webhook_wanted(p.org, @kind)),
            -- One signed delivery per subscriber and part of the batch, carrying each notice's state change as
            -- an event (docs/webhooks.md): every change is still delivered, signed and retried. The join gives
            -- each notice once per subscribing party, however many of its roles that party has.
            hooks AS (
                INSERT INTO notifications (id, kind, channel, recipient_org_id, subject_type, subject_id, payload, due_at, next_attempt_at, created_at)
                SELECT tm_uuid7(@now), @kind, 'webhook', b.org, NULL, NULL,
                       jsonb_build_object('event', @kind, 'count', count(*), 'events', jsonb_agg(jsonb_build_object(
                           'noticeId', b.id, 'event', @kind, 'state', @to, 'previousState', @state, 'occurredAt', @occurredAt::jsonb,
                           'jurisdiction', b.jurisdiction, 'kind', b.kind, 'platformId', b.platform_org_id, 'complainantId', b.complainant_org_id,
                           'holderId', b.holder_org_id, 'link', '/complaints/' || b.id) ORDER BY b.id)),
                       @now, @now, @now
                FROM (SELECT m.*, h.org, (row_number() OVER (PARTITION BY h.org ORDER BY m.id) - 1) / @perDelivery AS part
                      FROM moved m JOIN hooked h ON h.org IN (m.complainant_org_id, m.holder_org_id, m.platform_org_id)) AS b
                GROUP BY b.org, b.part
                RETURNING 1)
            SELECT (SELECT count(*) FROM due)::int, (SELECT count(*) FROM moved)::int,
                   (SELECT count(*) FROM gone) + (SELECT count(*) FROM voided) + (SELECT count(*) FROM audit)
                       + (SELECT count(*) FROM inbox) + (SELECT count(*) FROM hooks),
                   -- Only when some due notice was not moved (rare: it moved on meanwhile, or its timer was stale).
                   CASE WHEN (SELECT count(*) FROM due) > (SELECT count(*) FROM moved)
                        THEN (SELECT array_agg(d.id) FROM due d WHERE NOT EXISTS (SELECT 1 FROM moved m WHERE m.id = d.id)) END
            """,
            parameters,
            cancellationToken);
        if (stale is { Length: > 0 })
        {
            // Their timers are made what their notices now say, under the notices' locks (taken first, as every
            // writer does), so a user's action in flight is waited for rather than overwritten.
            await tx.ExecuteAsync(
                """
                SELECT count(*) FROM (SELECT 1 FROM complaint_notices WHERE id = ANY (@stale) FOR UPDATE) AS locked;
                SELECT tm_complaint_timers_sync(@stale);
                """,
                new { stale },
                cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        // The count of timers read, not of notices moved, tells whether more are due.
        return (claimed, moved);
    }

    private async Task<(int Claimed, int Moved)> FlagBatchAsync(NoticeState state, TimerKind timer, CancellationToken cancellationToken)
    {
        // The flag and the deadline it marks; fixed names from this table, never from input.
        var (flag, due) = timer == TimerKind.ReviewOverdue ? ("review_overdue_at", "review_due_at") : ("forward_overdue_at", "forward_due_at");
        var now = clock.GetUtcNow();
        var parameters = new
        {
            now,
            occurredAt = JsonSerializer.Serialize(now, NoticeStore.Json),
            state = ComplaintWire.ToWire(state),
            action = ComplaintWire.ToWire(timer),
            kind = "complaint." + ComplaintWire.ToWire(timer),
            flagName = timer == TimerKind.ReviewOverdue ? "reviewOverdueAt" : "forwardOverdueAt",
            perDelivery = EventsPerDelivery,
            eventIds = EventIds(now),
            Batch,
        };
        await using var tx = await db.BeginSystemAsync(cancellationToken);
        var (claimed, live) = await ClaimAsync(
            tx,
            parameters.state,
            $"""
            INSERT INTO complaint_events (id, notice_id, occurred_at, party, action, detail)
            SELECT (@eventIds::uuid[])[l.n], l.id, @now, 'system', @action, jsonb_build_object('dueAt', l.{due}) FROM live l
            """,
            parameters,
            cancellationToken);
        if (live.Length > 0)
        {
            var dynamic = new DynamicParameters(parameters);
            dynamic.Add("ids", live);
            await tx.QuerySingleAsync<(int Flagged, int Inbox, int Hooks)>(
                $"""
                WITH flagged AS (
                    UPDATE complaint_notices n SET {flag} = @now, next_timer_at = NULL, version = n.version + 1, updated_at = @now
                    WHERE n.id = ANY (@ids)
                    RETURNING n.id, n.complainant_org_id, n.platform_org_id, n.jurisdiction, n.kind, n.{due} AS due_at, n.version),
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
                    SELECT tm_uuid7(@now), @kind, 'webhook', b.platform_org_id, NULL, NULL,
                           jsonb_build_object('event', @kind, 'count', count(*), 'events', jsonb_agg(jsonb_build_object(
                               'noticeId', b.id, 'event', @kind, 'state', @state, 'occurredAt', @occurredAt::jsonb, 'dueAt', b.due_at,
                               'jurisdiction', b.jurisdiction, 'kind', b.kind, 'platformId', b.platform_org_id, 'complainantId', b.complainant_org_id,
                               'link', '/complaints/' || b.id) ORDER BY b.id)),
                           @now, @now, @now
                    FROM (SELECT f.*, (row_number() OVER (PARTITION BY f.platform_org_id ORDER BY f.id) - 1) / @perDelivery AS part
                          FROM flagged f WHERE f.platform_org_id IN (SELECT h.org FROM hooked h WHERE tm_webhook_wanted(h.org, @kind))) AS b
                    GROUP BY b.platform_org_id, b.part
                    RETURNING 1)
                SELECT (SELECT count(*) FROM flagged)::int, (SELECT count(*) FROM inbox)::int, (SELECT count(*) FROM hooks)::int
                """,
                dynamic,
                cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return (claimed, live.Length);
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
