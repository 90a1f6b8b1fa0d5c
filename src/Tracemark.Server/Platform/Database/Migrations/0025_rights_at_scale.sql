-- The rights registry at a million rights (measured in docs/benchmarks.md).

-- Under row-level security PostgreSQL may use an index for a condition only when the condition's function
-- is LEAKPROOF (it cannot reveal rows the policy hides through errors or side effects); pg_trgm does not
-- mark its word-similarity operators so, and without it every name search reads the whole table. They
-- compare two texts and raise no errors that depend on them. Marking them needs a superuser (the embedded
-- cluster's owner is one); elsewhere a warning says what to ask the database administrator for.
DO $$
BEGIN
    ALTER FUNCTION word_similarity_op(text, text) LEAKPROOF;
    ALTER FUNCTION word_similarity_commutator_op(text, text) LEAKPROOF;
EXCEPTION WHEN insufficient_privilege THEN
    RAISE WARNING 'Run as a superuser: ALTER FUNCTION word_similarity_op(text, text) LEAKPROOF; ALTER FUNCTION word_similarity_commutator_op(text, text) LEAKPROOF; (without it, name search reads every right)';
END
$$;

-- Per-row foreign-key checks cost a fifth of a million-row import. These two columns need none: the insert
-- policy pins recorded_by_org_id to the caller's organisation, and origin_node_id is the local node (or, for
-- a copy from a partner, the node it came from); organisations and nodes are never deleted.
ALTER TABLE rights DROP CONSTRAINT rights_recorded_by_org_id_fkey, DROP CONSTRAINT rights_origin_node_id_fkey;

-- The checks of an import that need every recorded right, in one pass over the calling session's own
-- staging table: a number already recorded for another holder ('taken': registration numbers are public
-- facts, and who holds it is not said), a distribution that would narrow the holder's recorded right, and
-- dates that would be out of order together with those recorded. It also marks which staged rows update
-- a right of the holder (existing_id), so the upsert needs no second search. It runs as the owner to see
-- other holders' numbers, so it first checks that the caller acts for the holder.
DROP FUNCTION tm_rights_taken_by_others(uuid);

CREATE FUNCTION tm_rights_import_check(holder uuid)
RETURNS TABLE (line integer, problem text, current_distribution text, wanted_distribution text)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
#variable_conflict use_column
BEGIN
    IF NOT tm_may_act_for_holder(tm_org(), holder, tm_now()) THEN
        RAISE EXCEPTION 'organisation % may not import rights for %', tm_org(), holder USING ERRCODE = 'insufficient_privilege';
    END IF;

    CREATE TEMP TABLE IF NOT EXISTS rights_staging_matches (line integer, id uuid, problem text, current_distribution text, wanted_distribution text) ON COMMIT DROP;
    TRUNCATE rights_staging_matches;
    INSERT INTO rights_staging_matches
    SELECT s.line, x.id,
           CASE WHEN x.owner_org_id <> holder THEN 'taken'
                WHEN s.distribution IS NOT NULL AND tm_distribution_narrows(x.distribution, x.sharing_group_id, s.distribution, NULL) THEN 'distribution'
                WHEN coalesce(s.registered_on, x.registered_on) < coalesce(s.filed_on, x.filed_on)
                  OR coalesce(s.expires_on, x.expires_on) <= coalesce(s.registered_on, x.registered_on, s.filed_on, x.filed_on) THEN 'dates'
           END,
           CASE WHEN x.owner_org_id = holder THEN x.distribution END,
           s.distribution
    FROM pg_temp.rights_staging s JOIN rights x ON x.jurisdiction = s.jurisdiction AND x.type = s.type AND x.number_key = s.number_key;

    UPDATE pg_temp.rights_staging s SET existing_id = m.id FROM rights_staging_matches m WHERE m.line = s.line AND m.problem IS NULL;
    RETURN QUERY SELECT m.line, m.problem, m.current_distribution, m.wanted_distribution FROM rights_staging_matches m WHERE m.problem IS NOT NULL;
END
$$;
