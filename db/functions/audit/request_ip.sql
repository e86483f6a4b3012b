-- Deploy mercato:functions/audit/request_ip to pg
-- Every audit event records the address the request came from (issue 19: "every action is in the audit log, with actor
-- and IP from the request"): audit.event.ip_address, from PostgREST's request.headers (X-Forwarded-For's first, client
-- address, through identity.request_device). What the caller's proxy says: recorded for review, never trusted for a
-- decision. NULL outside an HTTP request (jobs, psql).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

ALTER TABLE audit.event ADD COLUMN ip_address text;
COMMENT ON COLUMN audit.event.ip_address IS
'The client address of the request (X-Forwarded-For''s first address in PostgREST''s request.headers, at most 64
characters), NULL outside an HTTP request. Recorded, never trusted for a decision.';

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
    v_ip      text;
BEGIN
    -- No DDL here: the job audit.partitions_ahead keeps partitions months ahead. A month without its partition is an
    -- operations failure, refused loudly (a catalog cache lookup; the insert would fail anyway, less clearly).
    IF to_regclass(to_char(now() AT TIME ZONE 'UTC', '"audit.event_y"YYYY"m"MM')) IS NULL THEN
        PERFORM core.raise('AUDIT_NO_PARTITION', format('audit.event has no partition for %s',
                                                        to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM')));
    END IF;
    -- identity is deployed after audit; a query (unlike a declared row type) resolves at run time.
    SELECT a.subject, a.user_id INTO v_subject, v_user_id FROM identity.current_actor() AS a;
    SELECT d.ip_address INTO v_ip FROM identity.request_device() AS d;
    INSERT INTO audit.event (actor_subject, actor_user_id, db_role, module, entity_type, entity_id,
                             action, old_values, new_values, ip_address)
    VALUES (v_subject, v_user_id, session_user::text || '/' || current_setting('role'),
            p_module, p_entity_type, p_entity_id, p_action, p_old_values, p_new_values, v_ip);
END
$$;
COMMENT ON FUNCTION audit.record(text, text, text, text, jsonb, jsonb) IS
'Append one event to the audit log (module, entity type and id, UPPER_SNAKE action, old/new values).
The actor comes from identity.current_actor(), i.e. from request.jwt.claims, and the client address from
request.headers (identity.request_device). Never creates a partition (no DDL in an application transaction): the job
audit.partitions_ahead keeps them months ahead, and a month without one is refused with AUDIT_NO_PARTITION. Runs as the
owner: callers never need privileges on audit.event.';

COMMIT;
