-- Customs recordations (PRC 知识产权海关保护备案) and applications for action (EU Regulation 608/2013):
-- which rights, which customs authorities, which goods, valid from when to when. Validity periods differ
-- (one year renewable in the EU, ten years for a PRC recordation), so the dates are stored, never derived.

CREATE TABLE recordations (
    id uuid PRIMARY KEY,
    owner_org_id uuid NOT NULL REFERENCES organisations (id),
    recorded_by_org_id uuid NOT NULL REFERENCES organisations (id),
    origin_node_id uuid NOT NULL REFERENCES nodes (id),
    version integer NOT NULL DEFAULT 1,
    distribution text NOT NULL DEFAULT 'node' CHECK (distribution IN ('organisation', 'group', 'node', 'partners', 'public')),
    sharing_group_id uuid REFERENCES sharing_groups (id),
    kind text NOT NULL CHECK (kind IN ('recordation', 'application_for_action')),
    jurisdiction text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}$'),
    reference text CHECK (length(reference) BETWEEN 1 AND 100),
    -- Customs authorities applied to, as the application names them, and those among them on this platform.
    authorities text[] NOT NULL DEFAULT '{}',
    authority_org_ids uuid[] NOT NULL DEFAULT '{}',
    goods text NOT NULL CHECK (length(goods) BETWEEN 1 AND 5000),
    status text NOT NULL CHECK (status IN ('submitted', 'granted', 'rejected', 'expired')),
    filed_on date,
    valid_from date,
    valid_until date,
    created_by uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((distribution = 'group') = (sharing_group_id IS NOT NULL)),
    CHECK (valid_until IS NULL OR valid_from IS NULL OR valid_until > valid_from)
);
CREATE INDEX recordations_owner ON recordations (owner_org_id, id DESC);
CREATE INDEX recordations_expiry ON recordations (valid_until) WHERE status = 'granted';

CREATE TRIGGER recordations_refuse_narrowing BEFORE UPDATE OF distribution, sharing_group_id ON recordations
    FOR EACH ROW EXECUTE FUNCTION tm_refuse_narrowing();

CREATE TABLE recordation_rights (
    recordation_id uuid NOT NULL REFERENCES recordations (id) ON DELETE CASCADE,
    right_id uuid NOT NULL REFERENCES rights (id),
    PRIMARY KEY (recordation_id, right_id)
);
CREATE INDEX recordation_rights_right ON recordation_rights (right_id);

ALTER TABLE recordations ENABLE ROW LEVEL SECURITY;
ALTER TABLE recordation_rights ENABLE ROW LEVEL SECURITY;

CREATE POLICY recordations_read ON recordations FOR SELECT
    USING (tm_can_see(owner_org_id, distribution, sharing_group_id) OR owner_org_id = ANY ((SELECT tm_represented())::uuid[]));
CREATE POLICY recordations_insert ON recordations FOR INSERT
    WITH CHECK (recorded_by_org_id = tm_org() AND (owner_org_id = tm_org() OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[])));
CREATE POLICY recordations_update ON recordations FOR UPDATE
    USING (owner_org_id = tm_org() OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[]))
    WITH CHECK (owner_org_id = tm_org() OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[]));

CREATE FUNCTION tm_may_change_recordation(r uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM recordations x WHERE x.id = r AND (x.owner_org_id = tm_org() OR x.owner_org_id = ANY (tm_acting_for_all()))) $$;

CREATE POLICY recordation_rights_read ON recordation_rights FOR SELECT USING (EXISTS (SELECT 1 FROM recordations x WHERE x.id = recordation_id));
CREATE POLICY recordation_rights_insert ON recordation_rights FOR INSERT WITH CHECK (tm_may_change_recordation(recordation_id));
CREATE POLICY recordation_rights_delete ON recordation_rights FOR DELETE USING (tm_may_change_recordation(recordation_id));

GRANT SELECT, INSERT, UPDATE ON recordations TO tracemark_app;
GRANT SELECT, INSERT, DELETE ON recordation_rights TO tracemark_app;
