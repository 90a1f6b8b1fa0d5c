-- A timeline event's notice is checked once per statement instead of once per row (the deadline sweep writes
-- 5,000 events per statement, and a filing batch up to 64).
--
-- The foreign key ran a query per inserted row, locking the notice FOR KEY SHARE so that it could not be
-- deleted before the insert committed. Notices are never deleted (the application's role has no DELETE on
-- them; they are the record of a legal procedure), and now nobody may delete one, which is a stronger guarantee
-- than the lock gave and leaves nothing to race with. What is left of the key is that an event names an
-- existing notice: one anti-join over the statement's new rows, run as the owner (as the key's check was) so
-- that row-level security does not hide the notice from the writer.
CREATE FUNCTION tm_refuse_delete() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER complaint_notices_never_deleted BEFORE DELETE ON complaint_notices
    FOR EACH STATEMENT EXECUTE FUNCTION tm_refuse_delete();
CREATE TRIGGER complaint_notices_never_truncated BEFORE TRUNCATE ON complaint_notices
    FOR EACH STATEMENT EXECUTE FUNCTION tm_refuse_delete();

CREATE FUNCTION tm_complaint_events_notice_exists() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    missing uuid;
BEGIN
    SELECT e.notice_id INTO missing FROM written e
    WHERE NOT EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = e.notice_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "complaint_events" names notice %, which does not exist', missing
            USING ERRCODE = 'foreign_key_violation';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER complaint_events_notice_inserted AFTER INSERT ON complaint_events
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION tm_complaint_events_notice_exists();
CREATE TRIGGER complaint_events_notice_updated AFTER UPDATE ON complaint_events
    REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION tm_complaint_events_notice_exists();

ALTER TABLE complaint_events DROP CONSTRAINT complaint_events_notice_id_fkey;
