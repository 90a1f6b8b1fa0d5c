-- Small texts the server writes itself (a listing's snapshot, a few hundred bytes to a few KB) are kept in their
-- blob row instead of a file: the filing's one commit makes them durable, where a file cost its own flush and its
-- folder's (up to four when the shard folders were new), the largest kernel share of a filing's CPU. Larger
-- blobs, and every uploaded file, stay files; a row has its content exactly when no file holds its bytes.
--
-- Only this migration's own table is touched, so it may run before or after 0060 (an install that already has
-- 0060 applies it last).
ALTER TABLE blobs ADD COLUMN content bytea CHECK (content IS NULL OR octet_length(content) = size);

-- lz4 where the server has it: cheaper than pglz for the few values large enough to be compressed at all.
DO $$
BEGIN
    ALTER TABLE blobs ALTER COLUMN content SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available in this PostgreSQL build: pglz stays';
END
$$;

-- The application's role keeps reading what a blob is, not its bytes: who may read the bytes is decided by the
-- records that refer to them (row-level security) before the server fetches them, as it opens a file only then.
-- A query as a caller can therefore never turn a known SHA-256 into the content.
REVOKE SELECT ON blobs FROM tracemark_app;
GRANT SELECT (sha256, size, media_type, created_at) ON blobs TO tracemark_app;
