using System.Net;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Tracemark.Server.Complaints;
using Tracemark.Server.Platform.Database;
using Tracemark.Core.Complaints;
using Tracemark.Core.Organisations;
using static Tracemark.Server.Tests.Complaints.ComplaintsWorld;
using Accuracy = (int Decided, int Upheld, int CounterNotices, int CounterSucceeded, int Wrongful, int Malicious);

namespace Tracemark.Server.Tests.Complaints;

/// <summary>
/// Migration 0052 makes the sweep's update of a notice HOT (in place on its page, no new index entries): the
/// timers live in complaint_timers, and no index of complaint_notices uses a column a restore or a flag changes.
/// What that could break: a timer lost on the way (a notice never restored), the review queue or the accuracy
/// figures reading other rows than before, a stale timer moving a notice that has moved on.
/// </summary>
public sealed class SweepHotTests(ComplaintsFactory factory) : IClassFixture<ComplaintsFactory>
{
    /// <summary>What the sweep sets on a notice: a restore, or a flag of a missed service level.</summary>
    private static readonly string[] SweepWrites = ["state", "restored_at", "closed_at", "next_timer_at", "version", "updated_at", "review_overdue_at", "forward_overdue_at"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task No_index_of_the_notices_uses_a_column_the_sweep_writes_and_pages_keep_room_for_a_new_version()
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        var definitions = (await connection.QueryAsync<string>("SELECT indexdef FROM pg_indexes WHERE tablename = 'complaint_notices'")).ToList();
        Assert.Contains(definitions, d => d.Contains("complaint_notices_awaiting", StringComparison.Ordinal));
        foreach (var definition in definitions)
        {
            var words = Words(definition);
            Assert.DoesNotContain(words, w => SweepWrites.Contains(w, StringComparer.Ordinal));
        }

        var options = await connection.ExecuteScalarAsync<string[]>("SELECT reloptions FROM pg_class WHERE oid = 'complaint_notices'::regclass");
        Assert.Contains("fillfactor=50", options!);
    }

    [Fact]
    public async Task Restores_stay_on_their_page_and_the_queue_and_accuracy_figures_are_what_the_states_say()
    {
        var world = await CreateAsync(factory, "CN");

        // Three notices to restore, one left waiting for the platform's decision, one counter-notice waiting to be forwarded.
        var restore = new List<Guid>();
        DateTimeOffset notBefore = default;
        for (var i = 0; i < 3; i++)
        {
            (var id, notBefore) = await world.ForwardedAsync($"hot-{i}-{Number()}", "hot-shop-" + i);
            restore.Add(Guid.Parse(id));
        }

        var waiting = Guid.Parse(Id(await world.FileAsync(world.Notice($"hot-waiting-{Number()}"))));
        var counter = Id(await world.FileAsync(world.Notice($"hot-counter-{Number()}")));
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{counter}/decision", new { measure = "remove", reasons = "Counterfeit." });
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{counter}/counter-notice", new { statement = "Genuine.", sellerName = "Shop", sellerContact = "s@example.com", affirmed = true });

        await using var connection = await factory.OpenOwnerConnectionAsync();
        var all = restore.Append(waiting).Append(Guid.Parse(counter)).ToArray();

        // Each timer the notices have is in complaint_timers, with the notice's state and instant, and no other.
        var timers = (await connection.QueryAsync<(Guid Id, string State, DateTimeOffset Due)>(
            "SELECT notice_id, state, due_at FROM complaint_timers WHERE notice_id = ANY (@all)", new { all })).ToList();
        var own = (await connection.QueryAsync<(Guid Id, string State, DateTimeOffset Due)>(
            "SELECT id, state, next_timer_at FROM complaint_notices WHERE id = ANY (@all) AND next_timer_at IS NOT NULL AND tm_complaint_has_timer(state)", new { all })).ToList();
        Assert.Equal(own.OrderBy(t => t.Id), timers.OrderBy(t => t.Id));
        Assert.Equal(5, timers.Count);
        Assert.All(restore, id => Assert.Contains(timers, t => t.Id == id && t.State == "counter_notice_forwarded" && t.Due == notBefore));

        var pagesBefore = await PagesAsync(connection, restore);
        var queueBefore = await QueueAsync(world);
        var accuracyBefore = await AccuracyAsync(world);

        factory.Clock.Set(notBefore);
        var sweep = await factory.SweepAsync();
        Assert.True(sweep.Restored >= 3);

        // Updated in place: each restored notice's new version is on the page of the old one, and no index
        // uses a column the restore changed (above), which together is PostgreSQL's rule for a HOT update.
        Assert.Equal(pagesBefore, await PagesAsync(connection, restore));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timers WHERE notice_id = ANY (@restore)", new { restore }));
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_notices WHERE id = ANY (@restore) AND state = 'restored'", new { restore }));

        // The queue is the notices waiting for the platform (new, counter-noticed), soonest first, before and after.
        var expected = new[] { waiting.ToString(), counter };
        Assert.Equal(expected.Order(StringComparer.Ordinal), queueBefore.Where(expected.Contains).Order(StringComparer.Ordinal));
        var queueAfter = await QueueAsync(world);
        Assert.Equal(queueBefore, queueAfter);
        Assert.DoesNotContain(queueAfter, id => restore.Select(r => r.ToString()).Contains(id, StringComparer.Ordinal));
        var ordered = await connection.QueryAsync<string>(
            """
            SELECT id::text FROM complaint_notices WHERE platform_org_id = @platform AND state IN ('submitted', 'counter_noticed', 'appealed')
            ORDER BY coalesce(CASE state WHEN 'counter_noticed' THEN forward_due_at END, review_due_at), fast_track DESC, id
            """,
            new { platform = world.Platform.Id });
        Assert.Equal(ordered, queueAfter);

        // The accuracy figures: the three restores count as counter-notices that succeeded, nothing else moved;
        // and the function's figures equal a count over every notice of the pair, without the index's filter.
        var accuracyAfter = await AccuracyAsync(world);
        var grown = accuracyBefore;
        grown.CounterSucceeded += 3;
        Assert.Equal(grown, accuracyAfter);
        var counted = await connection.QuerySingleAsync<Accuracy>(
            """
            SELECT count(*) FILTER (WHERE decided_at IS NOT NULL)::int AS decided,
                   count(*) FILTER (WHERE measure IN ('remove', 'block', 'restrict') AND state <> 'reversed')::int AS upheld,
                   count(*) FILTER (WHERE counter_notice_at IS NOT NULL)::int AS counter_notices,
                   count(*) FILTER (WHERE state = 'restored')::int AS counter_succeeded,
                   count(*) FILTER (WHERE finding = 'wrongful')::int AS wrongful,
                   count(*) FILTER (WHERE finding = 'malicious')::int AS malicious
            FROM complaint_notices WHERE complainant_org_id = @holder AND platform_org_id = @platform
            """,
            new { holder = world.Holder.Id, platform = world.Platform.Id });
        Assert.Equal(counted, accuracyAfter);

        // A restored notice without a counter-notice cannot be written (the accuracy index relies on it).
        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "UPDATE complaint_notices SET counter_notice_at = NULL WHERE id = @id", new { id = restore[0] }));
        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
    }

    [Fact]
    public async Task The_database_runs_a_timer_in_the_same_states_as_the_workflow()
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        foreach (var state in Enum.GetValues<NoticeState>())
        {
            var wire = ComplaintWire.ToWire(state);
            Assert.Equal(NoticeWorkflow.Timers.ContainsKey(state), await connection.ExecuteScalarAsync<bool>("SELECT tm_complaint_has_timer(@wire)", new { wire }));
        }
    }

    [Fact]
    public async Task A_timer_left_behind_by_a_notice_that_moved_on_is_dropped_without_touching_the_notice()
    {
        var world = await CreateAsync(factory, "CN");
        var id = Guid.Parse(Id(await world.FileAsync(world.Notice($"stale-{Number()}"))));
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{id}/decision", new { measure = "remove", reasons = "Counterfeit." });

        // As if a writer had not cleared it: a restore timer for a notice that is not in counter_notice_forwarded.
        await using var connection = await factory.OpenOwnerConnectionAsync();
        var due = factory.Clock.GetUtcNow().AddDays(-1);
        await connection.ExecuteAsync(
            "INSERT INTO complaint_timers (notice_id, state, due_at) VALUES (@id, 'counter_notice_forwarded', @due) ON CONFLICT (notice_id) DO UPDATE SET state = excluded.state, due_at = excluded.due_at",
            new { id, due });
        var version = await connection.ExecuteScalarAsync<int>("SELECT version FROM complaint_notices WHERE id = @id", new { id });

        await factory.SweepAsync();

        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timers WHERE notice_id = @id", new { id }));
        Assert.Equal(("measure_taken", version), await connection.QuerySingleAsync<(string, int)>("SELECT state, version FROM complaint_notices WHERE id = @id", new { id }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timeline WHERE notice_id = @id AND action = 'restore'", new { id }));
    }

    [Fact]
    public async Task A_notice_moved_on_while_the_sweep_waits_for_it_is_not_restored_and_the_rest_of_its_batch_is()
    {
        var world = await CreateAsync(factory, "CN");
        var ids = new List<Guid>();
        DateTimeOffset notBefore = default;
        for (var i = 0; i < 3; i++)
        {
            (var id, notBefore) = await world.ForwardedAsync($"race-{i}-{Number()}", "race-shop-" + i);
            ids.Add(Guid.Parse(id));
        }

        var moving = ids[0];
        await using var user = await factory.OpenOwnerConnectionAsync();
        await using var watcher = await factory.OpenOwnerConnectionAsync();
        var userPid = await user.ExecuteScalarAsync<int>("SELECT pg_backend_pid()");

        // A user's action in flight, written in the order every writer uses: the notice first (the complainant
        // shows its lawsuit in time), its timer after.
        await using (var action = await user.BeginTransactionAsync(Ct))
        {
            await user.ExecuteAsync(
                "UPDATE complaint_notices SET state = 'action_filed', next_timer_at = NULL, version = version + 1 WHERE id = @moving", new { moving }, action);

            factory.Clock.Set(notBefore);
            var sweep = factory.SweepAsync();

            // The sweep reaches the notice and waits for the action's transaction.
            var waited = false;
            for (var i = 0; i < 300 && !waited && !sweep.IsCompleted; i++)
            {
                waited = await watcher.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND @userPid = ANY (pg_blocking_pids(pid)))", new { userPid });
                await Task.Delay(100, Ct);
            }

            // A sweep that skips a locked notice is as safe as one that waits and checks again; one that neither
            // waits nor skips is what this test is for.
            Assert.True(waited || sweep.IsCompleted, "the sweep neither waited for the notice held by the action nor finished");

            // The action now changes the timer: a sweep holding the timer while waiting for the notice would
            // make this a deadlock, and one of the two would fail.
            await user.ExecuteAsync("SELECT tm_complaint_timers_sync(ARRAY[@moving])", new { moving }, action);
            await action.CommitAsync(Ct);
            var result = await sweep;
            Assert.True(result.Restored >= 2);
        }

        // The moved notice keeps the action's state, and has no restore step and no timer; the others were restored once.
        Assert.Equal(("action_filed", 0L), await watcher.QuerySingleAsync<(string, long)>(
            "SELECT n.state, (SELECT count(*) FROM complaint_timeline e WHERE e.notice_id = n.id AND e.action = 'restore') FROM complaint_notices n WHERE n.id = @moving", new { moving }));
        var rest = ids.Skip(1).ToArray();
        Assert.Equal(2, await watcher.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_notices WHERE id = ANY (@rest) AND state = 'restored'", new { rest }));
        Assert.Equal(2, await watcher.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timeline WHERE notice_id = ANY (@rest) AND action = 'restore'", new { rest }));
        Assert.Equal(0, await watcher.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timers WHERE notice_id = ANY (@ids)", new { ids }));

        // Nothing is left for a later sweep to do to them.
        await factory.SweepAsync();
        Assert.Equal(2, await watcher.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timeline WHERE notice_id = ANY (@ids) AND action = 'restore'", new { ids }));
    }

    [Fact]
    public async Task Two_sweeps_at_once_over_more_than_a_batch_restore_each_notice_once()
    {
        // More due timers than one batch of one slot, so both sweeps' workers read the same timers, batch after batch.
        var world = await CreateAsync(factory, "CN");
        await using var connection = await factory.OpenOwnerConnectionAsync();
        var due = factory.Clock.GetUtcNow().AddDays(-2);
        var count = ComplaintSweep.Batch * 2 + 17;
        var ids = (await connection.QueryAsync<Guid>(
            """
            WITH made AS (
                INSERT INTO complaint_notices (id, complainant_org_id, holder_org_id, platform_org_id, jurisdiction, kind, state, good_faith_statement, signature,
                    measure, measure_reasons, decided_at, review_due_at, counter_notice_at, forwarded_at, restore_not_before, restore_latest, next_timer_at, created_at, updated_at)
                SELECT tm_uuid7(@due), @holder, @holder, @platform, 'CN', 'counterfeit', 'counter_notice_forwarded', 'good faith', 'sig',
                    'remove', 'counterfeit', @due, @due, @due, @due, @due, @due, @due, @due, @due
                FROM generate_series(1, @count)
                RETURNING id)
            SELECT id FROM made
            """,
            new { due, holder = world.Holder.Id, platform = world.Platform.Id, count })).ToArray();
        await connection.ExecuteAsync("SELECT tm_complaint_timers_sync(@ids)", new { ids });
        Assert.Equal(count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timers WHERE notice_id = ANY (@ids)", new { ids }));

        var sweeps = await Task.WhenAll(factory.SweepAsync(), factory.SweepAsync());
        Assert.True(sweeps.Sum(s => s.Restored) >= count);

        // Each restored once: one event each, every timer gone, every notice in the audit and the inbox once.
        Assert.Equal(count, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_notices WHERE id = ANY (@ids) AND state = 'restored'", new { ids }));
        var events = (await connection.QueryAsync<(Guid Id, long Events)>(
            "SELECT notice_id, count(*) FROM complaint_timeline WHERE notice_id = ANY (@ids) AND action = 'restore' GROUP BY notice_id", new { ids })).ToList();
        Assert.Equal(count, events.Count);
        Assert.All(events, e => Assert.Equal(1, e.Events));

        // The restore step is derived from the notice (migration 0056): the sweep stores no event row for it.
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_events WHERE notice_id = ANY (@ids)", new { ids }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timers WHERE notice_id = ANY (@ids)", new { ids }));
        var texts = ids.Select(i => i.ToString()).ToArray();
        Assert.Equal(count, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM audit_events a, jsonb_array_elements_text(a.detail -> 'notices') AS n WHERE a.action = 'complaint.restore' AND n = ANY (@texts)", new { texts }));
        Assert.Equal(2 * count, await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM notifications x, jsonb_array_elements_text(x.payload -> 'notices') AS n WHERE x.kind = 'complaint.restored_batch' AND n = ANY (@texts)", new { texts }));
    }

    [Fact]
    public async Task The_restore_step_is_derived_from_the_notice_in_its_place_for_whoever_sees_the_notice_and_a_stored_one_is_shown_once()
    {
        // Migration 0056: the sweep stores no event row for a restore; the timeline derives the step from the
        // notice. What could go wrong: the step missing, out of order, unlike the row it replaces, shown to
        // someone who may not see the notice, or twice for a notice restored before the migration.
        var world = await CreateAsync(factory, "CN");
        var ids = new List<Guid>();
        DateTimeOffset notBefore = default;
        for (var i = 0; i < 2; i++)
        {
            (var id, notBefore) = await world.ForwardedAsync($"derived-{i}-{Number()}", "derived-shop-" + i);
            ids.Add(Guid.Parse(id));
        }

        await using var connection = await factory.OpenOwnerConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timeline WHERE notice_id = ANY (@ids) AND action = 'restore'", new { ids }));
        factory.Clock.Set(notBefore);
        Assert.Equal(2, (await factory.SweepAsync()).Restored);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_events WHERE notice_id = ANY (@ids) AND action = 'restore'", new { ids }));

        // A later step of the platform's goes after the derived one.
        factory.Clock.Set(notBefore.AddHours(2));
        await PostAsync(world.Platform.Client, $"/api/v1/complaints/notices/{ids[0]}/finding", new { finding = "wrongful", reasons = "No case." });

        // The step as the sweep's row was: the system's, no actor, from forwarded to restored, at the restore,
        // naming the date it waited for; its id is the notice's.
        foreach (var reader in new[] { world.Holder.Client, world.Platform.Client })
        {
            var notice = await GetAsync(reader, $"/api/v1/complaints/notices/{ids[0]}");
            var timeline = notice.GetProperty("timeline").EnumerateArray().ToList();
            var restore = Assert.Single(timeline, e => e.GetProperty("action").GetString() == "restore");
            Assert.Equal(ids[0], restore.GetProperty("id").GetGuid());
            Assert.Equal(notBefore, restore.GetProperty("at").GetDateTimeOffset());
            Assert.Equal(notBefore, notice.GetProperty("deadlines").GetProperty("restoredAt").GetDateTimeOffset());
            Assert.Equal("system", restore.GetProperty("party").GetString());
            Assert.Null(Member(restore, "actor"));
            Assert.Equal("counter_notice_forwarded", restore.GetProperty("from").GetString());
            Assert.Equal("restored", restore.GetProperty("to").GetString());
            Assert.Equal(notBefore, Assert.Single(restore.GetProperty("detail").EnumerateObject()).Value.GetDateTimeOffset());
            Assert.Equal("restoreNotBefore", Assert.Single(restore.GetProperty("detail").EnumerateObject()).Name);
            var actions = timeline.Select(e => e.GetProperty("action").GetString()!).ToList();
            Assert.Equal(["forward_counter_notice", "restore", "record_finding"], actions.TakeLast(3).ToArray());
            Assert.Equal(timeline.Select(e => e.GetProperty("at").GetDateTimeOffset()).Order().ToList(), timeline.Select(e => e.GetProperty("at").GetDateTimeOffset()).ToList());
        }

        // Row-level security follows the notice: a party's session sees the step, another organisation's does not.
        var stranger = await ActorAsync(factory, OrganisationKind.RightsHolder);
        await GetAsync(stranger.Client, $"/api/v1/complaints/notices/{ids[0]}", HttpStatusCode.NotFound);
        foreach (var (org, expected) in new[] { (world.Holder.Id, 2L), (stranger.Id, 0L) })
        {
            await using var tx = await connection.BeginTransactionAsync(Ct);
            await connection.ExecuteAsync("SELECT set_config('role', 'tracemark_app', true), set_config('tracemark.org_id', @org, true)", new { org = org.ToString() }, tx);
            Assert.Equal(expected, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_timeline WHERE notice_id = ANY (@ids) AND action = 'restore'", new { ids }, tx));
            await tx.RollbackAsync(Ct);
        }

        // A notice restored before the migration has its stored row: it is the one shown, once.
        var stored = Guid.CreateVersion7(notBefore);
        await connection.ExecuteAsync(
            """
            INSERT INTO complaint_events (id, notice_id, occurred_at, party, action, from_state, to_state, detail)
            SELECT @stored, n.id, n.restored_at, 'system', 'restore', 'counter_notice_forwarded', 'restored', jsonb_build_object('restoreNotBefore', n.restore_not_before)
            FROM complaint_notices n WHERE n.id = @id
            """,
            new { stored, id = ids[1] });
        var legacy = await GetAsync(world.Holder.Client, $"/api/v1/complaints/notices/{ids[1]}");
        Assert.Equal(stored, Assert.Single(legacy.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("action").GetString() == "restore").GetProperty("id").GetGuid());
    }

    [Fact]
    public void Only_the_system_restores_a_notice_so_restored_at_is_always_the_sweeps_step()
    {
        // The derived step says "the system, from counter_notice_forwarded": a restore by a party, or from another
        // state, would need its own event row and a change of migration 0056's view.
        var restore = Assert.Single(NoticeWorkflow.Transitions, t => t.To == NoticeState.Restored && t.From != NoticeState.Restored);
        Assert.Equal((NoticeState.CounterNoticeForwarded, NoticeAction.Restore, Party.System), (restore.From, restore.Action, restore.By));
        Assert.All(NoticeWorkflow.Transitions.Where(t => t.Action == NoticeAction.Restore), t => Assert.Equal(Party.System, t.By));
    }

    [Fact]
    public async Task An_event_must_name_an_existing_notice_and_no_notice_is_ever_deleted()
    {
        // Migration 0053 replaced the events' foreign key by a check per statement and a refusal to delete notices.
        var world = await CreateAsync(factory, "CN");
        var id = Guid.Parse(Id(await world.FileAsync(world.Notice($"events-{Number()}"))));
        await using var connection = await factory.OpenOwnerConnectionAsync();

        var orphan = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "INSERT INTO complaint_events (id, notice_id, occurred_at, party, action) VALUES (@a, @id, now(), 'system', 'probe'), (@b, @missing, now(), 'system', 'probe')",
            new { a = Guid.CreateVersion7(), b = Guid.CreateVersion7(), id, missing = Guid.CreateVersion7() }));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, orphan.SqlState);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_events WHERE action = 'probe'"));
        var moved = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
            "UPDATE complaint_events SET notice_id = @missing WHERE notice_id = @id", new { id, missing = Guid.CreateVersion7() }));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, moved.SqlState);

        // Even the owner, and even a notice without events, cannot be deleted.
        var deleted = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("DELETE FROM complaint_notices WHERE id = @id", new { id }));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, deleted.SqlState);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM complaint_notices WHERE id = @id", new { id }));
    }

    [Fact]
    public async Task Migration_0052_gives_every_running_timer_its_row_and_keeps_the_notices()
    {
        var database = await (await TestPostgres.SharedAsync()).CreateEmptyDatabaseAsync("timers");
        await new Migrator(database, NullLogger.Instance, [.. Migrator.Embedded.Where(m => m.Version < 52)]).MigrateAsync(Ct);

        var holder = Guid.CreateVersion7();
        var platform = Guid.CreateVersion7();
        // Whole milliseconds: PostgreSQL keeps microseconds, .NET ticks of 100 ns.
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        // A timer in each state that has one, a notice whose clock stopped, and a restored notice.
        (Guid Id, string State, DateTimeOffset? Timer)[] notices =
        [
            (Guid.CreateVersion7(), "submitted", now.AddDays(2)),
            (Guid.CreateVersion7(), "counter_noticed", now.AddDays(-1)),
            (Guid.CreateVersion7(), "counter_notice_forwarded", now.AddDays(-3)),
            // Decided: the review timer stays on the notice, but no clock runs in this state.
            (Guid.CreateVersion7(), "measure_taken", now.AddDays(-5)),
            (Guid.CreateVersion7(), "restored", null),
        ];
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(Ct);
            await connection.ExecuteAsync(
                """
                INSERT INTO organisations (id, node_id, kind, name_en, name_zh, country)
                SELECT o.id, (SELECT id FROM nodes WHERE is_local), o.kind, o.name, o.name, 'CN'
                FROM (VALUES (@holder, 'rights_holder', 'Holder'), (@platform, 'platform', 'Platform')) AS o (id, kind, name)
                """,
                new { holder, platform });
            foreach (var (id, state, timer) in notices)
            {
                await connection.ExecuteAsync(
                    """
                    INSERT INTO complaint_notices (id, complainant_org_id, holder_org_id, platform_org_id, jurisdiction, kind, state, good_faith_statement, signature,
                        review_due_at, counter_notice_at, next_timer_at, created_at, updated_at)
                    VALUES (@id, @holder, @holder, @platform, 'CN', 'counterfeit', @state, 'good faith', 'sig', @now, @counter, @timer, @now, @now)
                    """,
                    new { id, holder, platform, state, timer, now, counter = state is "submitted" or "measure_taken" ? (DateTimeOffset?)null : now });
            }
        }

        await new Migrator(database, NullLogger.Instance).MigrateAsync(Ct);

        await using var after = new NpgsqlConnection(database);
        await after.OpenAsync(Ct);
        var timers = (await after.QueryAsync<(Guid Id, string State, DateTimeOffset Due)>("SELECT notice_id, state, due_at FROM complaint_timers")).OrderBy(t => t.Id).ToList();
        Assert.Equal(
            notices.Where(n => n.Timer is not null && n.State != "measure_taken").Select(n => (n.Id, n.State, n.Timer!.Value.ToUniversalTime())).OrderBy(t => t.Id),
            timers.Select(t => (t.Id, t.State, t.Due.ToUniversalTime())));
        // The rows survive the table's rewrite as they were, and the stored column says which wait for the platform.
        var rows = (await after.QueryAsync<(Guid Id, string State, bool Awaiting)>("SELECT id, state, awaiting_platform FROM complaint_notices")).OrderBy(r => r.Id).ToList();
        Assert.Equal(notices.Select(n => (n.Id, n.State, n.State is "submitted" or "counter_noticed")).OrderBy(r => r.Id), rows);
    }

    private static async Task<List<string>> QueueAsync(ComplaintsWorld world) =>
        (await GetAsync(world.Platform.Client, "/api/v1/complaints/queue?limit=100")).EnumerateArray().Select(n => n.GetProperty("id").GetString()!).ToList();

    private async Task<Accuracy> AccuracyAsync(ComplaintsWorld world)
    {
        await using var connection = await factory.OpenOwnerConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await connection.ExecuteAsync("SELECT set_config('role', 'tracemark_app', true), set_config('tracemark.org_id', @org, true)", new { org = world.Holder.Id.ToString() }, transaction);
        return await connection.QuerySingleAsync<Accuracy>("SELECT * FROM tm_complaint_accuracy(@holder, @platform, '-infinity')", new { holder = world.Holder.Id, platform = world.Platform.Id }, transaction);
    }

    /// <summary>The heap page of each notice's current version.</summary>
    private static async Task<List<(Guid Id, long Page)>> PagesAsync(NpgsqlConnection connection, List<Guid> ids) =>
        (await connection.QueryAsync<(Guid, long)>("SELECT id, (ctid::text::point)[0]::bigint FROM complaint_notices WHERE id = ANY (@ids) ORDER BY id", new { ids })).ToList();

    /// <summary>The identifiers of an index definition: runs of lower-case letters and underscores.</summary>
    private static HashSet<string> Words(string definition)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var start = -1;
        for (var i = 0; i <= definition.Length; i++)
        {
            var inWord = i < definition.Length && (char.IsAsciiLetterLower(definition[i]) || definition[i] == '_');
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                words.Add(definition[start..i]);
                start = -1;
            }
        }

        return words;
    }

}
