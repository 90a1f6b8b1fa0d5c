-- tm_notify for a set of notifications in one INSERT. A batch of filings wrote its notifications with one call
-- of tm_notify per row (a PL/pgSQL call, its own INSERT and its own policy check each); this writes them with one
-- statement and the same rules: as the owner (the dedupe key's ON CONFLICT is checked against the SELECT
-- policy, which the writer usually does not pass), signed with the caller's organisation, the first of two rows
-- with one dedupe key kept, a key already used skipped. Answers how many rows were new.
CREATE FUNCTION tm_notify_many(p_ids uuid[], p_kinds text[], p_channels text[], p_recipient_orgs uuid[], p_recipient_users uuid[],
                               p_subject_types text[], p_subject_ids text[], p_payloads text[], p_dedupe_keys text[],
                               p_due timestamptz[], p_delivered timestamptz[], p_now timestamptz)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    added integer;
BEGIN
    INSERT INTO notifications (id, kind, channel, recipient_org_id, recipient_user_id, subject_type, subject_id, payload, dedupe_key,
                               due_at, next_attempt_at, delivered_at, created_by_org_id, created_at)
    SELECT u.id, u.kind, u.channel, u.recipient_org, u.recipient_user, u.subject_type, u.subject_id, u.payload::jsonb, u.dedupe,
           u.due, u.due, u.delivered, tm_org(), p_now
    FROM unnest(p_ids, p_kinds, p_channels, p_recipient_orgs, p_recipient_users, p_subject_types, p_subject_ids, p_payloads,
                p_dedupe_keys, p_due, p_delivered)
         WITH ORDINALITY AS u (id, kind, channel, recipient_org, recipient_user, subject_type, subject_id, payload, dedupe, due, delivered, n)
    ORDER BY u.n
    ON CONFLICT (dedupe_key) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    RETURN added;
END
$$;
