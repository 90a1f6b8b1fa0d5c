-- Evidence (M10): files kept content-addressed in the blob store, each submission with its own description
-- and chain of custody, and every custody event a leaf of the node's Merkle log (docs/ledger.md).
--
-- Who sees a piece of evidence (the one rule, below every endpoint):
--   * nobody who is not signed in, whatever the record it belongs to;
--   * the organisation that collected it, and the organisation holding it now (its custodian);
--   * every organisation it was transferred, disclosed or returned to (a custody event names it);
--   * when it belongs to a record (an alert, a right), whoever may see that record: evidence follows its
--     record's distribution, and widens when the record widens.
-- The record's own row-level security answers the last question, so evidence can never be seen more widely
-- than the rule of its record allows.

CREATE TABLE evidence_items (
    id uuid PRIMARY KEY,
    sha256 text NOT NULL REFERENCES blobs (sha256),
    -- The organisation that collected (and uploaded) it.
    owner_org_id uuid NOT NULL REFERENCES organisations (id),
    custodian_org_id uuid NOT NULL REFERENCES organisations (id),
    status text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'returned', 'destroyed')),
    record_type text CHECK (record_type IN ('alert', 'right')),
    record_id uuid,
    original_name text CHECK (length(original_name) BETWEEN 1 AND 255),
    collected_by text NOT NULL CHECK (length(collected_by) BETWEEN 1 AND 200),
    collected_at timestamptz NOT NULL,
    collected_where text CHECK (length(collected_where) <= 500),
    collection_method text CHECK (length(collection_method) <= 1000),
    -- 'user:<id>' or 'key:<id>', as in the leaves.
    uploaded_by text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((record_type IS NULL) = (record_id IS NULL))
);
CREATE INDEX evidence_items_sha256 ON evidence_items (sha256);
CREATE INDEX evidence_items_record ON evidence_items (record_type, record_id) WHERE record_id IS NOT NULL;
CREATE INDEX evidence_items_owner ON evidence_items (owner_org_id, id DESC);
CREATE INDEX evidence_items_custodian ON evidence_items (custodian_org_id, id DESC);

-- What was collected, by whom, where and how, and what it belongs to, never changes; custody and status do.
CREATE FUNCTION tm_evidence_keeps_its_description() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    IF (NEW.id, NEW.sha256, NEW.owner_org_id, NEW.record_type, NEW.record_id, NEW.original_name, NEW.collected_by, NEW.collected_at,
        NEW.collected_where, NEW.collection_method, NEW.uploaded_by, NEW.created_at)
       IS DISTINCT FROM
       (OLD.id, OLD.sha256, OLD.owner_org_id, OLD.record_type, OLD.record_id, OLD.original_name, OLD.collected_by, OLD.collected_at,
        OLD.collected_where, OLD.collection_method, OLD.uploaded_by, OLD.created_at) THEN
        RAISE EXCEPTION 'evidence % keeps its description; only custody and status change', OLD.id USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER evidence_items_keep_description BEFORE UPDATE ON evidence_items
    FOR EACH ROW EXECUTE FUNCTION tm_evidence_keeps_its_description();

-- One row per leaf of the log that the platform recorded: the leaf's fields, readable, and its place in the log.
CREATE TABLE custody_events (
    id uuid PRIMARY KEY,
    evidence_id uuid NOT NULL REFERENCES evidence_items (id),
    leaf_index bigint NOT NULL UNIQUE CHECK (leaf_index >= 0),
    -- SHA-256(0x00 ‖ leaf): lets a restart check that the log still holds this very leaf.
    leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
    kind text NOT NULL CHECK (kind IN ('collected', 'uploaded', 'transferred', 'viewed', 'disclosed', 'sampled', 'returned', 'destroyed')),
    occurred_at timestamptz NOT NULL,
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    actor text NOT NULL CHECK (actor ~ '^(user|key):[0-9a-f-]{36}$'),
    counterparty_org_id uuid REFERENCES organisations (id),
    note text NOT NULL DEFAULT '' CHECK (octet_length(note) <= 4096),
    recorded_at timestamptz NOT NULL,
    CHECK (kind NOT IN ('transferred', 'disclosed') OR counterparty_org_id IS NOT NULL)
);
CREATE INDEX custody_events_evidence ON custody_events (evidence_id, leaf_index);
CREATE INDEX custody_events_counterparty ON custody_events (counterparty_org_id, evidence_id) WHERE counterparty_org_id IS NOT NULL;

-- History is not rewritten, through SQL either: the log it mirrors cannot be.
CREATE FUNCTION tm_refuse_rewrite() RETURNS trigger LANGUAGE plpgsql
AS $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege'; END $$;
CREATE TRIGGER custody_events_append_only BEFORE UPDATE OR DELETE ON custody_events
    FOR EACH ROW EXECUTE FUNCTION tm_refuse_rewrite();
CREATE TRIGGER custody_events_no_truncate BEFORE TRUNCATE ON custody_events
    FOR EACH STATEMENT EXECUTE FUNCTION tm_refuse_rewrite();

-- Asked as the caller (not SECURITY DEFINER): the record's own row-level security decides. A record type
-- added later adds a branch here and to the check constraint of evidence_items.record_type.
CREATE FUNCTION tm_evidence_record_visible(p_type text, p_id uuid) RETURNS boolean LANGUAGE sql STABLE
AS $$
    SELECT CASE p_type
        WHEN 'alert' THEN EXISTS (SELECT 1 FROM alerts a WHERE a.id = p_id)
        WHEN 'right' THEN EXISTS (SELECT 1 FROM rights r WHERE r.id = p_id)
        ELSE false
    END
$$;

-- Runs as the owner so that the policy of evidence_items can read custody events, whose policy reads
-- evidence_items, without recursing. It answers only about the caller's own organisation.
CREATE FUNCTION tm_evidence_handed_to_caller(e uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM custody_events c
                   WHERE c.evidence_id = e AND c.counterparty_org_id = tm_org() AND c.kind IN ('transferred', 'disclosed', 'returned'))
$$;

ALTER TABLE evidence_items ENABLE ROW LEVEL SECURITY;
ALTER TABLE custody_events ENABLE ROW LEVEL SECURITY;

CREATE POLICY evidence_items_read ON evidence_items FOR SELECT
    USING (tm_org() IS NOT NULL
        AND (owner_org_id = tm_org()
            OR custodian_org_id = tm_org()
            OR tm_evidence_handed_to_caller(id)
            OR (record_type IS NOT NULL AND tm_evidence_record_visible(record_type, record_id))));
-- Evidence is uploaded by the organisation that collected it, to a record that organisation may see.
CREATE POLICY evidence_items_insert ON evidence_items FOR INSERT
    WITH CHECK (owner_org_id = tm_org() AND custodian_org_id = tm_org()
        AND (record_type IS NULL OR tm_evidence_record_visible(record_type, record_id)));
-- Only the custodian changes custody; the new custodian may be another organisation (a transfer).
CREATE POLICY evidence_items_update ON evidence_items FOR UPDATE USING (custodian_org_id = tm_org()) WITH CHECK (true);

CREATE POLICY custody_events_read ON custody_events FOR SELECT USING (EXISTS (SELECT 1 FROM evidence_items e WHERE e.id = evidence_id));
CREATE POLICY custody_events_insert ON custody_events FOR INSERT
    WITH CHECK (organisation_id = tm_org() AND EXISTS (SELECT 1 FROM evidence_items e WHERE e.id = evidence_id));

GRANT SELECT, INSERT, UPDATE ON evidence_items TO tracemark_app;
GRANT SELECT, INSERT ON custody_events TO tracemark_app;

-- Every tree head the node signed, kept for ever: anyone may ask for the head of any size it signed.
CREATE TABLE tree_heads (
    tree_size bigint PRIMARY KEY CHECK (tree_size >= 0),
    root_hash bytea NOT NULL CHECK (length(root_hash) = 32),
    -- Milliseconds since 1970-01-01T00:00:00Z: exactly what was signed (docs/ledger.md §3).
    timestamp_ms bigint NOT NULL CHECK (timestamp_ms >= 0),
    signature bytea NOT NULL,
    key_fingerprint text NOT NULL
);
CREATE TRIGGER tree_heads_append_only BEFORE UPDATE OR DELETE ON tree_heads
    FOR EACH ROW EXECUTE FUNCTION tm_refuse_rewrite();
CREATE TRIGGER tree_heads_no_truncate BEFORE TRUNCATE ON tree_heads
    FOR EACH STATEMENT EXECUTE FUNCTION tm_refuse_rewrite();
-- Public: a verifier abroad has no account. Written only by the node's signer (as the owner).
GRANT SELECT ON tree_heads TO tracemark_app;

-- Leaves the log holds but no custody event row records: written durably, then the server stopped (or the
-- transaction failed) before the row was committed, so the action was never acknowledged. The log cannot
-- forget them; this table says so, and the organisation named in the leaf and the platform administrator see it.
CREATE TABLE ledger_unrecorded_leaves (
    leaf_index bigint PRIMARY KEY CHECK (leaf_index >= 0),
    leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
    kind text NOT NULL,
    occurred_at timestamptz NOT NULL,
    evidence_sha256 text NOT NULL,
    -- The organisation the leaf names, when it is one of this node's ('org:<id>').
    organisation_id uuid,
    -- 'transaction_failed' (seen when it happened) or 'found_at_startup' (after a crash).
    reason text NOT NULL CHECK (reason IN ('transaction_failed', 'found_at_startup')),
    found_at timestamptz NOT NULL
);
ALTER TABLE ledger_unrecorded_leaves ENABLE ROW LEVEL SECURITY;
CREATE POLICY ledger_unrecorded_leaves_read ON ledger_unrecorded_leaves FOR SELECT
    USING (tm_is_platform_admin() OR (organisation_id IS NOT NULL AND organisation_id = tm_org()));
GRANT SELECT ON ledger_unrecorded_leaves TO tracemark_app;

-- How far startup has checked that every leaf is accounted for (a custody event or an unrecorded leaf).
CREATE TABLE ledger_state (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    checked_size bigint NOT NULL DEFAULT 0 CHECK (checked_size >= 0)
);
INSERT INTO ledger_state DEFAULT VALUES;
