-- The deadline sweep at scale (benchmark: 1,000,000 notices whose restore period has ended).
--
-- Each pass of the sweep takes one state's due timers, oldest first. On (next_timer_at) alone a pass had
-- to walk, and fetch from the table, every due timer of the other states before reaching its own (whether
-- it did depended on the planner's statistics just after a bulk change). Starting the index at the state
-- gives each pass its own range; nothing else reads the old index.
CREATE INDEX complaint_notices_due ON complaint_notices (state, next_timer_at) WHERE next_timer_at IS NOT NULL;
DROP INDEX complaint_notices_timer;

-- Closing a set of notices at once. The sweep closed its batch with one call of tm_complaint_close per
-- notice, two statements each (a third of the time of a batch); this does the same in two statements for
-- the whole set, and tm_complaint_close becomes the set of one, so that what closing does is written once.
CREATE FUNCTION tm_complaint_close_all(p_notices uuid[], p_void_strikes boolean, p_reason text, p_now timestamptz) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    refused uuid;
    released integer;
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
    UPDATE complaint_listings SET open_notice_id = NULL WHERE open_notice_id = ANY (p_notices);
    GET DIAGNOSTICS released = ROW_COUNT;
    IF p_void_strikes THEN
        UPDATE complaint_strikes SET voided_at = p_now, void_reason = p_reason WHERE notice_id = ANY (p_notices) AND voided_at IS NULL;
    END IF;
    RETURN released;
END
$$;

CREATE OR REPLACE FUNCTION tm_complaint_close(p_notice uuid, p_void_strikes boolean, p_reason text, p_now timestamptz) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT tm_complaint_close_all(ARRAY[p_notice], p_void_strikes, p_reason, p_now)
$$;
