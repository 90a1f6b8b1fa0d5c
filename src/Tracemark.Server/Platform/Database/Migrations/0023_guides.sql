-- Product identification guides: how to tell a holder's genuine goods from fakes, who is authorised to
-- make and move them, their usual routes and prices, and whom to call. Only the owner, its agents and
-- enforcement organisations may read one, and among enforcement organisations only those the guide's
-- distribution reaches; a guide is never public.

CREATE TABLE guides (
    id uuid PRIMARY KEY,
    owner_org_id uuid NOT NULL REFERENCES organisations (id),
    recorded_by_org_id uuid NOT NULL REFERENCES organisations (id),
    origin_node_id uuid NOT NULL REFERENCES nodes (id),
    version integer NOT NULL DEFAULT 1,
    distribution text NOT NULL DEFAULT 'node' CHECK (distribution IN ('organisation', 'group', 'node', 'partners')),
    sharing_group_id uuid REFERENCES sharing_groups (id),
    -- The product line the guide describes, e.g. "Storm Shell jackets 风暴系列夹克".
    title text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    genuine_features text[] NOT NULL DEFAULT '{}',
    fake_indicators text[] NOT NULL DEFAULT '{}',
    packaging text CHECK (length(packaging) <= 5000),
    -- [{ "origin": "CN", "destination": "DE", "ports": ["CNNGB", "DEHAM"], "modes": ["sea"] }]
    routes jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(routes) = 'array'),
    -- [{ "product": "…", "min": 80, "max": 120, "currency": "EUR", "unit": "piece" }]
    price_bands jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(price_bands) = 'array'),
    -- [{ "name": "…", "phone": "…", "email": "…", "hours": "…", "languages": ["zh-CN", "en"] }]
    contacts jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(contacts) = 'array'),
    created_by uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((distribution = 'group') = (sharing_group_id IS NOT NULL))
);
CREATE INDEX guides_owner ON guides (owner_org_id, id DESC);

CREATE TRIGGER guides_refuse_narrowing BEFORE UPDATE OF distribution, sharing_group_id ON guides
    FOR EACH ROW EXECUTE FUNCTION tm_refuse_narrowing();

CREATE TABLE guide_rights (
    guide_id uuid NOT NULL REFERENCES guides (id) ON DELETE CASCADE,
    right_id uuid NOT NULL REFERENCES rights (id),
    PRIMARY KEY (guide_id, right_id)
);
CREATE INDEX guide_rights_right ON guide_rights (right_id);

-- Authorised manufacturers, importers, exporters and distributors: customs screening treats an
-- authorised importer as no hit, so names are kept folded for matching as well as as written.
CREATE TABLE guide_parties (
    id uuid PRIMARY KEY,
    guide_id uuid NOT NULL REFERENCES guides (id) ON DELETE CASCADE,
    position integer NOT NULL,
    role text NOT NULL CHECK (role IN ('manufacturer', 'importer', 'exporter', 'distributor')),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
    search_name text NOT NULL,
    address text CHECK (length(address) <= 500),
    country text CHECK (country ~ '^[A-Z]{2}$')
);
CREATE INDEX guide_parties_guide ON guide_parties (guide_id, position);
CREATE INDEX guide_parties_name ON guide_parties USING gin (search_name gin_trgm_ops);

CREATE TABLE guide_pictures (
    id uuid PRIMARY KEY,
    guide_id uuid NOT NULL REFERENCES guides (id) ON DELETE CASCADE,
    sha256 text NOT NULL REFERENCES blobs (sha256),
    kind text NOT NULL CHECK (kind IN ('genuine', 'fake', 'packaging', 'other')),
    caption text CHECK (length(caption) <= 500),
    uploaded_by_org_id uuid NOT NULL REFERENCES organisations (id),
    uploaded_by uuid,
    uploaded_at timestamptz NOT NULL
);
CREATE INDEX guide_pictures_guide ON guide_pictures (guide_id, uploaded_at);

ALTER TABLE guides ENABLE ROW LEVEL SECURITY;
ALTER TABLE guide_rights ENABLE ROW LEVEL SECURITY;
ALTER TABLE guide_parties ENABLE ROW LEVEL SECURITY;
ALTER TABLE guide_pictures ENABLE ROW LEVEL SECURITY;

CREATE POLICY guides_read ON guides FOR SELECT
    USING (owner_org_id = tm_org()
        OR owner_org_id = ANY ((SELECT tm_represented())::uuid[])
        OR (tm_org_is_enforcement() AND tm_can_see(owner_org_id, distribution, sharing_group_id)));
CREATE POLICY guides_insert ON guides FOR INSERT
    WITH CHECK (recorded_by_org_id = tm_org() AND (owner_org_id = tm_org() OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[])));
CREATE POLICY guides_update ON guides FOR UPDATE
    USING (owner_org_id = tm_org() OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[]))
    WITH CHECK (owner_org_id = tm_org() OR owner_org_id = ANY ((SELECT tm_acting_for_all())::uuid[]));

-- The parts of a guide go with it: readable when the guide is, written by whoever may change it.
CREATE FUNCTION tm_may_change_guide(g uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM guides x WHERE x.id = g AND (x.owner_org_id = tm_org() OR x.owner_org_id = ANY (tm_acting_for_all()))) $$;

CREATE POLICY guide_rights_read ON guide_rights FOR SELECT USING (EXISTS (SELECT 1 FROM guides x WHERE x.id = guide_id));
CREATE POLICY guide_rights_insert ON guide_rights FOR INSERT WITH CHECK (tm_may_change_guide(guide_id));
CREATE POLICY guide_rights_delete ON guide_rights FOR DELETE USING (tm_may_change_guide(guide_id));
CREATE POLICY guide_parties_read ON guide_parties FOR SELECT USING (EXISTS (SELECT 1 FROM guides x WHERE x.id = guide_id));
CREATE POLICY guide_parties_insert ON guide_parties FOR INSERT WITH CHECK (tm_may_change_guide(guide_id));
CREATE POLICY guide_parties_delete ON guide_parties FOR DELETE USING (tm_may_change_guide(guide_id));
CREATE POLICY guide_pictures_read ON guide_pictures FOR SELECT USING (EXISTS (SELECT 1 FROM guides x WHERE x.id = guide_id));
CREATE POLICY guide_pictures_insert ON guide_pictures FOR INSERT WITH CHECK (uploaded_by_org_id = tm_org() AND tm_may_change_guide(guide_id));

GRANT SELECT, INSERT, UPDATE ON guides TO tracemark_app;
GRANT SELECT, INSERT, DELETE ON guide_rights, guide_parties TO tracemark_app;
GRANT SELECT, INSERT ON guide_pictures TO tracemark_app;
