-- Whether an organisation wants an event by webhook (0042), with its query's plan kept by the connection.
--
-- As a SQL function that cannot be inlined (SECURITY DEFINER), its query was parsed and planned anew in every
-- statement that called it: each filing batch asks it for the notice's parties, and the planning cost more than
-- the look-up (0.021 of 0.049 ms per filed notice in pg_stat_statements). PL/pgSQL prepares it once per connection.
CREATE OR REPLACE FUNCTION tm_webhook_wanted(org uuid, event text) RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.organisation_id = org AND w.enabled AND (cardinality(w.events) = 0 OR event = ANY (w.events)));
END
$$;
