-- The functions that row-level security and the filing's checks call on every statement, in PL/pgSQL
-- rather than SQL, with the same bodies and answers. None of them could be inlined into the calling query
-- (a SET clause, SECURITY DEFINER or a sub-select prevents it), so as SQL functions PostgreSQL parsed and
-- planned their bodies again in every statement that called them: 0.27-0.32 ms a call in a loop of 500,
-- about a third of the database's time when filing notices (pg_stat_statements and perf under the filing
-- benchmark). PL/pgSQL keeps the plan for the life of the connection: 0.04 ms a call.
CREATE OR REPLACE FUNCTION tm_may_act_for_right(actor uuid, r uuid, at timestamptz) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN EXISTS (
        SELECT 1 FROM rights x
        WHERE x.id = r AND (
            x.owner_org_id = actor
            OR EXISTS (
                SELECT 1 FROM agent_authorisations a
                WHERE a.holder_org_id = x.owner_org_id AND a.agent_org_id = actor AND tm_authorisation_in_force(a, at)
                  AND (a.all_rights OR EXISTS (SELECT 1 FROM agent_authorisation_rights ar WHERE ar.authorisation_id = a.id AND ar.right_id = r)))));
END
$$;

CREATE OR REPLACE FUNCTION tm_acting_for_all() RETURNS uuid[] LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(DISTINCT a.holder_org_id), '{}') FROM agent_authorisations a
            WHERE a.agent_org_id = tm_org() AND a.all_rights AND tm_authorisation_in_force(a, tm_now()));
END
$$;

CREATE OR REPLACE FUNCTION tm_complaint_party(complainant uuid, holder uuid, platform uuid) RETURNS boolean LANGUAGE plpgsql STABLE
AS $$
BEGIN
    RETURN tm_org() IN (complainant, holder, platform) OR holder = ANY (tm_acting_for_all());
END
$$;
