-- The notification outbox. Product code writes a row in the same transaction as the change that causes
-- it, so a notification exists exactly when its cause does. A background service delivers rows whose time
-- has come through their channel (in_app now; webhooks and e-mail later), counting attempts and retrying
-- with backoff. dedupe_key makes "exactly once" a constraint rather than a hope.

CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_.]{1,99}$'),
    channel text NOT NULL DEFAULT 'in_app' CHECK (channel ~ '^[a-z][a-z0-9_]{1,29}$'),
    recipient_org_id uuid NOT NULL REFERENCES organisations (id),
    -- null: everyone in the organisation; otherwise one person.
    recipient_user_id uuid REFERENCES users (id),
    -- The record the notification is about, for a link (e.g. 'recordation', id).
    subject_type text CHECK (length(subject_type) <= 100),
    subject_id text CHECK (length(subject_id) <= 200),
    -- Language-neutral facts; pages and APIs word them in the reader's language.
    payload jsonb NOT NULL DEFAULT '{}',
    dedupe_key text UNIQUE CHECK (length(dedupe_key) <= 300),
    due_at timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    delivered_at timestamptz,
    attempts integer NOT NULL DEFAULT 0,
    last_error text CHECK (length(last_error) <= 2000),
    -- Delivery gave up after too many attempts.
    failed_at timestamptz,
    created_by_org_id uuid REFERENCES organisations (id),
    created_at timestamptz NOT NULL
);
CREATE INDEX notifications_pending ON notifications (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX notifications_inbox ON notifications (recipient_org_id, id DESC) WHERE channel = 'in_app' AND delivered_at IS NOT NULL;

-- Read marks per reader (a person, or an API key for machine clients), so that one person reading an
-- organisation-wide notification does not hide it from colleagues.
CREATE TABLE notification_reads (
    notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    reader_id uuid NOT NULL,
    read_at timestamptz NOT NULL,
    PRIMARY KEY (notification_id, reader_id)
);

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification_reads ENABLE ROW LEVEL SECURITY;

-- The recipient reads its notifications; any caller's transaction may write one for another organisation
-- (a complaint notifies the platform), signed with the writer's organisation.
CREATE POLICY notifications_read ON notifications FOR SELECT
    USING (recipient_org_id = tm_org() AND (recipient_user_id IS NULL OR recipient_user_id = tm_user()));
CREATE POLICY notifications_write ON notifications FOR INSERT WITH CHECK (created_by_org_id IS NOT DISTINCT FROM tm_org());
CREATE POLICY notification_reads_read ON notification_reads FOR SELECT
    USING (EXISTS (SELECT 1 FROM notifications n WHERE n.id = notification_id));
CREATE POLICY notification_reads_write ON notification_reads FOR INSERT
    WITH CHECK (EXISTS (SELECT 1 FROM notifications n WHERE n.id = notification_id));

GRANT SELECT, INSERT ON notifications TO tracemark_app;

-- Writing with a dedupe key needs ON CONFLICT, which PostgreSQL checks against the SELECT policy, and the
-- writer usually may not read the recipient's notifications. This writes as the owner, signed with the
-- caller's organisation; it answers only whether the row was new.
CREATE FUNCTION tm_notify(p_id uuid, p_kind text, p_channel text, p_recipient_org uuid, p_recipient_user uuid, p_subject_type text,
                          p_subject_id text, p_payload jsonb, p_dedupe_key text, p_due timestamptz, p_delivered timestamptz, p_now timestamptz)
RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    INSERT INTO notifications (id, kind, channel, recipient_org_id, recipient_user_id, subject_type, subject_id, payload, dedupe_key,
                               due_at, next_attempt_at, delivered_at, created_by_org_id, created_at)
    VALUES (p_id, p_kind, p_channel, p_recipient_org, p_recipient_user, p_subject_type, p_subject_id, p_payload, p_dedupe_key,
            p_due, p_due, p_delivered, tm_org(), p_now)
    ON CONFLICT (dedupe_key) DO NOTHING;
    RETURN FOUND;
END
$$;
GRANT SELECT, INSERT ON notification_reads TO tracemark_app;
