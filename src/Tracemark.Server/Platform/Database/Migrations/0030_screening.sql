-- Screening (M7): marks come from the rights registry; this adds what screening needs on top of it.

-- Phrases that contain a mark but do not infringe it ("apple pie" for a computer maker): set by the owner.
ALTER TABLE rights ADD COLUMN screening_exclusions text[] NOT NULL DEFAULT '{}'
    CHECK (cardinality(screening_exclusions) <= 200);

-- Risk terms per language ("replica", "1:1", "高仿", "原单"). Seeded from the engine's built-in lists on first
-- start; a term the administrator removes is disabled rather than deleted, so that it is not seeded again.
CREATE TABLE screening_risk_terms (
    term text NOT NULL CHECK (length(term) BETWEEN 1 AND 100),
    language text NOT NULL CHECK (language ~ '^[a-z]{2}(-[A-Z]{2})?$'),
    enabled boolean NOT NULL DEFAULT true,
    added_by uuid,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (term, language)
);
ALTER TABLE screening_risk_terms ENABLE ROW LEVEL SECURITY;
CREATE POLICY screening_risk_terms_read ON screening_risk_terms FOR SELECT USING (true);
CREATE POLICY screening_risk_terms_write ON screening_risk_terms FOR ALL USING (tm_is_platform_admin()) WITH CHECK (tm_is_platform_admin());
GRANT SELECT, INSERT, UPDATE ON screening_risk_terms TO tracemark_app;

-- Every server keeps the marks in memory and LISTENs here, so a changed right is screened for at once
-- on all of them. A statement that changes many rights (an import) asks for a full reload instead of
-- naming each one (a notification holds at most 8000 bytes).
CREATE FUNCTION tm_notify_marks_changed() RETURNS trigger LANGUAGE plpgsql
AS $$
DECLARE
    changed bigint;
    ids text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        SELECT count(*), string_agg(id::text, ',') INTO changed, ids FROM (SELECT id FROM old_rows LIMIT 101) s;
    ELSE
        SELECT count(*), string_agg(id::text, ',') INTO changed, ids FROM (SELECT id FROM new_rows LIMIT 101) s;
    END IF;
    IF changed > 100 THEN
        PERFORM pg_notify('tracemark_marks', '*');
    ELSIF changed > 0 THEN
        PERFORM pg_notify('tracemark_marks', ids);
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER rights_marks_inserted AFTER INSERT ON rights REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tm_notify_marks_changed();
CREATE TRIGGER rights_marks_updated AFTER UPDATE ON rights REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tm_notify_marks_changed();
CREATE TRIGGER rights_marks_deleted AFTER DELETE ON rights REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION tm_notify_marks_changed();

CREATE FUNCTION tm_notify_risk_terms_changed() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN PERFORM pg_notify('tracemark_marks', '*'); RETURN NULL; END $$;
CREATE TRIGGER screening_risk_terms_changed AFTER INSERT OR UPDATE OR DELETE ON screening_risk_terms
    FOR EACH STATEMENT EXECUTE FUNCTION tm_notify_risk_terms_changed();
