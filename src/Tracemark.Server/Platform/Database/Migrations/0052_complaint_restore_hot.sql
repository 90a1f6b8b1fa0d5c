-- The deadline sweep's update of a notice becomes a HOT update (benchmark: 1,000,000 notices past their
-- restore date; the goal is under 10 s). A restore changes state, restored_at, closed_at, next_timer_at,
-- version and updated_at. PostgreSQL updates a row in place on its page (heap-only, no new index entries) only
-- when no column used by any index (key, expression or predicate) changes value and the page has room for the
-- new version. Before this, state was in three indexes and next_timer_at in one, and bulk-loaded pages were
-- full, so every restore wrote a new entry in each of the table's six indexes.

-- Room for a new version of each row. The sweep restores a whole page's rows in one batch (they were filed
-- together and fall due together), and the old versions are dead only after its commit, so a page needs room
-- for all of them at once: half of it. Set before the column below, whose rewrite of the table applies it.
ALTER TABLE complaint_notices SET (fillfactor = 50);

-- The review queue: notices waiting for the platform (a new notice, a counter-notice to forward, an appeal).
-- A stored column the queue's index is filtered on, instead of the state: a restore moves between two states
-- outside the queue, so the column keeps its value (false) and the update stays HOT.
ALTER TABLE complaint_notices ADD COLUMN awaiting_platform boolean GENERATED ALWAYS AS (state IN ('submitted', 'counter_noticed', 'appealed')) STORED;
CREATE INDEX complaint_notices_awaiting ON complaint_notices (platform_org_id, review_due_at) WHERE awaiting_platform;
DROP INDEX complaint_notices_queue;

-- The accuracy count's index (0046) without state = 'restored': a notice is restored only from
-- counter_notice_forwarded, which only a counter-notice reaches, and the counter-notice sets counter_notice_at,
-- so every restored notice is already in the index by counter_notice_at. The constraint says so, and the
-- function's filter changes with the index (the figures are the same: each FILTER implies the condition).
ALTER TABLE complaint_notices ADD CONSTRAINT complaint_notices_restored_after_counter_notice CHECK (state <> 'restored' OR counter_notice_at IS NOT NULL);
CREATE INDEX complaint_notices_accuracy_decided ON complaint_notices (complainant_org_id, platform_org_id, created_at)
    WHERE decided_at IS NOT NULL OR measure IS NOT NULL OR counter_notice_at IS NOT NULL OR finding IS NOT NULL;
DROP INDEX complaint_notices_accuracy_counted;

CREATE OR REPLACE FUNCTION tm_complaint_accuracy(complainant uuid, platform uuid, since timestamptz)
RETURNS TABLE (decided int, upheld int, counter_notices int, counter_succeeded int, wrongful int, malicious int)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public
AS $$
BEGIN
    RETURN QUERY
    SELECT count(*) FILTER (WHERE n.decided_at IS NOT NULL)::int,
           count(*) FILTER (WHERE n.measure IN ('remove', 'block', 'restrict') AND n.state <> 'reversed')::int,
           count(*) FILTER (WHERE n.counter_notice_at IS NOT NULL)::int,
           count(*) FILTER (WHERE n.state = 'restored')::int,
           count(*) FILTER (WHERE n.finding = 'wrongful')::int,
           count(*) FILTER (WHERE n.finding = 'malicious')::int
    FROM complaint_notices n
    WHERE n.complainant_org_id = complainant AND n.platform_org_id = platform AND n.created_at >= since
      AND (n.decided_at IS NOT NULL OR n.measure IS NOT NULL OR n.counter_notice_at IS NOT NULL OR n.finding IS NOT NULL)
      AND (SELECT tm_org()) IN (complainant, platform);
END
$$;

-- The timers the sweep looks for, in their own narrow table: one row per notice whose state has a clock
-- running (the notice's next_timer_at stays its record, unindexed). The sweep claims due rows here and deletes
-- them. A row may outlive its timer (the notice moved on before it fell due): the sweep checks the notice's own
-- state and next_timer_at under its lock and drops such a row without touching the notice. Only the owner
-- reads and writes it (the sweep runs as the owner; writers go through tm_complaint_timers_sync).
-- The states whose clock the sweep watches (NoticeWorkflow.Timers; a test compares the two). A notice keeps
-- next_timer_at when a decision moves it on from 'submitted' (the sweep always read it with the state), so a
-- timer is running only in one of these states.
CREATE FUNCTION tm_complaint_has_timer(p_state text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT p_state IN ('submitted', 'counter_noticed', 'counter_notice_forwarded')
$$;

CREATE TABLE complaint_timers (
    notice_id uuid PRIMARY KEY,
    state text NOT NULL,
    due_at timestamptz NOT NULL
);
CREATE INDEX complaint_timers_due ON complaint_timers (state, due_at);
ALTER TABLE complaint_timers ENABLE ROW LEVEL SECURITY;

INSERT INTO complaint_timers (notice_id, state, due_at)
SELECT id, state, next_timer_at FROM complaint_notices WHERE next_timer_at IS NOT NULL AND tm_complaint_has_timer(state);

DROP INDEX complaint_notices_due;

-- Mirrors the notices' running timers into complaint_timers after a writer changed them: a timer set in a
-- state that has one is upserted, any other is deleted. It reads the notices' own values, so a caller cannot set a timer other
-- than the one its notice has; the caller must be able to read the notices (row-level security applies to
-- that read through the check below).
CREATE FUNCTION tm_complaint_timers_sync(p_notices uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    refused uuid;
BEGIN
    IF tm_org() IS NOT NULL THEN
        SELECT p.id INTO refused FROM unnest(p_notices) AS p (id)
        WHERE NOT EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = p.id
            AND tm_complaint_party(n.complainant_org_id, n.holder_org_id, n.platform_org_id))
        LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION 'notice % is not one the caller takes part in', refused USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    DELETE FROM complaint_timers t USING complaint_notices n
    WHERE n.id = ANY (p_notices) AND t.notice_id = n.id AND (n.next_timer_at IS NULL OR NOT tm_complaint_has_timer(n.state));
    INSERT INTO complaint_timers (notice_id, state, due_at)
    SELECT n.id, n.state, n.next_timer_at FROM complaint_notices n WHERE n.id = ANY (p_notices) AND n.next_timer_at IS NOT NULL AND tm_complaint_has_timer(n.state)
    ON CONFLICT (notice_id) DO UPDATE SET state = excluded.state, due_at = excluded.due_at;
END
$$;
