-- The deadline sweep writes less per restored notice (benchmark: 1,000,000 notices past their restore date).
--
-- A listing's claim is now derived from the state of the notice that claimed it. Closing a notice no longer
-- clears complaint_listings.open_notice_id (a non-HOT update of the listing and two index entries per notice,
-- 0.3 s of a 1.1 s batch of 5,000): the listing is held by open_notice_id while that notice is in a state
-- that holds listings. It is the same rule as before: every transition from a holding state to one that does
-- not hold listings released them (NoticeWorkflow: Decline, Withdraw, Restore, GrantAppeal), those states are
-- terminal (only findings follow, which keep the state), and a notice filed as 'linked' never claimed its
-- listings. The states are NoticeWorkflow.HoldsListings; a test compares the two for every state.
CREATE FUNCTION tm_complaint_holds_listings(p_state text) RETURNS boolean LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT p_state IN ('submitted', 'measure_taken', 'counter_noticed', 'counter_notice_forwarded', 'action_filed', 'appealed')
$$;

-- The holder is read FOR SHARE: a notice being closed in a transaction not yet committed is waited for and
-- its new state read, as the listing's update used to wait for the close's update of the listing row. The
-- listing row itself is locked by the upsert, so two filings on one listing still take turns.
CREATE OR REPLACE FUNCTION tm_complaint_claim_listing(p_notice uuid, p_platform uuid, p_key text, p_now timestamptz)
RETURNS TABLE (listing_id uuid, holder_notice_id uuid) LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    v_listing uuid;
    v_holder uuid;
    v_state text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = p_notice AND n.complainant_org_id = tm_org() AND n.platform_org_id = p_platform) THEN
        RAISE EXCEPTION 'notice % is not the caller''s notice to that platform', p_notice USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO complaint_listings AS l (id, platform_org_id, listing_key, open_notice_id, first_seen_at)
    VALUES (tm_uuid7(p_now), p_platform, p_key, p_notice, p_now)
    ON CONFLICT (platform_org_id, listing_key) DO UPDATE SET open_notice_id = coalesce(l.open_notice_id, excluded.open_notice_id)
    RETURNING l.id, l.open_notice_id INTO v_listing, v_holder;
    IF v_holder <> p_notice THEN
        SELECT n.state INTO v_state FROM complaint_notices n WHERE n.id = v_holder FOR SHARE;
        IF NOT tm_complaint_holds_listings(v_state) THEN
            UPDATE complaint_listings SET open_notice_id = p_notice WHERE id = v_listing;
            v_holder := p_notice;
        END IF;
    END IF;
    listing_id := v_listing;
    holder_notice_id := v_holder;
    RETURN NEXT;
END
$$;

-- Closing voids the strikes when the measure is lifted; the listings need nothing (above). Answers how many
-- listings the notices held, as before.
CREATE OR REPLACE FUNCTION tm_complaint_close_all(p_notices uuid[], p_void_strikes boolean, p_reason text, p_now timestamptz) RETURNS integer
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
    IF p_void_strikes THEN
        UPDATE complaint_strikes SET voided_at = p_now, void_reason = p_reason WHERE notice_id = ANY (p_notices) AND voided_at IS NULL;
    END IF;
    RETURN (SELECT count(*) FROM complaint_listings WHERE open_notice_id = ANY (p_notices))::int;
END
$$;

-- The accuracy count reads complaint_notices_accuracy_counted since 0046; nothing reads this one, and every
-- notice written (filed, or moved on: a state change is never a HOT update) paid an entry in it.
DROP INDEX complaint_notices_accuracy;
