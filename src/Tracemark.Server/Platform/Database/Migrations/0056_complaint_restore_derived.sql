-- The deadline sweep's restore step of a notice's timeline is derived from the notice instead of stored as a
-- complaint_events row (issue 6: a sweep over 1,000,000 notices; the row cost 14-16 us of PostgreSQL CPU per
-- restore, a third of the sweep). A restore is only ever made by the system from counter_notice_forwarded (the
-- transition table has no other), and its facts are already on the notice: restored_at is when, and
-- restore_not_before the date it waited for. complaint_timeline is what every reader of a timeline reads: the
-- stored events and, for a restored notice, the step those events lack.
--
-- The derived step is the row the sweep used to write: party system, no actor, action restore, from
-- counter_notice_forwarded to restored, detail {"restoreNotBefore": ...}, at restored_at; its id is the notice's
-- own (the step happens once per notice). A notice restored before this migration keeps its stored row, and
-- the NOT EXISTS shows it once, not twice.
--
-- security_invoker: the reader's privileges and row-level security apply to both tables, so the derived step
-- is visible exactly when the notice is, which is complaint_events_read's rule for the stored ones.
CREATE VIEW complaint_timeline WITH (security_invoker = true) AS
SELECT e.id, e.notice_id, e.occurred_at, e.party, e.actor_org_id, e.actor_user_id, e.action, e.from_state, e.to_state, e.detail
FROM complaint_events e
UNION ALL
SELECT n.id, n.id, n.restored_at, 'system', NULL::uuid, NULL::uuid, 'restore', 'counter_notice_forwarded', 'restored',
       jsonb_build_object('restoreNotBefore', n.restore_not_before)
FROM complaint_notices n
WHERE n.state = 'restored' AND n.restored_at IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM complaint_events s WHERE s.notice_id = n.id AND s.action = 'restore');

GRANT SELECT ON complaint_timeline TO tracemark_app;
