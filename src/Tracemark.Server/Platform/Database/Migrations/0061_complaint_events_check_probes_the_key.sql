-- A timeline event's notice check (0053) probes the notices' key once per written row, whatever the plan's age.
--
-- PL/pgSQL keeps a statement's first plan for the life of the connection. The anti-join of 0053 was planned for
-- the first statement's row count and the table's size at that moment: a connection that first checked a nearly
-- empty table kept a join that scans complaint_notices, and every filing batch on it paid for that until an
-- ANALYZE happened to replace the plan (34 buffers per filed notice under load, where probing the key takes 3).
-- OFFSET 0 keeps the EXISTS a subquery run per row, whose only sensible plan is a probe of the primary key even
-- on an empty table; the sweep's 5,000 rows a statement are 5,000 probes, as a join against a large table was.
CREATE OR REPLACE FUNCTION tm_complaint_events_notice_exists() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    missing uuid;
BEGIN
    SELECT e.notice_id INTO missing FROM written e
    WHERE NOT EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = e.notice_id OFFSET 0)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "complaint_events" names notice %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;
