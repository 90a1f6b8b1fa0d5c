-- The rights registry (M1): rights of every type, their documents, and the agents that rights holders
-- authorise to act for them. Rights are shared records (owner_org_id + distribution, default node-wide:
-- officers must find them); the holder's authorised agents see and maintain them too.

CREATE TABLE agent_authorisations (
    id uuid PRIMARY KEY,
    holder_org_id uuid NOT NULL REFERENCES organisations (id),
    agent_org_id uuid NOT NULL REFERENCES organisations (id),
    -- All of the holder's rights, including rights recorded later (which lets the agent record them),
    -- or only those listed in agent_authorisation_rights.
    all_rights boolean NOT NULL,
    -- UTC calendar days, both inclusive; no end means until revoked.
    valid_from date NOT NULL,
    valid_until date,
    note text CHECK (length(note) <= 2000),
    created_by uuid,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_by uuid,
    CHECK (holder_org_id <> agent_org_id),
    CHECK (valid_until IS NULL OR valid_until >= valid_from)
);
CREATE INDEX agent_authorisations_agent ON agent_authorisations (agent_org_id) WHERE revoked_at IS NULL;
CREATE INDEX agent_authorisations_holder ON agent_authorisations (holder_org_id, id DESC);

CREATE TABLE rights (
    id uuid PRIMARY KEY,
    owner_org_id uuid NOT NULL REFERENCES organisations (id),
    -- The organisation that recorded it: the holder itself or an agent acting for it.
    recorded_by_org_id uuid NOT NULL REFERENCES organisations (id),
    origin_node_id uuid NOT NULL REFERENCES nodes (id),
    version integer NOT NULL DEFAULT 1,
    distribution text NOT NULL DEFAULT 'node' CHECK (distribution IN ('organisation', 'group', 'node', 'partners', 'public')),
    sharing_group_id uuid REFERENCES sharing_groups (id),
    type text NOT NULL CHECK (type IN ('trademark', 'patent', 'design', 'copyright', 'geographical_indication', 'plant_variety')),
    form text CHECK (form IN ('word', 'figurative', 'combined', 'invention', 'utility_model')),
    jurisdiction text NOT NULL CHECK (jurisdiction ~ '^[A-Z]{2}$'),
    number text CHECK (length(number) BETWEEN 1 AND 64),
    -- The number as compared: ASCII letters and digits, upper case (RightRules.NumberKey).
    number_key text CHECK (number_key ~ '^[A-Z0-9]+$'),
    application_number text CHECK (length(application_number) <= 64),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    name_zh text CHECK (length(name_zh) <= 300),
    other_names text[] NOT NULL DEFAULT '{}',
    -- Each name folded for search (case, width, accents, traditional Chinese; Chinese as overlapping pairs
    -- of characters), written by the application (RightNames.Fold); search_names joins them for the index.
    name_folded text NOT NULL,
    name_zh_folded text,
    other_names_folded text,
    search_names text NOT NULL GENERATED ALWAYS AS (name_folded || coalesce(' ' || name_zh_folded, '') || coalesce(' ' || other_names_folded, '')) STORED,
    classes smallint[] NOT NULL DEFAULT '{}' CHECK (1 <= ALL (classes) AND 45 >= ALL (classes)),
    goods text CHECK (length(goods) <= 10000),
    filed_on date,
    registered_on date,
    expires_on date,
    status text NOT NULL CHECK (status IN ('pending', 'registered', 'expired', 'cancelled', 'opposed')),
    area text CHECK (length(area) <= 300),
    product text CHECK (length(product) <= 300),
    species text CHECK (length(species) <= 300),
    description text CHECK (length(description) <= 5000),
    image_sha256 text REFERENCES blobs (sha256),
    last_import_id uuid,
    created_by uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((distribution = 'group') = (sharing_group_id IS NOT NULL)),
    CHECK (number IS NOT NULL OR type = 'copyright'),
    CHECK ((number IS NULL) = (number_key IS NULL)),
    CHECK (registered_on IS NULL OR filed_on IS NULL OR registered_on >= filed_on),
    CHECK (expires_on IS NULL OR expires_on > coalesce(registered_on, filed_on, expires_on - 1))
);
-- One record per right: a re-import updates it instead of adding another.
CREATE UNIQUE INDEX rights_key ON rights (jurisdiction, type, number_key);
CREATE INDEX rights_number ON rights (number_key);
CREATE INDEX rights_owner ON rights (owner_org_id, id DESC);
CREATE INDEX rights_names ON rights USING gin (search_names gin_trgm_ops);
CREATE INDEX rights_classes ON rights USING gin (classes);
CREATE INDEX rights_expires ON rights (expires_on);
CREATE INDEX rights_group ON rights (sharing_group_id) WHERE sharing_group_id IS NOT NULL;

CREATE TRIGGER rights_refuse_narrowing BEFORE UPDATE OF distribution, sharing_group_id ON rights
    FOR EACH ROW EXECUTE FUNCTION tm_refuse_narrowing();

CREATE TABLE agent_authorisation_rights (
    authorisation_id uuid NOT NULL REFERENCES agent_authorisations (id),
    right_id uuid NOT NULL REFERENCES rights (id),
    PRIMARY KEY (authorisation_id, right_id)
);
CREATE INDEX agent_authorisation_rights_right ON agent_authorisation_rights (right_id);

CREATE TABLE right_documents (
    id uuid PRIMARY KEY,
    right_id uuid NOT NULL REFERENCES rights (id),
    sha256 text NOT NULL REFERENCES blobs (sha256),
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    file_name text CHECK (length(file_name) <= 255),
    uploaded_by_org_id uuid NOT NULL REFERENCES organisations (id),
    uploaded_by uuid,
    uploaded_at timestamptz NOT NULL
);
CREATE INDEX right_documents_right ON right_documents (right_id);

-- Each bulk import, so that the rights it created or changed (rights.last_import_id) can be traced to it.
CREATE TABLE right_imports (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    holder_org_id uuid NOT NULL REFERENCES organisations (id),
    format text NOT NULL CHECK (format IN ('csv', 'json')),
    encoding text NOT NULL,
    rows integer NOT NULL,
    created integer NOT NULL,
    updated integer NOT NULL,
    unchanged integer NOT NULL,
    invalid integer NOT NULL,
    sha256 text NOT NULL,
    created_by uuid,
    created_at timestamptz NOT NULL
);

-- Authorisations in force for the caller's organisation at tm_now(). They run as the owner so that the
-- policies below can ask without recursing into each other; they answer only about the caller.
CREATE FUNCTION tm_authorisation_in_force(a agent_authorisations, at timestamptz) RETURNS boolean LANGUAGE sql IMMUTABLE
AS $$
    SELECT a.revoked_at IS NULL AND (at AT TIME ZONE 'UTC')::date >= a.valid_from
       AND (a.valid_until IS NULL OR (at AT TIME ZONE 'UTC')::date <= a.valid_until)
$$;

-- Holders for which the caller acts for all rights (it may record new rights for them).
CREATE FUNCTION tm_acting_for_all() RETURNS uuid[] LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT coalesce(array_agg(DISTINCT a.holder_org_id), '{}') FROM agent_authorisations a
    WHERE a.agent_org_id = tm_org() AND a.all_rights AND tm_authorisation_in_force(a, tm_now())
$$;

-- Rights the caller acts for one by one.
CREATE FUNCTION tm_acting_for_rights() RETURNS uuid[] LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT coalesce(array_agg(DISTINCT ar.right_id), '{}') FROM agent_authorisations a JOIN agent_authorisation_rights ar ON ar.authorisation_id = a.id
    WHERE a.agent_org_id = tm_org() AND NOT a.all_rights AND tm_authorisation_in_force(a, tm_now())
$$;

-- Holders the caller represents in any way (it sees their identification guides and recordations).
CREATE FUNCTION tm_represented() RETURNS uuid[] LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT coalesce(array_agg(DISTINCT a.holder_org_id), '{}') FROM agent_authorisations a
    WHERE a.agent_org_id = tm_org() AND tm_authorisation_in_force(a, tm_now())
$$;

-- The one answer to "may organisation X act for right R at time T": X holds R, or X is an agent whose
-- authorisation by R's holder covers R at T. Complaints and customs applications ask this too.
CREATE FUNCTION tm_may_act_for_right(actor uuid, r uuid, at timestamptz) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (
        SELECT 1 FROM rights x
        WHERE x.id = r AND (
            x.owner_org_id = actor
            OR EXISTS (
                SELECT 1 FROM agent_authorisations a
                WHERE a.holder_org_id = x.owner_org_id AND a.agent_org_id = actor AND tm_authorisation_in_force(a, at)
                  AND (a.all_rights OR EXISTS (SELECT 1 FROM agent_authorisation_rights ar WHERE ar.authorisation_id = a.id AND ar.right_id = r)))))
$$;

-- Whether X may act for holder H in general (record rights in its name) at T.
CREATE FUNCTION tm_may_act_for_holder(actor uuid, holder uuid, at timestamptz) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT actor = holder OR EXISTS (
        SELECT 1 FROM agent_authorisations a
        WHERE a.holder_org_id = holder AND a.agent_org_id = actor AND a.all_rights AND tm_authorisation_in_force(a, at))
$$;

-- Which (jurisdiction, type, number_key) keys of an import's staging table are already recorded for another
-- holder. Registration numbers are public facts, so saying "taken" reveals nothing an office register does
-- not; who holds it is not said. Reads the calling session's own temporary table.
CREATE FUNCTION tm_rights_taken_by_others(holder uuid) RETURNS TABLE (line integer) LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    RETURN QUERY
    SELECT s.line FROM pg_temp.rights_staging s JOIN rights x ON x.jurisdiction = s.jurisdiction AND x.type = s.type AND x.number_key = s.number_key
    WHERE x.owner_org_id <> holder;
END
$$;

ALTER TABLE agent_authorisations ENABLE ROW LEVEL SECURITY;
ALTER TABLE agent_authorisation_rights ENABLE ROW LEVEL SECURITY;
ALTER TABLE rights ENABLE ROW LEVEL SECURITY;
ALTER TABLE right_documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE right_imports ENABLE ROW LEVEL SECURITY;

-- The holder manages its authorisations; the agent reads those given to it; platforms and authorities
-- learn whether an agent may act through tm_may_act_for_right, not by reading the table.
CREATE POLICY agent_authorisations_read ON agent_authorisations FOR SELECT USING (holder_org_id = tm_org() OR agent_org_id = tm_org());
CREATE POLICY agent_authorisations_insert ON agent_authorisations FOR INSERT WITH CHECK (holder_org_id = tm_org() AND tm_is_org_admin());
CREATE POLICY agent_authorisations_update ON agent_authorisations FOR UPDATE
    USING (holder_org_id = tm_org() AND tm_is_org_admin()) WITH CHECK (holder_org_id = tm_org() AND tm_is_org_admin());
CREATE POLICY agent_authorisation_rights_read ON agent_authorisation_rights FOR SELECT
    USING (EXISTS (SELECT 1 FROM agent_authorisations a WHERE a.id = authorisation_id));
CREATE POLICY agent_authorisation_rights_insert ON agent_authorisation_rights FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM agent_authorisations a WHERE a.id = authorisation_id AND a.holder_org_id = tm_org()));

-- The subqueries around the tm_acting_* functions make them InitPlans: computed once per statement, not per row.
CREATE POLICY rights_read ON rights FOR SELECT
    USING (tm_can_see(owner_org_id, distribution, sharing_group_id)
        OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[])
        OR id = ANY ((SELECT tm_acting_for_rights())::uuid[]));
CREATE POLICY rights_insert ON rights FOR INSERT
    WITH CHECK (recorded_by_org_id = tm_org() AND (owner_org_id = tm_org() OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[])));
CREATE POLICY rights_update ON rights FOR UPDATE
    USING (owner_org_id = tm_org() OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[]) OR id = ANY ((SELECT tm_acting_for_rights())::uuid[]))
    WITH CHECK (owner_org_id = tm_org() OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[]) OR id = ANY ((SELECT tm_acting_for_rights())::uuid[]));

-- Documents go with their right: whoever sees the right sees its documents; whoever may change it adds them.
CREATE POLICY right_documents_read ON right_documents FOR SELECT USING (EXISTS (SELECT 1 FROM rights x WHERE x.id = right_id));
CREATE POLICY right_documents_insert ON right_documents FOR INSERT
    WITH CHECK (uploaded_by_org_id = tm_org() AND tm_may_act_for_right(tm_org(), right_id, tm_now()));

CREATE POLICY right_imports_read ON right_imports FOR SELECT USING (organisation_id = tm_org() OR holder_org_id = tm_org());
CREATE POLICY right_imports_insert ON right_imports FOR INSERT WITH CHECK (organisation_id = tm_org());

GRANT SELECT, INSERT, UPDATE ON agent_authorisations, rights TO tracemark_app;
GRANT SELECT, INSERT ON agent_authorisation_rights, right_documents, right_imports TO tracemark_app;
