-- Alerts (M8): the first shared record type. Every shared table follows this pattern:
-- owner_org_id + distribution + sharing_group_id, read through tm_can_see, written by the owner only,
-- never narrowed.

CREATE TABLE alerts (
    id uuid PRIMARY KEY,
    owner_org_id uuid NOT NULL REFERENCES organisations (id),
    origin_node_id uuid NOT NULL REFERENCES nodes (id),
    version integer NOT NULL DEFAULT 1,
    distribution text NOT NULL CHECK (distribution IN ('organisation', 'group', 'node', 'partners', 'public')),
    sharing_group_id uuid REFERENCES sharing_groups (id),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    product_category text CHECK (length(product_category) <= 100),
    rights_concerned text CHECK (length(rights_concerned) <= 1000),
    origin_countries text[] NOT NULL DEFAULT '{}',
    destination_countries text[] NOT NULL DEFAULT '{}',
    severity text NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    created_by uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((distribution = 'group') = (sharing_group_id IS NOT NULL))
);
CREATE INDEX alerts_owner ON alerts (owner_org_id, id DESC);
CREATE INDEX alerts_severity ON alerts (severity, id DESC);
CREATE INDEX alerts_group ON alerts (sharing_group_id) WHERE sharing_group_id IS NOT NULL;

CREATE TRIGGER alerts_refuse_narrowing BEFORE UPDATE OF distribution, sharing_group_id ON alerts
    FOR EACH ROW EXECUTE FUNCTION tm_refuse_narrowing();

ALTER TABLE alerts ENABLE ROW LEVEL SECURITY;
CREATE POLICY alerts_read ON alerts FOR SELECT USING (tm_can_see(owner_org_id, distribution, sharing_group_id));
CREATE POLICY alerts_insert ON alerts FOR INSERT WITH CHECK (owner_org_id = tm_org());
CREATE POLICY alerts_update ON alerts FOR UPDATE USING (owner_org_id = tm_org()) WITH CHECK (owner_org_id = tm_org());
GRANT SELECT, INSERT, UPDATE ON alerts TO tracemark_app;

-- Whether every member of a group is on this node (a group record may then become node-wide).
-- Answers without revealing the member list, which the group's owner may keep to itself.
CREATE FUNCTION tm_group_all_local(g uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$
    SELECT NOT EXISTS (
        SELECT 1 FROM sharing_group_members m JOIN organisations o ON o.id = m.organisation_id JOIN nodes n ON n.id = o.node_id
        WHERE m.group_id = g AND NOT n.is_local)
$$;
