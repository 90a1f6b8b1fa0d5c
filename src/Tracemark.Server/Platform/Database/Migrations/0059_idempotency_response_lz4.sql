-- A stored answer to a filing is the notice's view, a few kB of JSON (2,965 bytes in the benchmark), written with its Idempotency-Key in the
-- filing's transaction: PostgreSQL compresses every such value before storing it, with pglz by default, which
-- showed in a profile of the filing benchmark's database backends (docs/benchmarks.md, issue 6). lz4 compresses
-- the same values in a fraction of the time (as 0054 found for the sweep's payloads). Only values written from now
-- on use it; reading either kind is transparent. A server built without lz4 refuses the setting and keeps pglz.
DO $$
BEGIN
    ALTER TABLE idempotency_keys ALTER COLUMN response SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not available in this PostgreSQL build: pglz stays';
END
$$;
