-- A large import writes its rights' name trigrams into the name index's pending list (a larger list for that
-- transaction only) and merges the list into the index once at its end, sorted by trigram, which costs the
-- database less than inserting each right's trigrams into the index as it comes (measured on a million
-- rights in psql: 15-20 % less CPU). Merging needs the index's owner, hence a function that does only that.
CREATE FUNCTION tm_rights_merge_pending_names() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT gin_clean_pending_list('rights_names'::regclass) + gin_clean_pending_list('rights_classes'::regclass) $$;

REVOKE EXECUTE ON FUNCTION tm_rights_merge_pending_names() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tm_rights_merge_pending_names() TO tracemark_app;

-- An import creates the rights of new numbers while it still reads the file (in chunks, so that the database
-- and the reader work at once) and marks those staged rows as created. The checks at the end then leave
-- them out: a right the import itself created is not a conflict with the register.
CREATE OR REPLACE FUNCTION tm_rights_import_check(holder uuid)
RETURNS TABLE (line integer, problem text, current_distribution text, wanted_distribution text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    IF NOT tm_may_act_for_holder(tm_org(), holder, tm_now()) THEN
        RAISE EXCEPTION 'organisation % may not import rights for %', tm_org(), holder USING ERRCODE = 'insufficient_privilege';
    END IF;

    CREATE TEMP TABLE IF NOT EXISTS rights_staging_matches (line integer, id uuid, problem text, current_distribution text, wanted_distribution text) ON COMMIT DROP;
    TRUNCATE rights_staging_matches;
    INSERT INTO rights_staging_matches
    SELECT s.line, x.id,
           CASE WHEN x.owner_org_id <> holder THEN 'taken'
                WHEN s.distribution IS NOT NULL AND tm_distribution_narrows(x.distribution, x.sharing_group_id, s.distribution, NULL) THEN 'distribution'
                WHEN coalesce(s.registered_on, x.registered_on) < coalesce(s.filed_on, x.filed_on)
                  OR coalesce(s.expires_on, x.expires_on) <= coalesce(s.registered_on, x.registered_on, s.filed_on, x.filed_on) THEN 'dates'
           END,
           CASE WHEN x.owner_org_id = holder THEN x.distribution END,
           s.distribution
    FROM pg_temp.rights_staging s JOIN rights x ON x.jurisdiction = s.jurisdiction AND x.type = s.type AND x.number_key = s.number_key
    WHERE NOT s.created;

    UPDATE pg_temp.rights_staging s SET existing_id = m.id FROM rights_staging_matches m WHERE m.line = s.line AND m.problem IS NULL;
    RETURN QUERY SELECT m.line, m.problem, m.current_distribution, m.wanted_distribution FROM rights_staging_matches m WHERE m.problem IS NOT NULL;
END
$$;

-- A line the checks reject at the end (its number is twice in the file) may already have created its right
-- while the file was read; that right is deleted again. Only a right created by this very transaction for
-- this import can go (nobody deletes rights otherwise, hence a function that does only this).
CREATE FUNCTION tm_rights_import_forget(import uuid, lines integer[])
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    gone integer;
BEGIN
    DELETE FROM rights r USING pg_temp.rights_staging s
    WHERE s.line = ANY (lines) AND s.created AND r.id = s.id AND r.last_import_id = import
      AND r.xmin::text = (pg_current_xact_id()::text::bigint % 4294967296)::text;
    GET DIAGNOSTICS gone = ROW_COUNT;
    RETURN gone;
END
$$;

REVOKE EXECUTE ON FUNCTION tm_rights_import_forget(uuid, integer[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tm_rights_import_forget(uuid, integer[]) TO tracemark_app;
