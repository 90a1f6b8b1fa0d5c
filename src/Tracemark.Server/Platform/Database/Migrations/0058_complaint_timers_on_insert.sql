-- A new notice's timer is written by the statement that inserts the notice, from the rows it inserted, instead
-- of by a later call of tm_complaint_timers_sync that looks each notice up again by its id. Measured with the
-- filing benchmark (docs/benchmarks.md, issue 6): that call was among the largest of a batch's statements, and
-- with two intake writers its cached plan cost five times as much per filing. The rows come from the caller's
-- own insert, which row-level security has already checked, so no check is repeated here. A writer that later
-- moves a notice to another state still calls tm_complaint_timers_sync, which upserts or deletes the row.
CREATE FUNCTION tm_complaint_timers_on_insert() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO complaint_timers (notice_id, state, due_at)
    SELECT n.id, n.state, n.next_timer_at FROM inserted n WHERE n.next_timer_at IS NOT NULL AND tm_complaint_has_timer(n.state);
    RETURN NULL;
END
$$;

CREATE TRIGGER complaint_notices_timers_on_insert AFTER INSERT ON complaint_notices
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION tm_complaint_timers_on_insert();
