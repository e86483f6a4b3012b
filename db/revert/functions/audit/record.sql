-- Revert mercato:functions/audit/record from pg
-- Back to the first release's audit.record, which created missing partitions itself.

BEGIN;

SET LOCAL lock_timeout = '5s';

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
    -- Keep partitions a month ahead, so that no insert waits on DDL at a month boundary: a catalog cache lookup of next
    -- month's partition. Not a session setting: one that any role can set would let a pooled client make the next
    -- one's audit inserts fail.
    IF to_regclass(to_char((now() AT TIME ZONE 'UTC') + interval '1 month', '"audit.event_y"YYYY"m"MM')) IS NULL THEN
        PERFORM audit.ensure_partitions(now(), 3);
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
The actor comes from identity.current_actor(), i.e. from request.jwt.claims. Creates the month''s
partition on first use. Runs as the owner: callers never need privileges on audit.event.';

DELETE FROM core.error WHERE code = 'AUDIT_NO_PARTITION';

COMMIT;
