-- Accounts, API keys, sharing groups, the audit trail, and the functions row-level security uses.
--
-- Every request runs in a transaction as role tracemark_app with these settings (set by Db):
--   tracemark.org_id         the caller's organisation ('' when anonymous)
--   tracemark.user_id        the signed-in user ('' for API keys and the anonymous)
--   tracemark.org_local      'on' when the caller's organisation is on this node
--   tracemark.org_admin      'on' when the caller administers their organisation
--   tracemark.platform_admin 'on' for the platform administrator
-- Policies read them through the functions below, so no query can forget to filter.

CREATE FUNCTION tm_org() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('tracemark.org_id', true), '')::uuid $$;

CREATE FUNCTION tm_user() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT nullif(current_setting('tracemark.user_id', true), '')::uuid $$;

CREATE FUNCTION tm_org_is_local() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(current_setting('tracemark.org_local', true), '') = 'on' $$;

CREATE FUNCTION tm_is_org_admin() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(current_setting('tracemark.org_admin', true), '') = 'on' $$;

CREATE FUNCTION tm_is_platform_admin() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(current_setting('tracemark.platform_admin', true), '') = 'on' $$;

CREATE TABLE users (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    normalized_email text NOT NULL UNIQUE,
    display_name text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
    role text NOT NULL CHECK (role IN ('viewer', 'officer', 'org_admin')),
    is_platform_admin boolean NOT NULL DEFAULT false,
    password_hash text,
    security_stamp text NOT NULL,
    concurrency_stamp text NOT NULL,
    lockout_enabled boolean NOT NULL DEFAULT true,
    lockout_end timestamptz,
    access_failed_count integer NOT NULL DEFAULT 0,
    preferred_language text CHECK (preferred_language IN ('en', 'zh-CN')),
    is_active boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX users_organisation ON users (organisation_id);

-- A key is "tmk_<prefix>_<secret>": the prefix finds the row, the secret is checked against its hash.
CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    prefix text NOT NULL UNIQUE,
    secret_hash bytea NOT NULL,
    scopes text[] NOT NULL CHECK (scopes <@ ARRAY['read', 'write'] AND cardinality(scopes) > 0),
    created_by uuid REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    revoked_by uuid REFERENCES users (id),
    last_used_at timestamptz,
    last_used_address text
);
CREATE INDEX api_keys_organisation ON api_keys (organisation_id);

CREATE TABLE sharing_groups (
    id uuid PRIMARY KEY,
    owner_org_id uuid NOT NULL REFERENCES organisations (id),
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    -- Who may read the member list: 'members' (every member) or 'owner' (the owner organisation only).
    member_list_visibility text NOT NULL DEFAULT 'members' CHECK (member_list_visibility IN ('members', 'owner')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX sharing_groups_name ON sharing_groups (owner_org_id, lower(name));

CREATE TABLE sharing_group_members (
    group_id uuid NOT NULL REFERENCES sharing_groups (id) ON DELETE CASCADE,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    added_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, organisation_id)
);
CREATE INDEX sharing_group_members_organisation ON sharing_group_members (organisation_id, group_id);

-- These run as the owner (SECURITY DEFINER) so that the policies of groups and members can ask about
-- each other without recursing; they only ever answer about the caller's own organisation.
CREATE FUNCTION tm_is_group_member(g uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT EXISTS (SELECT 1 FROM sharing_group_members m WHERE m.group_id = g AND m.organisation_id = tm_org()) $$;

CREATE FUNCTION tm_owns_group(g uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT EXISTS (SELECT 1 FROM sharing_groups s WHERE s.id = g AND s.owner_org_id = tm_org()) $$;

CREATE FUNCTION tm_group_lists_members(g uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
AS $$ SELECT EXISTS (SELECT 1 FROM sharing_groups s WHERE s.id = g AND s.member_list_visibility = 'members') $$;

-- The one visibility rule for every shared record.
CREATE FUNCTION tm_can_see(owner uuid, level text, grp uuid) RETURNS boolean LANGUAGE sql STABLE
AS $$
    SELECT CASE level
        WHEN 'public' THEN true
        WHEN 'partners' THEN tm_org() IS NOT NULL
        WHEN 'node' THEN owner = tm_org() OR tm_org_is_local()
        WHEN 'group' THEN owner = tm_org() OR (grp IS NOT NULL AND tm_is_group_member(grp))
        ELSE owner = tm_org()
    END
$$;

-- Rank of a level for the widen-only guard below (group and node are not comparable: see Distributions.CheckChange).
CREATE FUNCTION tm_distribution_narrows(old_level text, old_group uuid, new_level text, new_group uuid) RETURNS boolean
LANGUAGE sql IMMUTABLE
AS $$
    SELECT CASE
        WHEN old_level = new_level AND old_group IS NOT DISTINCT FROM new_group THEN false
        WHEN old_level = 'organisation' THEN false
        WHEN old_level = 'group' AND new_level IN ('node', 'partners', 'public') THEN false
        WHEN old_level = 'node' AND new_level IN ('partners', 'public') THEN false
        WHEN old_level = 'partners' AND new_level = 'public' THEN false
        ELSE true
    END
$$;

-- Defence in depth under the application's own check: no UPDATE, by any code path, may narrow a
-- shared record. group -> node is allowed here; the application checks that all members are local.
CREATE FUNCTION tm_refuse_narrowing() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    IF tm_distribution_narrows(OLD.distribution, OLD.sharing_group_id, NEW.distribution, NEW.sharing_group_id) THEN
        RAISE EXCEPTION 'distribution of % % may not narrow from % to %', TG_TABLE_NAME, OLD.id, OLD.distribution, NEW.distribution
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TABLE audit_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    organisation_id uuid,
    user_id uuid,
    api_key_id uuid,
    session_id text,
    client_address text,
    action text NOT NULL CHECK (length(action) BETWEEN 1 AND 100),
    record_type text NOT NULL CHECK (length(record_type) BETWEEN 1 AND 100),
    record_id text,
    -- The organisation that owns the record, so that it sees who read or changed its records.
    record_owner_id uuid,
    before jsonb,
    after jsonb,
    detail jsonb
);
CREATE INDEX audit_events_organisation ON audit_events (organisation_id, id DESC);
CREATE INDEX audit_events_owner ON audit_events (record_owner_id, id DESC);
CREATE INDEX audit_events_record ON audit_events (record_type, record_id);
CREATE INDEX audit_events_user ON audit_events (user_id, id DESC);

-- Append-only, even for the owner role: history is never rewritten through SQL either.
CREATE FUNCTION tm_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN RAISE EXCEPTION 'the audit trail is append-only' USING ERRCODE = 'insufficient_privilege'; END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION tm_audit_is_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION tm_audit_is_append_only();

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE sharing_groups ENABLE ROW LEVEL SECURITY;
ALTER TABLE sharing_group_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;

CREATE POLICY users_read ON users FOR SELECT USING (organisation_id = tm_org() OR tm_is_platform_admin());
CREATE POLICY users_insert ON users FOR INSERT WITH CHECK ((organisation_id = tm_org() AND tm_is_org_admin()) OR tm_is_platform_admin());
CREATE POLICY users_update ON users FOR UPDATE
    USING ((organisation_id = tm_org() AND tm_is_org_admin()) OR tm_is_platform_admin() OR id = tm_user())
    WITH CHECK ((organisation_id = tm_org() AND tm_is_org_admin()) OR tm_is_platform_admin() OR id = tm_user());

CREATE POLICY api_keys_read ON api_keys FOR SELECT USING (organisation_id = tm_org());
CREATE POLICY api_keys_write ON api_keys FOR INSERT WITH CHECK (organisation_id = tm_org() AND tm_is_org_admin());
CREATE POLICY api_keys_update ON api_keys FOR UPDATE USING (organisation_id = tm_org() AND tm_is_org_admin())
    WITH CHECK (organisation_id = tm_org() AND tm_is_org_admin());

CREATE POLICY sharing_groups_read ON sharing_groups FOR SELECT USING (owner_org_id = tm_org() OR tm_is_group_member(id));
CREATE POLICY sharing_groups_insert ON sharing_groups FOR INSERT WITH CHECK (owner_org_id = tm_org() AND tm_is_org_admin());
CREATE POLICY sharing_groups_update ON sharing_groups FOR UPDATE USING (owner_org_id = tm_org() AND tm_is_org_admin())
    WITH CHECK (owner_org_id = tm_org() AND tm_is_org_admin());

CREATE POLICY sharing_group_members_read ON sharing_group_members FOR SELECT
    USING (tm_owns_group(group_id) OR organisation_id = tm_org() OR (tm_is_group_member(group_id) AND tm_group_lists_members(group_id)));
CREATE POLICY sharing_group_members_insert ON sharing_group_members FOR INSERT WITH CHECK (tm_owns_group(group_id) AND tm_is_org_admin());
CREATE POLICY sharing_group_members_delete ON sharing_group_members FOR DELETE USING (tm_owns_group(group_id) AND tm_is_org_admin());

CREATE POLICY audit_events_read ON audit_events FOR SELECT
    USING (tm_is_platform_admin() OR (tm_is_org_admin() AND (organisation_id = tm_org() OR record_owner_id = tm_org())));
CREATE POLICY audit_events_append ON audit_events FOR INSERT WITH CHECK (organisation_id IS NOT DISTINCT FROM tm_org());

GRANT SELECT, INSERT, UPDATE ON users, api_keys, sharing_groups TO tracemark_app;
GRANT SELECT, INSERT, DELETE ON sharing_group_members TO tracemark_app;
GRANT SELECT, INSERT ON audit_events TO tracemark_app;
GRANT INSERT, UPDATE ON organisations TO tracemark_app;

-- Organisations: everyone signed in reads the directory; only the platform administrator changes it.
ALTER TABLE organisations ENABLE ROW LEVEL SECURITY;
CREATE POLICY organisations_read ON organisations FOR SELECT USING (true);
CREATE POLICY organisations_insert ON organisations FOR INSERT WITH CHECK (tm_is_platform_admin());
CREATE POLICY organisations_update ON organisations FOR UPDATE USING (tm_is_platform_admin()) WITH CHECK (tm_is_platform_admin());
