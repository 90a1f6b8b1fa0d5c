-- Customs border measures (M3): declaration lines imported in bulk, screened and scored; the officers'
-- work list; detentions on legal deadlines whose procedures (periods, modes, consent rules) are data in
-- customs_presets; notices, evidence, outcomes and costs; conversion rates for values.

-- Conversion rates: units of each currency per US dollar. Configurable data (the platform administrator keeps
-- them); the seeded values are an example set dated below, not an authority.
CREATE TABLE customs_exchange_rates (
    currency char(3) PRIMARY KEY CHECK (currency ~ '^[A-Z]{3}$'),
    per_usd numeric(24, 10) NOT NULL CHECK (per_usd > 0),
    as_of date NOT NULL,
    updated_by uuid,
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO customs_exchange_rates (currency, per_usd, as_of) VALUES
    ('USD', 1, DATE '2026-01-02'), ('CNY', 7.1, DATE '2026-01-02'), ('EUR', 0.92, DATE '2026-01-02'), ('GBP', 0.79, DATE '2026-01-02'),
    ('HKD', 7.8, DATE '2026-01-02'), ('JPY', 150, DATE '2026-01-02'), ('KRW', 1350, DATE '2026-01-02'), ('CHF', 0.88, DATE '2026-01-02'),
    ('SGD', 1.34, DATE '2026-01-02'), ('VND', 25000, DATE '2026-01-02'), ('THB', 35, DATE '2026-01-02'), ('TRY', 33, DATE '2026-01-02'),
    ('INR', 84, DATE '2026-01-02'), ('AED', 3.6725, DATE '2026-01-02');

-- A jurisdiction's procedure. countries: where it applies (the detaining customs organisation's country).
-- silence_outcome: what the end of the declarant's answer period brings when nobody answered (US: forfeiture).
CREATE TABLE customs_presets (
    code text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{2,40}$'),
    name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
    legal_basis text NOT NULL CHECK (length(legal_basis) BETWEEN 1 AND 500),
    countries text[] NOT NULL,
    modes text[] NOT NULL CHECK (modes <@ ARRAY['ex_officio', 'application'] AND cardinality(modes) > 0),
    notice_from text NOT NULL CHECK (notice_from IN ('detention', 'presentation')),
    deemed_consent boolean NOT NULL,
    silence_outcome text NOT NULL CHECK (silence_outcome IN ('released', 'forfeited')),
    small_max_units numeric(12, 3) CHECK (small_max_units > 0),
    small_max_kg numeric(12, 3) CHECK (small_max_kg > 0),
    donation_allowed boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE customs_preset_periods (
    preset_code text NOT NULL REFERENCES customs_presets (code) ON DELETE CASCADE,
    timer text NOT NULL CHECK (timer IN ('notify', 'application', 'holder_response', 'holder_response_perishable', 'extension',
        'declarant_answer', 'small_consignment_objection', 'small_consignment_proceedings')),
    -- 'any', or the one mode the period applies in (a mode-specific row wins over 'any').
    mode text NOT NULL DEFAULT 'any' CHECK (mode IN ('any', 'ex_officio', 'application')),
    length integer NOT NULL CHECK (length BETWEEN 0 AND 3650),
    unit text NOT NULL CHECK (unit IN ('working_days', 'calendar_days', 'hours')),
    note text,
    PRIMARY KEY (preset_code, timer, mode)
);

INSERT INTO customs_presets (code, name_en, name_zh, legal_basis, countries, modes, notice_from, deemed_consent, silence_outcome,
                             small_max_units, small_max_kg, donation_allowed) VALUES
    ('eu_608_2013', 'European Union (Regulation (EU) No 608/2013)', '欧盟（第608/2013号条例）',
     'Regulation (EU) No 608/2013, arts. 17, 18, 23, 25, 26',
     ARRAY['AT', 'BE', 'BG', 'CY', 'CZ', 'DE', 'DK', 'EE', 'ES', 'FI', 'FR', 'GR', 'HR', 'HU', 'IE', 'IT', 'LT', 'LU', 'LV', 'MT', 'NL', 'PL',
           'PT', 'RO', 'SE', 'SI', 'SK'],
     ARRAY['ex_officio', 'application'], 'detention', true, 'released', 3, 2, false),
    ('cn_gacc', 'China (GACC customs protection of IPR)', '中国（知识产权海关保护条例）',
     'Regulations of the PRC on Customs Protection of Intellectual Property Rights, arts. 12-16, 24, 27',
     ARRAY['CN'], ARRAY['ex_officio', 'application'], 'detention', false, 'released', NULL, NULL, true),
    ('us_19cfr133', 'United States (19 CFR 133.21)', '美国（联邦法规第19编第133.21条）',
     '19 CFR 133.21 (detention of articles bearing suspected counterfeit marks)',
     ARRAY['US'], ARRAY['ex_officio'], 'presentation', false, 'forfeited', NULL, NULL, true);

INSERT INTO customs_preset_periods (preset_code, timer, mode, length, unit, note) VALUES
    ('eu_608_2013', 'notify', 'any', 1, 'working_days', 'art. 17(3), 18(3): declarant and holder notified within one working day'),
    ('eu_608_2013', 'application', 'ex_officio', 4, 'working_days', 'art. 18(3): the holder submits an application within 4 working days'),
    ('eu_608_2013', 'holder_response', 'any', 10, 'working_days', 'art. 23(1): confirm infringement and consent to destruction, or start proceedings'),
    ('eu_608_2013', 'holder_response_perishable', 'any', 3, 'working_days', 'art. 23(4): perishable goods'),
    ('eu_608_2013', 'extension', 'any', 10, 'working_days', 'art. 23(4): extension in appropriate cases, not for perishable goods'),
    ('eu_608_2013', 'small_consignment_objection', 'any', 10, 'working_days', 'art. 26(4)-(5): the declarant expresses its view'),
    ('eu_608_2013', 'small_consignment_proceedings', 'any', 10, 'working_days', 'art. 26(9): after an objection, the holder starts proceedings'),
    ('cn_gacc', 'notify', 'any', 1, 'working_days', 'art. 16: customs notifies the holder immediately in writing'),
    ('cn_gacc', 'application', 'ex_officio', 3, 'working_days', 'art. 16: the holder applies and posts security within 3 working days of the notice'),
    ('cn_gacc', 'holder_response', 'application', 20, 'working_days', 'art. 24(1): release unless a court assistance notice arrives within 20 working days'),
    ('cn_gacc', 'holder_response', 'ex_officio', 50, 'working_days', 'art. 24(2): release unless a court notice arrives within 50 working days and infringement is not determined'),
    ('us_19cfr133', 'notify', 'any', 5, 'working_days', '19 CFR 133.21(b)(1): notice within five business days of presentation'),
    ('us_19cfr133', 'declarant_answer', 'any', 7, 'working_days', '19 CFR 133.21(b)(2): the importer answers within seven business days of the notice');

ALTER TABLE customs_exchange_rates ENABLE ROW LEVEL SECURITY;
ALTER TABLE customs_presets ENABLE ROW LEVEL SECURITY;
ALTER TABLE customs_preset_periods ENABLE ROW LEVEL SECURITY;
CREATE POLICY customs_exchange_rates_read ON customs_exchange_rates FOR SELECT USING (true);
CREATE POLICY customs_exchange_rates_write ON customs_exchange_rates FOR ALL USING (tm_is_platform_admin()) WITH CHECK (tm_is_platform_admin());
CREATE POLICY customs_presets_read ON customs_presets FOR SELECT USING (true);
CREATE POLICY customs_presets_write ON customs_presets FOR UPDATE USING (tm_is_platform_admin()) WITH CHECK (tm_is_platform_admin());
CREATE POLICY customs_preset_periods_read ON customs_preset_periods FOR SELECT USING (true);
CREATE POLICY customs_preset_periods_write ON customs_preset_periods FOR ALL USING (tm_is_platform_admin()) WITH CHECK (tm_is_platform_admin());
GRANT SELECT, INSERT, UPDATE ON customs_exchange_rates TO tracemark_app;
GRANT SELECT, UPDATE ON customs_presets TO tracemark_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON customs_preset_periods TO tracemark_app;

-- An import of declaration lines: a job that a worker on any server runs, whose progress the page and the API poll.
-- The upload is kept in the data folder until the job ends; a job whose worker stopped beating is taken over.
CREATE TABLE customs_imports (
    id uuid PRIMARY KEY,
    owner_org_id uuid NOT NULL REFERENCES organisations (id),
    file_name text CHECK (length(file_name) <= 255),
    format text NOT NULL CHECK (format IN ('csv', 'json')),
    charset text CHECK (length(charset) <= 40),
    skip_invalid boolean NOT NULL DEFAULT false,
    bytes bigint NOT NULL CHECK (bytes >= 0),
    sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'refused', 'failed')),
    phase text NOT NULL DEFAULT 'queued' CHECK (phase IN ('queued', 'reading', 'checking', 'writing', 'finished')),
    attempts integer NOT NULL DEFAULT 0,
    worker text,
    heartbeat_at timestamptz,
    bytes_read bigint NOT NULL DEFAULT 0,
    rows_read integer NOT NULL DEFAULT 0,
    encoding text,
    converted boolean NOT NULL DEFAULT false,
    rows integer,
    valid integer,
    invalid integer,
    written integer,
    already_stored integer,
    flagged integer,
    -- [{ "row": 12, "field": "hs_code", "code": "customs.hs_unknown_chapter", "args": ["77"] }], worded when read.
    errors jsonb NOT NULL DEFAULT '[]',
    errors_truncated boolean NOT NULL DEFAULT false,
    failure text CHECK (length(failure) <= 2000),
    -- The problem that refused the whole file (a bad header, an unreadable encoding), worded when read.
    file_error jsonb,
    created_by uuid,
    created_at timestamptz NOT NULL,
    started_at timestamptz,
    finished_at timestamptz
);
CREATE INDEX customs_imports_owner ON customs_imports (owner_org_id, id DESC);
CREATE INDEX customs_imports_pending ON customs_imports (created_at) WHERE status IN ('queued', 'running');

-- Declaration lines, one row per line as the schema gives it (docs/customs-declarations.md), with the
-- screening's score and reasons. A customs authority's declarations are its own: no one else reads them.
-- No foreign keys here: PostgreSQL checks them row by row, which would cost a lookup per line on imports of
-- millions of lines; the importer writes owner and import from its own job row.
CREATE TABLE customs_lines (
    id uuid PRIMARY KEY,
    owner_org_id uuid NOT NULL,
    import_id uuid NOT NULL,
    declaration_number text NOT NULL,
    line_no integer NOT NULL CHECK (line_no > 0),
    declared_on date NOT NULL,
    transport_mode text NOT NULL CHECK (transport_mode IN ('sea', 'air', 'rail', 'road', 'post', 'express')),
    importer text,
    exporter text,
    consignor text,
    consignee text,
    origin char(2) NOT NULL,
    destination char(2) NOT NULL,
    port text NOT NULL,
    hs_code text NOT NULL CHECK (hs_code ~ '^[0-9]{6}([0-9]{2}){0,2}$'),
    description text NOT NULL,
    brand text,
    quantity numeric(18, 3) NOT NULL CHECK (quantity > 0),
    unit text NOT NULL,
    value numeric(20, 2) NOT NULL CHECK (value >= 0),
    currency char(3) NOT NULL,
    gross_kg numeric(14, 3) CHECK (gross_kg >= 0),
    container_ids text[] NOT NULL DEFAULT '{}',
    parcel_ids text[] NOT NULL DEFAULT '{}',
    risk_score smallint NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    -- [{ "code": "mark_in_brand", "points": 45, "args": { "mark": "Northwind", … } }], worded when read.
    reasons jsonb,
    right_ids uuid[] NOT NULL DEFAULT '{}',
    holder_org_ids uuid[] NOT NULL DEFAULT '{}',
    review_state text NOT NULL DEFAULT 'open' CHECK (review_state IN ('open', 'dismissed', 'detained')),
    review_note text CHECK (length(review_note) <= 2000),
    reviewed_by uuid,
    reviewed_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE UNIQUE INDEX customs_lines_key ON customs_lines (owner_org_id, declaration_number, line_no);
-- The work list: open lines with a score, riskiest first (scanned backwards). Only flagged lines are indexed,
-- so the index stays small however many clean lines are stored.
CREATE INDEX customs_lines_worklist ON customs_lines (owner_org_id, risk_score, id) WHERE review_state = 'open' AND risk_score > 0;
CREATE INDEX customs_lines_worklist_port ON customs_lines (owner_org_id, port, risk_score, id) WHERE review_state = 'open' AND risk_score > 0;

ALTER TABLE customs_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE customs_lines ENABLE ROW LEVEL SECURITY;
CREATE POLICY customs_imports_read ON customs_imports FOR SELECT USING (owner_org_id = tm_org());
CREATE POLICY customs_imports_insert ON customs_imports FOR INSERT WITH CHECK (owner_org_id = tm_org() AND tm_org_kind() = 'customs');
CREATE POLICY customs_imports_update ON customs_imports FOR UPDATE USING (owner_org_id = tm_org()) WITH CHECK (owner_org_id = tm_org());
CREATE POLICY customs_lines_read ON customs_lines FOR SELECT USING (owner_org_id = tm_org());
CREATE POLICY customs_lines_insert ON customs_lines FOR INSERT WITH CHECK (owner_org_id = tm_org() AND tm_org_kind() = 'customs');
CREATE POLICY customs_lines_update ON customs_lines FOR UPDATE USING (owner_org_id = tm_org()) WITH CHECK (owner_org_id = tm_org());
GRANT SELECT, INSERT, UPDATE ON customs_imports, customs_lines TO tracemark_app;

-- Detentions: a shared record of the detaining customs organisation (default: itself only), readable by the
-- right holder concerned (and its agents), by the police organisation a case was referred to, and by other
-- enforcement organisations its distribution reaches.
CREATE TABLE customs_detentions (
    id uuid PRIMARY KEY,
    number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    owner_org_id uuid NOT NULL REFERENCES organisations (id),
    origin_node_id uuid NOT NULL REFERENCES nodes (id),
    version integer NOT NULL DEFAULT 1,
    distribution text NOT NULL DEFAULT 'organisation' CHECK (distribution IN ('organisation', 'group', 'node', 'partners')),
    sharing_group_id uuid REFERENCES sharing_groups (id),
    preset_code text NOT NULL REFERENCES customs_presets (code),
    calendar_code text NOT NULL REFERENCES calendars (code),
    measure text NOT NULL CHECK (measure IN ('suspension', 'detention')),
    mode text NOT NULL CHECK (mode IN ('ex_officio', 'application')),
    procedure text NOT NULL CHECK (procedure IN ('standard', 'small_consignment')),
    perishable boolean NOT NULL,
    state text NOT NULL CHECK (state IN ('awaiting_application', 'detained', 'small_consignment', 'awaiting_proceedings', 'proceedings',
        'destruction_pending', 'forfeited', 'destroyed', 'donated', 'released', 'referred_to_police')),
    holder_org_id uuid NOT NULL REFERENCES organisations (id),
    right_ids uuid[] NOT NULL CHECK (cardinality(right_ids) > 0),
    declaration_number text,
    presented_on date NOT NULL,
    port text,
    transport_mode text,
    origin char(2),
    destination char(2),
    declarant text NOT NULL CHECK (length(declarant) BETWEEN 1 AND 300),
    description text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    hs_code text,
    product_category text NOT NULL,
    quantity numeric(18, 3) NOT NULL CHECK (quantity > 0),
    unit text NOT NULL,
    gross_kg numeric(14, 3),
    value_amount numeric(20, 2) NOT NULL CHECK (value_amount >= 0),
    value_currency char(3) NOT NULL,
    storage_location text CHECK (length(storage_location) <= 500),
    detained_at timestamptz NOT NULL,
    detained_from timestamptz,
    notice_due_at timestamptz NOT NULL,
    declarant_notified_at timestamptz,
    objected_at timestamptz,
    holder_position text NOT NULL DEFAULT 'none' CHECK (holder_position IN ('none', 'confirmed', 'denied')),
    holder_reasons text CHECK (length(holder_reasons) <= 5000),
    holder_responded_at timestamptz,
    security_amount numeric(20, 2),
    security_currency char(3),
    declarant_position text NOT NULL DEFAULT 'none' CHECK (declarant_position IN ('none', 'objected', 'consented')),
    declarant_reasons text CHECK (length(declarant_reasons) <= 5000),
    extended boolean NOT NULL DEFAULT false,
    -- The running timer and its deadline, derived from the facts above by DetentionRules.Schedule.
    timer text,
    due_at timestamptz,
    due_provisional boolean NOT NULL DEFAULT false,
    proceedings_reference text CHECK (length(proceedings_reference) <= 200),
    outcome_on date,
    destruction_certificate text CHECK (length(destruction_certificate) <= 200),
    donation_recipient text CHECK (length(donation_recipient) <= 300),
    outcome_note text CHECK (length(outcome_note) <= 5000),
    referred_to_org_id uuid REFERENCES organisations (id),
    referred_at timestamptz,
    handover_sha256 text CHECK (handover_sha256 ~ '^[0-9a-f]{64}$'),
    created_by uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((distribution = 'group') = (sharing_group_id IS NOT NULL)),
    CHECK ((timer IS NULL) = (due_at IS NULL))
);
CREATE INDEX customs_detentions_due ON customs_detentions (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX customs_detentions_owner ON customs_detentions (owner_org_id, id DESC);
CREATE INDEX customs_detentions_holder ON customs_detentions (holder_org_id, id DESC);
CREATE INDEX customs_detentions_referred ON customs_detentions (referred_to_org_id) WHERE referred_to_org_id IS NOT NULL;

CREATE TRIGGER customs_detentions_refuse_narrowing BEFORE UPDATE OF distribution, sharing_group_id ON customs_detentions
    FOR EACH ROW EXECUTE FUNCTION tm_refuse_narrowing();

CREATE TABLE customs_detention_lines (
    detention_id uuid NOT NULL REFERENCES customs_detentions (id),
    line_id uuid NOT NULL REFERENCES customs_lines (id),
    PRIMARY KEY (detention_id, line_id)
);
CREATE UNIQUE INDEX customs_detention_lines_line ON customs_detention_lines (line_id);

-- The detention's history: every transition, by whom (or by the timer), with its note.
CREATE TABLE customs_detention_events (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    detention_id uuid NOT NULL REFERENCES customs_detentions (id),
    at timestamptz NOT NULL,
    action text NOT NULL,
    from_state text,
    to_state text NOT NULL,
    note text,
    actor_org_id uuid,
    actor_user_id uuid,
    detail jsonb
);
CREATE INDEX customs_detention_events_detention ON customs_detention_events (detention_id, id);

-- Notices to the parties, due within the preset's notice period: in-app to the holder at once, by letter to the
-- declarant (an officer records when it went out).
CREATE TABLE customs_notices (
    id uuid PRIMARY KEY,
    detention_id uuid NOT NULL REFERENCES customs_detentions (id),
    party text NOT NULL CHECK (party IN ('right_holder', 'declarant')),
    addressee text NOT NULL,
    channel text NOT NULL CHECK (channel IN ('in_app', 'letter')),
    due_at timestamptz NOT NULL,
    sent_at timestamptz,
    created_at timestamptz NOT NULL,
    UNIQUE (detention_id, party)
);
CREATE INDEX customs_notices_unsent ON customs_notices (due_at) WHERE sent_at IS NULL;

-- Photos and documents, stored once by SHA-256 in the blob store (the evidence ledger can refer to the same bytes).
CREATE TABLE customs_detention_evidence (
    id uuid PRIMARY KEY,
    detention_id uuid NOT NULL REFERENCES customs_detentions (id),
    sha256 text NOT NULL REFERENCES blobs (sha256),
    kind text NOT NULL CHECK (kind IN ('photo', 'document', 'certificate', 'other')),
    caption text CHECK (length(caption) <= 500),
    file_name text CHECK (length(file_name) <= 255),
    uploaded_by_org_id uuid NOT NULL REFERENCES organisations (id),
    uploaded_by uuid,
    uploaded_at timestamptz NOT NULL
);
CREATE INDEX customs_detention_evidence_detention ON customs_detention_evidence (detention_id, uploaded_at);

-- Storage, destruction and other costs, charged to the right holder (Regulation 608/2013 art. 29; PRC art. 25).
CREATE TABLE customs_costs (
    id uuid PRIMARY KEY,
    detention_id uuid NOT NULL REFERENCES customs_detentions (id),
    kind text NOT NULL CHECK (kind IN ('storage', 'destruction', 'transport', 'other')),
    amount numeric(20, 2) NOT NULL CHECK (amount > 0),
    currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    charged_to_org_id uuid NOT NULL REFERENCES organisations (id),
    incurred_on date NOT NULL,
    note text CHECK (length(note) <= 1000),
    recorded_by_org_id uuid NOT NULL REFERENCES organisations (id),
    recorded_by uuid,
    recorded_at timestamptz NOT NULL
);
CREATE INDEX customs_costs_detention ON customs_costs (detention_id);
CREATE INDEX customs_costs_charged ON customs_costs (charged_to_org_id);

ALTER TABLE customs_detentions ENABLE ROW LEVEL SECURITY;
ALTER TABLE customs_detention_lines ENABLE ROW LEVEL SECURITY;
ALTER TABLE customs_detention_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE customs_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE customs_detention_evidence ENABLE ROW LEVEL SECURITY;
ALTER TABLE customs_costs ENABLE ROW LEVEL SECURITY;

CREATE POLICY customs_detentions_read ON customs_detentions FOR SELECT
    USING (owner_org_id = tm_org()
        OR holder_org_id = tm_org()
        OR holder_org_id = ANY ((SELECT tm_represented())::uuid[])
        OR referred_to_org_id = tm_org()
        OR (tm_org_is_enforcement() AND tm_can_see(owner_org_id, distribution, sharing_group_id)));
CREATE POLICY customs_detentions_insert ON customs_detentions FOR INSERT WITH CHECK (owner_org_id = tm_org() AND tm_org_kind() = 'customs');
-- The holder answers through the same row (its position and reasons); what it may change is checked by the application.
CREATE POLICY customs_detentions_update ON customs_detentions FOR UPDATE
    USING (owner_org_id = tm_org() OR holder_org_id = tm_org() OR holder_org_id = ANY ((SELECT tm_represented())::uuid[]))
    WITH CHECK (owner_org_id = tm_org() OR holder_org_id = tm_org() OR holder_org_id = ANY ((SELECT tm_represented())::uuid[]));

-- The parts of a detention go with it: readable when it is; written by its customs organisation (events also by the holder).
CREATE FUNCTION tm_owns_detention(d uuid) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT EXISTS (SELECT 1 FROM customs_detentions x WHERE x.id = d AND x.owner_org_id = tm_org()) $$;

CREATE POLICY customs_detention_lines_read ON customs_detention_lines FOR SELECT USING (EXISTS (SELECT 1 FROM customs_detentions x WHERE x.id = detention_id));
CREATE POLICY customs_detention_lines_insert ON customs_detention_lines FOR INSERT WITH CHECK (tm_owns_detention(detention_id));
CREATE POLICY customs_detention_events_read ON customs_detention_events FOR SELECT USING (EXISTS (SELECT 1 FROM customs_detentions x WHERE x.id = detention_id));
CREATE POLICY customs_detention_events_insert ON customs_detention_events FOR INSERT
    WITH CHECK (actor_org_id = tm_org() AND EXISTS (SELECT 1 FROM customs_detentions x WHERE x.id = detention_id));
CREATE POLICY customs_notices_read ON customs_notices FOR SELECT USING (EXISTS (SELECT 1 FROM customs_detentions x WHERE x.id = detention_id));
CREATE POLICY customs_notices_write ON customs_notices FOR ALL USING (tm_owns_detention(detention_id)) WITH CHECK (tm_owns_detention(detention_id));
CREATE POLICY customs_detention_evidence_read ON customs_detention_evidence FOR SELECT USING (EXISTS (SELECT 1 FROM customs_detentions x WHERE x.id = detention_id));
CREATE POLICY customs_detention_evidence_insert ON customs_detention_evidence FOR INSERT
    WITH CHECK (uploaded_by_org_id = tm_org() AND tm_owns_detention(detention_id));
CREATE POLICY customs_costs_read ON customs_costs FOR SELECT USING (EXISTS (SELECT 1 FROM customs_detentions x WHERE x.id = detention_id));
CREATE POLICY customs_costs_insert ON customs_costs FOR INSERT WITH CHECK (recorded_by_org_id = tm_org() AND tm_owns_detention(detention_id));

GRANT SELECT, INSERT, UPDATE ON customs_detentions TO tracemark_app;
GRANT SELECT, INSERT ON customs_detention_lines, customs_detention_events, customs_detention_evidence, customs_costs TO tracemark_app;
GRANT SELECT, INSERT, UPDATE ON customs_notices TO tracemark_app;
