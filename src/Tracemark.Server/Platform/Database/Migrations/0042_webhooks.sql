-- Webhooks: a channel of the notification outbox ('webhook'). An organisation registers one endpoint;
-- rows of the outbox with channel 'webhook' are POSTed to it as JSON signed with HMAC-SHA256 over the
-- timestamp and the body, retried with the outbox's backoff. Every attempt is logged for the receiver's
-- administrators. The signing secret is kept encrypted with the server's data-protection keys: it must be
-- read back to sign, so it cannot be a one-way hash like an API key's.

CREATE TABLE webhook_endpoints (
    organisation_id uuid PRIMARY KEY REFERENCES organisations (id),
    url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
    -- Event kinds to send (e.g. 'complaint.state_changed'); empty: every kind.
    events text[] NOT NULL DEFAULT '{}',
    secret_protected text NOT NULL,
    enabled boolean NOT NULL DEFAULT true,
    created_by uuid,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id uuid NOT NULL REFERENCES notifications (id),
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    event text NOT NULL,
    url text NOT NULL,
    attempt integer NOT NULL,
    attempted_at timestamptz NOT NULL,
    status_code integer,
    error text CHECK (length(error) <= 2000),
    duration_ms integer NOT NULL
);
CREATE INDEX webhook_deliveries_organisation ON webhook_deliveries (organisation_id, id DESC);
CREATE INDEX webhook_deliveries_notification ON webhook_deliveries (notification_id);

ALTER TABLE webhook_endpoints ENABLE ROW LEVEL SECURITY;
ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY webhook_endpoints_admin ON webhook_endpoints FOR ALL
    USING (organisation_id = tm_org() AND tm_is_org_admin()) WITH CHECK (organisation_id = tm_org() AND tm_is_org_admin());
CREATE POLICY webhook_deliveries_read ON webhook_deliveries FOR SELECT USING (organisation_id = tm_org() AND tm_is_org_admin());
GRANT SELECT, INSERT, UPDATE, DELETE ON webhook_endpoints TO tracemark_app;
GRANT SELECT ON webhook_deliveries TO tracemark_app;

-- Whether an organisation wants an event by webhook. Features ask before writing a webhook row, so the
-- outbox holds no rows for organisations without an endpoint; the writer may not read the endpoint itself.
CREATE FUNCTION tm_webhook_wanted(org uuid, event text) RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM webhook_endpoints w WHERE w.organisation_id = org AND w.enabled AND (cardinality(w.events) = 0 OR event = ANY (w.events)))
$$;

-- A time-ordered UUID (version 7) for rows made in SQL, like Guid.CreateVersion7() in the application.
CREATE FUNCTION tm_uuid7(at timestamptz) RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE
AS $$
    SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
        PLACING substring(int8send(floor(extract(epoch FROM at) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;
