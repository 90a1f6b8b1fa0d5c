-- The caller's organisation kind, for records visible to a class of organisations rather than to a
-- distribution level: identification guides and detentions are for enforcement agencies and the owner.
CREATE FUNCTION tm_org_kind() RETURNS text LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('tracemark.org_kind', true), '') $$;

-- Mirrors OrganisationKinds.IsEnforcement in Tracemark.Core.
CREATE FUNCTION tm_org_is_enforcement() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(tm_org_kind() IN ('customs', 'market_regulator', 'police', 'prosecutor', 'court', 'ip_office', 'coordinating_office', 'foreign_partner'), false) $$;
