-- Revert mercato:functions/audit/request_ip from pg: audit.record exactly as functions/audit/record left it, then the
-- column

BEGIN;

SET LOCAL ROLE mercato_owner;
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

ALTER TABLE audit.event DROP COLUMN ip_address;

COMMIT;
