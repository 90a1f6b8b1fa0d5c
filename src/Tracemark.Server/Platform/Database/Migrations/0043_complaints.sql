-- Online complaints (M2): notice and takedown with due process for both sides.
--
-- A notice is filed by a rights holder (or its agent) against listings on one platform, relying on rights
-- from the registry. The platform decides a measure within its service level; the seller answers through
-- an unguessable link (or through the platform); a counter-notice forwarded to the complainant starts the
-- jurisdiction's restore period, at whose end a sweep lifts the measure unless a complaint or lawsuit was
-- shown. The legal flow is the table in Tracemark.Core/Complaints/NoticeWorkflow.cs; the periods are the
-- data below, which the platform administrator edits.

CREATE TABLE complaint_jurisdictions (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}(-[A-Z0-9]{1,3})?$'),
    name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
    law_en text NOT NULL CHECK (length(law_en) BETWEEN 1 AND 300),
    law_zh text NOT NULL CHECK (length(law_zh) BETWEEN 1 AND 300),
    calendar_code text NOT NULL REFERENCES calendars (code),
    -- The period after which the measure is lifted unless a complaint or lawsuit is shown …
    restore_length integer NOT NULL CHECK (restore_length BETWEEN 0 AND 3650),
    restore_unit text NOT NULL CHECK (restore_unit IN ('hours', 'calendar_days', 'working_days')),
    restore_extend boolean NOT NULL DEFAULT false,
    -- … the latest it may be lifted, in the same unit, when the law gives a window (DMCA: 10 to 14 business days) …
    restore_latest_length integer CHECK (restore_latest_length BETWEEN 0 AND 3650),
    -- … counted from the forwarding of the counter-notice (PRC art. 43) or its receipt (DMCA § 512(g)(2)(C)).
    restore_from text NOT NULL CHECK (restore_from IN ('counter_notice_forwarded', 'counter_notice_received')),
    forward_length integer NOT NULL CHECK (forward_length BETWEEN 0 AND 3650),
    forward_unit text NOT NULL CHECK (forward_unit IN ('hours', 'calendar_days', 'working_days')),
    appeal_length integer NOT NULL CHECK (appeal_length BETWEEN 0 AND 3650),
    appeal_unit text NOT NULL CHECK (appeal_unit IN ('hours', 'calendar_days', 'working_days')),
    seller_link_days integer NOT NULL CHECK (seller_link_days BETWEEN 1 AND 3650),
    -- What the complainant affirms in filing, and the seller in a counter-notice, as the law words it.
    good_faith_en text NOT NULL CHECK (length(good_faith_en) BETWEEN 1 AND 2000),
    good_faith_zh text NOT NULL CHECK (length(good_faith_zh) BETWEEN 1 AND 2000),
    counter_statement_en text NOT NULL CHECK (length(counter_statement_en) BETWEEN 1 AND 2000),
    counter_statement_zh text NOT NULL CHECK (length(counter_statement_zh) BETWEEN 1 AND 2000),
    version integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (restore_latest_length IS NULL OR restore_latest_length >= restore_length)
);

-- Service-level clocks: how fast a platform must decide a notice of each kind (and for complainants on its fast track).
CREATE TABLE complaint_service_levels (
    jurisdiction text NOT NULL REFERENCES complaint_jurisdictions (code) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('counterfeit', 'trademark_misuse', 'copyright', 'patent', 'design')),
    review_length integer NOT NULL CHECK (review_length BETWEEN 0 AND 3650),
    review_unit text NOT NULL CHECK (review_unit IN ('hours', 'calendar_days', 'working_days')),
    fast_track_length integer NOT NULL CHECK (fast_track_length BETWEEN 0 AND 3650),
    fast_track_unit text NOT NULL CHECK (fast_track_unit IN ('hours', 'calendar_days', 'working_days')),
    PRIMARY KEY (jurisdiction, kind)
);

INSERT INTO complaint_jurisdictions (code, name_en, name_zh, law_en, law_zh, calendar_code, restore_length, restore_unit, restore_extend,
    restore_latest_length, restore_from, forward_length, forward_unit, appeal_length, appeal_unit, seller_link_days,
    good_faith_en, good_faith_zh, counter_statement_en, counter_statement_zh) VALUES
('CN', 'China (mainland)', '中国（大陆）', 'PRC E-commerce Law, arts. 42–45', '《中华人民共和国电子商务法》第四十二条至第四十五条', 'CN',
    15, 'calendar_days', false, NULL, 'counter_notice_forwarded', 1, 'working_days', 15, 'calendar_days', 90,
    'I state in good faith that, on the preliminary evidence given, the listings infringe the rights relied on and that this notice is true. I know that a wrongful notice that harms the seller makes the complainant liable, and a malicious one liable for double the damage (PRC E-commerce Law art. 42).',
    '本人善意声明：根据所附初步证据，上述商品信息侵犯所依据的权利，本通知内容真实。本人知悉，错误通知造成平台内经营者损害的，依法承担民事责任；恶意发出错误通知的，加倍承担赔偿责任（《电子商务法》第四十二条）。',
    'I declare that the listings do not infringe, give preliminary evidence that they do not, and answer for the truth of this declaration (PRC E-commerce Law art. 43).',
    '本人声明上述商品信息不存在侵权行为，提供不存在侵权行为的初步证据，并对声明的真实性负责（《电子商务法》第四十三条）。'),
('US', 'United States', '美国', 'US DMCA, 17 U.S.C. § 512(c) and (g)', '美国《数字千年版权法》第512条(c)款、(g)款', 'US',
    10, 'working_days', false, 14, 'counter_notice_received', 1, 'working_days', 14, 'calendar_days', 90,
    'I have a good faith belief that use of the material in the manner complained of is not authorized by the rights owner, its agent, or the law. The information in this notice is accurate, and under penalty of perjury, I am authorized to act on behalf of the owner of the rights allegedly infringed (17 U.S.C. § 512(c)(3)(A)).',
    '本人善意相信，被投诉材料的使用方式未经权利人、其代理人或法律授权。本通知信息准确；本人在作伪证将受处罚的前提下声明，本人有权代表被指控侵犯之权利的所有人行事（《美国法典》第17编第512条(c)(3)(A)）。',
    'I swear, under penalty of perjury, that I have a good faith belief that the material was removed or disabled as a result of mistake or misidentification, and I consent to the jurisdiction of the Federal District Court for my address and will accept service of process from the complainant (17 U.S.C. § 512(g)(3)).',
    '本人在作伪证将受处罚的前提下宣誓：本人善意相信，有关材料系因错误或误认而被删除或屏蔽；本人同意接受本人地址所在地联邦地区法院的管辖，并接受投诉人的送达（《美国法典》第17编第512条(g)(3)）。');

INSERT INTO complaint_service_levels (jurisdiction, kind, review_length, review_unit, fast_track_length, fast_track_unit) VALUES
    ('CN', 'counterfeit', 24, 'hours', 4, 'hours'),
    ('CN', 'trademark_misuse', 3, 'working_days', 1, 'working_days'),
    ('CN', 'copyright', 3, 'working_days', 1, 'working_days'),
    ('CN', 'patent', 7, 'working_days', 3, 'working_days'),
    ('CN', 'design', 5, 'working_days', 2, 'working_days'),
    ('US', 'counterfeit', 24, 'hours', 4, 'hours'),
    ('US', 'trademark_misuse', 2, 'working_days', 1, 'working_days'),
    ('US', 'copyright', 24, 'hours', 4, 'hours'),
    ('US', 'patent', 7, 'working_days', 3, 'working_days'),
    ('US', 'design', 5, 'working_days', 2, 'working_days');

-- The platforms that take notices through Tracemark, with their own policies: the domains their listings
-- live on, the jurisdiction whose rules they follow, the repeat-infringer policy and the fast-track standard.
CREATE TABLE complaint_platforms (
    organisation_id uuid PRIMARY KEY REFERENCES organisations (id),
    jurisdiction text NOT NULL REFERENCES complaint_jurisdictions (code),
    domains text[] NOT NULL DEFAULT '{}',
    accepting boolean NOT NULL DEFAULT true,
    strike_limit integer NOT NULL DEFAULT 3 CHECK (strike_limit BETWEEN 1 AND 100),
    strike_window_days integer NOT NULL DEFAULT 180 CHECK (strike_window_days BETWEEN 1 AND 3650),
    accuracy_window_days integer NOT NULL DEFAULT 90 CHECK (accuracy_window_days BETWEEN 1 AND 3650),
    min_upheld_share numeric(5, 4) NOT NULL DEFAULT 0.90 CHECK (min_upheld_share BETWEEN 0 AND 1),
    max_counter_success_share numeric(5, 4) NOT NULL DEFAULT 0.05 CHECK (max_counter_success_share BETWEEN 0 AND 1),
    accuracy_min_decided integer NOT NULL DEFAULT 10 CHECK (accuracy_min_decided BETWEEN 1 AND 100000),
    version integer NOT NULL DEFAULT 1,
    updated_at timestamptz NOT NULL
);

-- Complainants a platform trusts with a faster service level. The grant counts only while the complainant's
-- record over the platform's window meets its standard (computed when a notice is filed), so it is lost and
-- regained with the record, without a timer.
CREATE TABLE complaint_fast_track (
    platform_org_id uuid NOT NULL REFERENCES organisations (id),
    complainant_org_id uuid NOT NULL REFERENCES organisations (id),
    granted_at timestamptz NOT NULL,
    granted_by uuid,
    revoked_at timestamptz,
    PRIMARY KEY (platform_org_id, complainant_org_id)
);

-- Files an organisation uploaded for its notices, so that a notice can only cite files its filer had.
CREATE TABLE complaint_files (
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    sha256 text NOT NULL REFERENCES blobs (sha256),
    file_name text CHECK (length(file_name) <= 255),
    uploaded_by uuid,
    uploaded_at timestamptz NOT NULL,
    PRIMARY KEY (organisation_id, sha256)
);

CREATE TABLE complaint_notices (
    id uuid PRIMARY KEY,
    complainant_org_id uuid NOT NULL REFERENCES organisations (id),
    -- The holder of the rights relied on: the complainant itself, or the holder its agent acts for.
    holder_org_id uuid NOT NULL REFERENCES organisations (id),
    platform_org_id uuid NOT NULL REFERENCES organisations (id),
    jurisdiction text NOT NULL REFERENCES complaint_jurisdictions (code),
    kind text NOT NULL CHECK (kind IN ('counterfeit', 'trademark_misuse', 'copyright', 'patent', 'design')),
    state text NOT NULL CHECK (state IN ('submitted', 'linked', 'measure_taken', 'no_action', 'counter_noticed', 'counter_notice_forwarded',
        'action_filed', 'restored', 'appealed', 'reversed', 'withdrawn')),
    description text CHECK (length(description) <= 10000),
    good_faith_statement text NOT NULL,
    signature text NOT NULL CHECK (length(signature) BETWEEN 1 AND 200),
    fast_track boolean NOT NULL DEFAULT false,
    distribution text NOT NULL DEFAULT 'organisation' CHECK (distribution IN ('organisation', 'group', 'node', 'partners', 'public')),
    sharing_group_id uuid REFERENCES sharing_groups (id),
    -- When every listing was already under another open notice.
    linked_notice_id uuid REFERENCES complaint_notices (id),
    measure text CHECK (measure IN ('remove', 'block', 'restrict', 'no_action')),
    measure_reasons text CHECK (length(measure_reasons) <= 5000),
    decided_at timestamptz,
    -- Deadlines, each computed once in the jurisdiction's calendar when its clock starts.
    review_due_at timestamptz NOT NULL,
    review_overdue_at timestamptz,
    appeal_due_at timestamptz,
    counter_notice_at timestamptz,
    forward_due_at timestamptz,
    forward_overdue_at timestamptz,
    forwarded_at timestamptz,
    restore_not_before timestamptz,
    restore_latest timestamptz,
    deadlines_provisional boolean NOT NULL DEFAULT false,
    restored_at timestamptz,
    closed_at timestamptz,
    -- The one instant the sweep must look at this notice again (the current state's timer); null when none runs.
    next_timer_at timestamptz,
    counter_statement text CHECK (length(counter_statement) <= 10000),
    counter_seller_name text CHECK (length(counter_seller_name) <= 200),
    counter_seller_contact text CHECK (length(counter_seller_contact) <= 500),
    counter_via text CHECK (counter_via IN ('seller_link', 'platform')),
    filed_action_kind text CHECK (filed_action_kind IN ('complaint', 'lawsuit')),
    filed_action_with text CHECK (length(filed_action_with) <= 300),
    filed_action_reference text CHECK (length(filed_action_reference) <= 200),
    appeal_reasons text CHECK (length(appeal_reasons) <= 5000),
    appeal_decision_reasons text CHECK (length(appeal_decision_reasons) <= 5000),
    finding text CHECK (finding IN ('wrongful', 'malicious')),
    finding_reasons text CHECK (length(finding_reasons) <= 5000),
    finding_at timestamptz,
    version integer NOT NULL DEFAULT 1,
    created_by uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    CHECK ((distribution = 'group') = (sharing_group_id IS NOT NULL))
);
CREATE INDEX complaint_notices_platform ON complaint_notices (platform_org_id, id DESC);
CREATE INDEX complaint_notices_queue ON complaint_notices (platform_org_id, review_due_at) WHERE state IN ('submitted', 'counter_noticed', 'appealed');
CREATE INDEX complaint_notices_complainant ON complaint_notices (complainant_org_id, id DESC);
CREATE INDEX complaint_notices_holder ON complaint_notices (holder_org_id, id DESC);
CREATE INDEX complaint_notices_timer ON complaint_notices (next_timer_at) WHERE next_timer_at IS NOT NULL;
CREATE INDEX complaint_notices_linked ON complaint_notices (linked_notice_id) WHERE linked_notice_id IS NOT NULL;
CREATE INDEX complaint_notices_accuracy ON complaint_notices (complainant_org_id, platform_org_id, created_at);

CREATE TRIGGER complaint_notices_refuse_narrowing BEFORE UPDATE OF distribution, sharing_group_id ON complaint_notices
    FOR EACH ROW EXECUTE FUNCTION tm_refuse_narrowing();

-- The rights relied on, as they stood at filing (the platform may not otherwise see a holder's private right).
CREATE TABLE complaint_notice_rights (
    notice_id uuid NOT NULL REFERENCES complaint_notices (id),
    right_id uuid NOT NULL REFERENCES rights (id),
    type text NOT NULL,
    jurisdiction text NOT NULL,
    number text,
    name text NOT NULL,
    name_zh text,
    status text NOT NULL,
    expires_on date,
    PRIMARY KEY (notice_id, right_id)
);
CREATE INDEX complaint_notice_rights_right ON complaint_notice_rights (right_id);

-- Each listing once per platform: a second notice on it is linked to the notice that holds it, not doubled.
CREATE TABLE complaint_listings (
    id uuid PRIMARY KEY,
    platform_org_id uuid NOT NULL REFERENCES organisations (id),
    listing_key text NOT NULL CHECK (length(listing_key) BETWEEN 1 AND 200),
    open_notice_id uuid REFERENCES complaint_notices (id),
    first_seen_at timestamptz NOT NULL,
    UNIQUE (platform_org_id, listing_key)
);
CREATE INDEX complaint_listings_open ON complaint_listings (open_notice_id) WHERE open_notice_id IS NOT NULL;

-- A listing as the notice saw it: the snapshot of its text and pictures are evidence files (SHA-256, BlobStore).
CREATE TABLE complaint_notice_listings (
    notice_id uuid NOT NULL REFERENCES complaint_notices (id),
    position integer NOT NULL,
    listing_id uuid NOT NULL REFERENCES complaint_listings (id),
    listing_ref text NOT NULL,
    url text NOT NULL,
    seller_id text NOT NULL,
    seller_name text,
    title text NOT NULL,
    price numeric(18, 2),
    currency char(3),
    snapshot_sha256 text REFERENCES blobs (sha256),
    image_sha256s text[] NOT NULL DEFAULT '{}',
    -- What the screening engine found in the title and snapshot at filing: language-neutral facts, worded when read.
    hits jsonb NOT NULL DEFAULT '[]',
    -- The open notice this listing was linked to, when another notice held it already.
    linked_notice_id uuid REFERENCES complaint_notices (id),
    PRIMARY KEY (notice_id, position)
);
CREATE INDEX complaint_notice_listings_listing ON complaint_notice_listings (listing_id);
CREATE INDEX complaint_notice_listings_linked ON complaint_notice_listings (linked_notice_id) WHERE linked_notice_id IS NOT NULL;

CREATE TABLE complaint_evidence (
    id uuid PRIMARY KEY,
    notice_id uuid NOT NULL REFERENCES complaint_notices (id),
    sha256 text NOT NULL REFERENCES blobs (sha256),
    description text CHECK (length(description) <= 1000),
    party text NOT NULL CHECK (party IN ('complainant', 'platform', 'seller')),
    added_by_org_id uuid REFERENCES organisations (id),
    added_at timestamptz NOT NULL,
    UNIQUE (notice_id, party, sha256)
);
CREATE INDEX complaint_evidence_notice ON complaint_evidence (notice_id);

-- The timeline every party sees: one row per step, including the clock's.
CREATE TABLE complaint_events (
    id uuid PRIMARY KEY,
    notice_id uuid NOT NULL REFERENCES complaint_notices (id),
    occurred_at timestamptz NOT NULL,
    party text NOT NULL CHECK (party IN ('complainant', 'platform', 'seller', 'system')),
    actor_org_id uuid REFERENCES organisations (id),
    actor_user_id uuid,
    action text NOT NULL CHECK (length(action) BETWEEN 1 AND 50),
    from_state text,
    to_state text,
    detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX complaint_events_notice ON complaint_events (notice_id, occurred_at, id);

-- Strikes against sellers under a platform's repeat-infringer policy: one per notice and seller, void when the measure is lifted.
CREATE TABLE complaint_strikes (
    id uuid PRIMARY KEY,
    platform_org_id uuid NOT NULL REFERENCES organisations (id),
    seller_id text NOT NULL,
    notice_id uuid NOT NULL REFERENCES complaint_notices (id),
    struck_at timestamptz NOT NULL,
    voided_at timestamptz,
    void_reason text,
    UNIQUE (notice_id, seller_id)
);
CREATE INDEX complaint_strikes_seller ON complaint_strikes (platform_org_id, seller_id, struck_at) WHERE voided_at IS NULL;

-- Sellers whose standing strikes reached the platform's limit: a recommendation to suspend them, for the platform to act on.
CREATE TABLE complaint_recommendations (
    id uuid PRIMARY KEY,
    platform_org_id uuid NOT NULL REFERENCES organisations (id),
    seller_id text NOT NULL,
    strikes integer NOT NULL,
    window_days integer NOT NULL,
    notice_id uuid NOT NULL REFERENCES complaint_notices (id),
    created_at timestamptz NOT NULL,
    resolved_at timestamptz
);
CREATE UNIQUE INDEX complaint_recommendations_open ON complaint_recommendations (platform_org_id, seller_id) WHERE resolved_at IS NULL;

-- The seller's way in without an account: only the SHA-256 of the token is kept.
CREATE TABLE complaint_seller_links (
    id uuid PRIMARY KEY,
    notice_id uuid NOT NULL REFERENCES complaint_notices (id),
    token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_by_org_id uuid REFERENCES organisations (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz,
    last_used_at timestamptz
);
CREATE INDEX complaint_seller_links_notice ON complaint_seller_links (notice_id);

-- The caller takes part in the notice: as the complainant, the holder it acted for (or another agent of that
-- holder for all its rights), or the platform. Observers (authorities seeing it through its distribution) do not.
CREATE FUNCTION tm_complaint_party(complainant uuid, holder uuid, platform uuid) RETURNS boolean LANGUAGE sql STABLE
AS $$
    SELECT tm_org() IN (complainant, holder, platform) OR holder = ANY ((SELECT tm_acting_for_all())::uuid[])
$$;

ALTER TABLE complaint_jurisdictions ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_service_levels ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_platforms ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_fast_track ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_files ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_notices ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_notice_rights ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_listings ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_notice_listings ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_evidence ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_strikes ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_recommendations ENABLE ROW LEVEL SECURITY;
ALTER TABLE complaint_seller_links ENABLE ROW LEVEL SECURITY;

-- Reference data: everyone reads the rules; only the platform administrator changes them.
CREATE POLICY complaint_jurisdictions_read ON complaint_jurisdictions FOR SELECT USING (true);
CREATE POLICY complaint_jurisdictions_write ON complaint_jurisdictions FOR ALL USING (tm_is_platform_admin()) WITH CHECK (tm_is_platform_admin());
CREATE POLICY complaint_service_levels_read ON complaint_service_levels FOR SELECT USING (true);
CREATE POLICY complaint_service_levels_write ON complaint_service_levels FOR ALL USING (tm_is_platform_admin()) WITH CHECK (tm_is_platform_admin());

-- The directory of platforms is public to every signed-in caller (complainants choose one); a platform's
-- administrators keep its settings, and the platform administrator may too.
CREATE POLICY complaint_platforms_read ON complaint_platforms FOR SELECT USING (true);
CREATE POLICY complaint_platforms_write ON complaint_platforms FOR ALL
    USING (tm_is_platform_admin() OR (organisation_id = tm_org() AND tm_is_org_admin() AND tm_org_kind() = 'platform'))
    WITH CHECK (tm_is_platform_admin() OR (organisation_id = tm_org() AND tm_is_org_admin() AND tm_org_kind() = 'platform'));

CREATE POLICY complaint_fast_track_read ON complaint_fast_track FOR SELECT USING (platform_org_id = tm_org() OR complainant_org_id = tm_org());
CREATE POLICY complaint_fast_track_write ON complaint_fast_track FOR ALL USING (platform_org_id = tm_org()) WITH CHECK (platform_org_id = tm_org());

CREATE POLICY complaint_files_own ON complaint_files FOR ALL USING (organisation_id = tm_org()) WITH CHECK (organisation_id = tm_org());

-- A notice is visible to its parties, and to enforcement authorities as far as its distribution lets them (statistics).
CREATE POLICY complaint_notices_read ON complaint_notices FOR SELECT
    USING (tm_complaint_party(complainant_org_id, holder_org_id, platform_org_id)
        OR (tm_org_is_enforcement() AND tm_can_see(complainant_org_id, distribution, sharing_group_id)));
CREATE POLICY complaint_notices_insert ON complaint_notices FOR INSERT WITH CHECK (complainant_org_id = tm_org());
CREATE POLICY complaint_notices_update ON complaint_notices FOR UPDATE
    USING (tm_complaint_party(complainant_org_id, holder_org_id, platform_org_id))
    WITH CHECK (tm_complaint_party(complainant_org_id, holder_org_id, platform_org_id));

-- Parts of a notice go with it: whoever sees the notice sees them; its parties add them.
CREATE POLICY complaint_notice_rights_read ON complaint_notice_rights FOR SELECT USING (EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id));
CREATE POLICY complaint_notice_rights_insert ON complaint_notice_rights FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id AND n.complainant_org_id = tm_org()));
CREATE POLICY complaint_notice_listings_read ON complaint_notice_listings FOR SELECT USING (EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id));
CREATE POLICY complaint_notice_listings_insert ON complaint_notice_listings FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id AND n.complainant_org_id = tm_org()));
CREATE POLICY complaint_evidence_read ON complaint_evidence FOR SELECT USING (EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id));
CREATE POLICY complaint_evidence_insert ON complaint_evidence FOR INSERT
    WITH CHECK (added_by_org_id = tm_org() AND EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id
        AND tm_complaint_party(n.complainant_org_id, n.holder_org_id, n.platform_org_id)));
CREATE POLICY complaint_events_read ON complaint_events FOR SELECT USING (EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id));
CREATE POLICY complaint_events_insert ON complaint_events FOR INSERT
    WITH CHECK (actor_org_id = tm_org() AND EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id
        AND tm_complaint_party(n.complainant_org_id, n.holder_org_id, n.platform_org_id)));

-- Strikes and recommendations are the platform's; a complainant's withdrawal voids the strikes its notice caused.
CREATE POLICY complaint_strikes_read ON complaint_strikes FOR SELECT USING (platform_org_id = tm_org());
CREATE POLICY complaint_strikes_insert ON complaint_strikes FOR INSERT WITH CHECK (platform_org_id = tm_org());
CREATE POLICY complaint_recommendations_platform ON complaint_recommendations FOR ALL USING (platform_org_id = tm_org()) WITH CHECK (platform_org_id = tm_org());

-- Seller links: the platform issues and revokes them; the token is looked up by the server without a caller.
CREATE POLICY complaint_seller_links_platform ON complaint_seller_links FOR ALL
    USING (EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id AND n.platform_org_id = tm_org()))
    WITH CHECK (created_by_org_id = tm_org() AND EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = notice_id AND n.platform_org_id = tm_org()));

GRANT SELECT, INSERT, UPDATE, DELETE ON complaint_jurisdictions, complaint_service_levels, complaint_fast_track TO tracemark_app;
GRANT SELECT, INSERT, UPDATE ON complaint_platforms, complaint_notices, complaint_recommendations, complaint_seller_links TO tracemark_app;
GRANT SELECT, INSERT ON complaint_strikes, complaint_files, complaint_notice_rights, complaint_notice_listings, complaint_evidence, complaint_events TO tracemark_app;

-- Claims a listing for a notice being filed: the listing is created once per platform, and held by the first
-- open notice on it. Answers the listing and the notice that holds it (the new one, or the earlier one the
-- new notice is then linked to). Runs as the owner: the listing may be held by a notice the caller cannot see.
CREATE FUNCTION tm_complaint_claim_listing(p_notice uuid, p_platform uuid, p_key text, p_now timestamptz)
RETURNS TABLE (listing_id uuid, holder_notice_id uuid) LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = p_notice AND n.complainant_org_id = tm_org() AND n.platform_org_id = p_platform) THEN
        RAISE EXCEPTION 'notice % is not the caller''s notice to that platform', p_notice USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN QUERY
    INSERT INTO complaint_listings AS l (id, platform_org_id, listing_key, open_notice_id, first_seen_at)
    VALUES (tm_uuid7(p_now), p_platform, p_key, p_notice, p_now)
    ON CONFLICT (platform_org_id, listing_key) DO UPDATE SET open_notice_id = coalesce(l.open_notice_id, excluded.open_notice_id)
    RETURNING l.id, l.open_notice_id;
END
$$;

-- What follows when a notice closes: its listings are free for new notices and, when the measure was
-- lifted, its strikes stop counting. Either party may close a notice (a complainant's withdrawal voids the
-- platform's strikes), so this runs as the owner after checking that the caller takes part (or is the sweep).
CREATE FUNCTION tm_complaint_close(p_notice uuid, p_void_strikes boolean, p_reason text, p_now timestamptz) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    released integer;
BEGIN
    IF tm_org() IS NOT NULL AND NOT EXISTS (SELECT 1 FROM complaint_notices n WHERE n.id = p_notice
            AND tm_complaint_party(n.complainant_org_id, n.holder_org_id, n.platform_org_id)) THEN
        RAISE EXCEPTION 'notice % is not one the caller takes part in', p_notice USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE complaint_listings SET open_notice_id = NULL WHERE open_notice_id = p_notice;
    GET DIAGNOSTICS released = ROW_COUNT;
    IF p_void_strikes THEN
        UPDATE complaint_strikes SET voided_at = p_now, void_reason = p_reason WHERE notice_id = p_notice AND voided_at IS NULL;
    END IF;
    RETURN released;
END
$$;

-- The state of the notices that the caller's notices were linked to: a linked complainant follows the
-- outcome without seeing the other complainant's notice.
CREATE FUNCTION tm_complaint_linked_states(p_notice uuid) RETURNS TABLE (notice_id uuid, state text) LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT DISTINCT o.id, o.state
    FROM complaint_notices mine
    JOIN complaint_notice_listings nl ON nl.notice_id = mine.id
    JOIN complaint_notices o ON o.id = coalesce(nl.linked_notice_id, mine.linked_notice_id)
    WHERE mine.id = p_notice AND tm_complaint_party(mine.complainant_org_id, mine.holder_org_id, mine.platform_org_id)
$$;
