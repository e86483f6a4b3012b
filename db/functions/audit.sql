-- Deploy mercato:functions/audit to pg
-- Partition management, audit.record for domain events and the audit.track trigger.

BEGIN;

CREATE FUNCTION audit.ensure_partitions(p_at timestamptz DEFAULT now(), p_months_ahead integer DEFAULT 3)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_month   timestamptz;
    v_created integer := 0;
    v_name    text;
BEGIN
    IF p_at IS NULL OR p_months_ahead IS NULL OR p_months_ahead NOT BETWEEN 0 AND 120 THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_months_ahead must be between 0 and 120');
    END IF;
    -- Serialise creators; CREATE TABLE ... PARTITION OF is not safe to race.
    PERFORM pg_advisory_xact_lock(hashtext('audit.ensure_partitions'));
    FOR i IN 0 .. p_months_ahead LOOP
        v_month := date_trunc('month', p_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(months => i);
        v_name := to_char(v_month AT TIME ZONE 'UTC', '"event_y"YYYY"m"MM');
        IF to_regclass(format('audit.%I', v_name)) IS NULL THEN
            EXECUTE format('CREATE TABLE audit.%I PARTITION OF audit.event FOR VALUES FROM (%L) TO (%L)',
                           v_name, v_month, v_month + interval '1 month');
            EXECUTE format('REVOKE ALL ON audit.%I FROM PUBLIC', v_name);
            v_created := v_created + 1;
        END IF;
    END LOOP;
    RETURN v_created;
END
$$;
COMMENT ON FUNCTION audit.ensure_partitions(timestamptz, integer) IS
'Create the monthly partitions of audit.event from the month of p_at to p_months_ahead months later.
Returns how many were created. Idempotent and safe to call concurrently (advisory lock). audit.record
calls it when the session has not yet seen a partition for the current month; a scheduler may call it too.';

CREATE FUNCTION audit.record(
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

CREATE FUNCTION audit.track()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_old jsonb;
    v_new jsonb;
    v_id  text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        v_old := to_jsonb(OLD);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        v_new := to_jsonb(NEW);
    END IF;
    IF TG_OP = 'UPDATE' AND v_old = v_new THEN
        RETURN NULL;
    END IF;
    v_id := coalesce(v_new, v_old) ->> coalesce(TG_ARGV[0], 'id');
    PERFORM audit.record(TG_TABLE_SCHEMA, TG_TABLE_SCHEMA || '.' || TG_TABLE_NAME, v_id, TG_OP, v_old, v_new);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION audit.track() IS
'Row-level AFTER trigger that logs INSERT/UPDATE/DELETE of any table to audit.event.
Attach with: CREATE TRIGGER <table>_audit AFTER INSERT OR UPDATE OR DELETE ON <table>
FOR EACH ROW EXECUTE FUNCTION audit.track([''<key column>'']). The optional argument names the
column used as entity id (default id). Updates that change nothing are not logged.';

-- No API role executes these: audit.record is called by SECURITY DEFINER functions and audit.track as the owner (an API
-- session could otherwise write forged events); a scheduler calls audit.ensure_partitions as the owner.

SELECT audit.ensure_partitions(now(), 3);

COMMIT;
