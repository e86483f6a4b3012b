-- Deploy mercato:functions/audit/record to pg
-- audit.record no longer creates partitions inside whatever application transaction comes first (CREATE TABLE ...
-- PARTITION OF took an AccessExclusiveLock on audit.event: readers waited, and PostgREST reloaded its schema cache).
-- The job audit.partitions_ahead (functions/audit/jobs) creates them months ahead; a missing one is refused loudly.

BEGIN;

SET LOCAL lock_timeout = '5s';

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('AUDIT_NO_PARTITION', 'audit', 'PT503', 'the audit log has no partition for this month',
 'run the job audit.partitions_ahead (mercato jobs run audit.partitions_ahead) and schedule it',
 'audit.event partitions are created ahead by a job, never inside an application transaction; a month without one '
 'means the job has not run.');

CREATE OR REPLACE FUNCTION audit.record(
    p_module      text,
    p_entity_type text,
    p_entity_id   text,
    p_action      text,
    p_old_values  jsonb DEFAULT NULL,
    p_new_values  jsonb DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_subject text;
    v_user_id bigint;
BEGIN
    -- No DDL here: the job audit.partitions_ahead keeps partitions months ahead. A month without its partition is an
    -- operations failure, refused loudly (a catalog cache lookup; the insert would fail anyway, less clearly).
    IF to_regclass(to_char(now() AT TIME ZONE 'UTC', '"audit.event_y"YYYY"m"MM')) IS NULL THEN
        PERFORM core.raise('AUDIT_NO_PARTITION', format('audit.event has no partition for %s',
                                                        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')));
    END IF;
    -- identity is deployed after audit; a query (unlike a declared row type) resolves at run time.
    SELECT a.subject, a.user_id INTO v_subject, v_user_id FROM identity.current_actor() AS a;
    INSERT INTO audit.event (actor_subject, actor_user_id, db_role, module, entity_type, entity_id,
                             action, old_values, new_values)
    VALUES (v_subject, v_user_id, session_user::text || '/' || current_setting('role'),
            p_module, p_entity_type, p_entity_id, p_action, p_old_values, p_new_values);
END
$$;
COMMENT ON FUNCTION audit.record(text, text, text, text, jsonb, jsonb) IS
'Append one event to the audit log (module, entity type and id, UPPER_SNAKE action, old/new values).
The actor comes from identity.current_actor(), i.e. from request.jwt.claims. Never creates a partition (no DDL in an
application transaction): the job audit.partitions_ahead keeps them months ahead, and a month without one is refused
with AUDIT_NO_PARTITION. Runs as the owner: callers never need privileges on audit.event.';

COMMIT;
