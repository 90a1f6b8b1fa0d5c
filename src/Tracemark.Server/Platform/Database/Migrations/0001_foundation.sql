-- Foundation: extensions, the application's database role, nodes and organisations.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE EXTENSION IF NOT EXISTS fuzzystrmatch;

-- The role every request runs as (SET LOCAL ROLE in each transaction). It is not the owner of any
-- table, so row-level security applies to it; it never bypasses RLS. Roles are cluster-wide, and
-- several Tracemark databases (tests) may race to create it.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'tracemark_app') THEN
        CREATE ROLE tracemark_app NOLOGIN NOBYPASSRLS;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT tracemark_app TO %I', current_user);
EXCEPTION WHEN others THEN
    -- Superusers may SET ROLE to any role without membership.
    NULL;
END
$$;

GRANT USAGE ON SCHEMA public TO tracemark_app;

-- A node is one Tracemark installation (a country or an agency); exactly one row is this node.
CREATE TABLE nodes (
    id uuid PRIMARY KEY,
    code text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    name_en text NOT NULL,
    name_zh text NOT NULL,
    is_local boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX nodes_one_local ON nodes (is_local) WHERE is_local;

INSERT INTO nodes (id, code, name_en, name_zh, is_local)
VALUES ('00000000-0000-7000-8000-000000000001', 'local', 'This node', '本节点', true);

CREATE TABLE organisations (
    id uuid PRIMARY KEY,
    node_id uuid NOT NULL REFERENCES nodes (id),
    kind text NOT NULL CHECK (kind IN ('customs', 'market_regulator', 'police', 'prosecutor', 'court', 'ip_office',
        'mediation_body', 'platform', 'rights_holder', 'agent', 'coordinating_office', 'foreign_partner')),
    name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
    country char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX organisations_name_en ON organisations (node_id, lower(name_en));
CREATE INDEX organisations_kind ON organisations (kind);

-- The directory of organisations is known to everyone signed in: sharing needs it.
GRANT SELECT ON nodes, organisations TO tracemark_app;

-- Which demo data set is loaded, so a restart does not reload it.
CREATE TABLE demo_loads (
    name text PRIMARY KEY,
    loaded_at timestamptz NOT NULL DEFAULT now()
);
