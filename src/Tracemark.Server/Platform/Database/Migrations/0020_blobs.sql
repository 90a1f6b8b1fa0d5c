-- Content-addressed files (trademark images, guide pictures, documents, later evidence): the bytes live
-- under the data folder as blobs/ab/cd/<sha256>; this table says what each one is. A file is stored once
-- however many records refer to it. Who may read it is decided by the records that refer to it, never by
-- this table: it holds no content and no owner, only what the bytes are.

CREATE TABLE blobs (
    sha256 text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size bigint NOT NULL CHECK (size > 0),
    media_type text NOT NULL CHECK (media_type ~ '^[a-z]+/[a-z0-9.+-]+$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

GRANT SELECT, INSERT ON blobs TO tracemark_app;

-- The instant the application works at (its TimeProvider), set per transaction by Db so that rules in SQL
-- (validity of an authorisation "now") agree with the application and with tests that move the clock.
CREATE FUNCTION tm_now() RETURNS timestamptz LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT coalesce(nullif(current_setting('tracemark.now', true), '')::timestamptz, now()) $$;
