-- A complainant's accuracy with a platform is counted on every filing (to grant or withdraw the fast
-- track) over all its notices in the platform's window. Under row-level security each of those rows paid
-- for the read policy's functions, which made a filing cost grow with the complainant's history (most of
-- the database's time in the filing benchmark). Here the caller is checked once, as one of the two
-- parties the figures concern, and the rows are then counted along complaint_notices_accuracy.
CREATE FUNCTION tm_complaint_accuracy(complainant uuid, platform uuid, since timestamptz)
RETURNS TABLE (decided int, upheld int, counter_notices int, counter_succeeded int, wrongful int, malicious int)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$
    SELECT count(*) FILTER (WHERE n.decided_at IS NOT NULL)::int,
           count(*) FILTER (WHERE n.measure IN ('remove', 'block', 'restrict') AND n.state <> 'reversed')::int,
           count(*) FILTER (WHERE n.counter_notice_at IS NOT NULL)::int,
           count(*) FILTER (WHERE n.state = 'restored')::int,
           count(*) FILTER (WHERE n.finding = 'wrongful')::int,
           count(*) FILTER (WHERE n.finding = 'malicious')::int
    FROM complaint_notices n
    WHERE n.complainant_org_id = complainant AND n.platform_org_id = platform AND n.created_at >= since
      AND (SELECT tm_org()) IN (complainant, platform)
$$;
REVOKE ALL ON FUNCTION tm_complaint_accuracy(uuid, uuid, timestamptz) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tm_complaint_accuracy(uuid, uuid, timestamptz) TO tracemark_app;

