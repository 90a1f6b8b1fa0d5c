-- The accuracy count (run on every filing by a complainant on a platform's fast track) still walked every
-- notice of the complainant in the window: 2.8 ms for 2,600 notices, growing with each one filed, most of
-- the database's time in the filing benchmark. A notice counts in none of the figures until something
-- happened to it (a decision, a counter-notice, a finding), so only those are read, along an index that
-- holds only them; the figures are unchanged (each FILTER below implies the added condition).
-- In PL/pgSQL, not SQL: a SQL function with a SET clause is parsed and planned again on every call (0.27 ms
-- of a 0.3 ms call, measured in a loop of 500 calls); PL/pgSQL keeps its plan for the connection (0.04 ms).
CREATE INDEX complaint_notices_accuracy_counted ON complaint_notices (complainant_org_id, platform_org_id, created_at)
    WHERE decided_at IS NOT NULL OR measure IS NOT NULL OR counter_notice_at IS NOT NULL OR state = 'restored' OR finding IS NOT NULL;

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
      AND (n.decided_at IS NOT NULL OR n.measure IS NOT NULL OR n.counter_notice_at IS NOT NULL OR n.state = 'restored' OR n.finding IS NOT NULL)
      AND (SELECT tm_org()) IN (complainant, platform);
END
$$;
