-- Idempotency keys for the POSTs of the machine APIs (complaints now, customs next). A client sends
-- 'Idempotency-Key: <key>'; the first request with a key runs and its successful response is kept here,
-- written in the same transaction as the request's own changes, so that the response is stored exactly
-- when the change is. A retry with the same key and the same request gets the stored response; the same
-- key with another request is refused. A concurrent duplicate waits on the primary key until the first
-- request commits (then replays) or rolls back (then runs).

CREATE TABLE idempotency_keys (
    organisation_id uuid NOT NULL REFERENCES organisations (id),
    -- Who sent it within the organisation: 'key:<api key id>' or 'user:<user id>'.
    principal text NOT NULL CHECK (length(principal) BETWEEN 1 AND 100),
    key text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    method text NOT NULL,
    path text NOT NULL CHECK (length(path) <= 2000),
    -- SHA-256 of method, path, content type and body: what "the same request" means.
    request_sha256 bytea NOT NULL CHECK (length(request_sha256) = 32),
    -- The response, written just before the transaction commits (so always present once visible).
    status integer CHECK (status BETWEEN 200 AND 299),
    content_type text,
    location text,
    response bytea,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    CHECK ((status IS NULL) = (response IS NULL)),
    PRIMARY KEY (organisation_id, principal, key)
);
CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_own ON idempotency_keys FOR ALL USING (organisation_id = tm_org()) WITH CHECK (organisation_id = tm_org());
GRANT SELECT, INSERT, UPDATE ON idempotency_keys TO tracemark_app;
