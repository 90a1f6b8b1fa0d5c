-- A large import writes its rights' name trigrams into the name index's pending list (a larger list for that
-- transaction only) and merges the list into the index once at its end, sorted by trigram: measured on a
-- million new rights, a fifth less database CPU than inserting each right's trigrams into the index as it
-- comes (docs/benchmarks.md). Merging needs the index's owner, hence a function that does only that.
CREATE FUNCTION tm_rights_merge_pending_names() RETURNS bigint
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp
AS $$ SELECT gin_clean_pending_list('rights_names'::regclass) + gin_clean_pending_list('rights_classes'::regclass) $$;

REVOKE EXECUTE ON FUNCTION tm_rights_merge_pending_names() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tm_rights_merge_pending_names() TO tracemark_app;
