-- Deploy mercato:functions/audit/retention to pg
-- Retention of the audit log: monthly partitions wholly older than AUDIT_RETENTION_MONTHS are detached and dropped by
-- the job audit.retention. 0 (the default) keeps everything: deleting an audit trail is a decision the operator makes
-- by setting a horizon. (The ledger has no such job: ledgers are kept.)

BEGIN;

SET LOCAL lock_timeout = '5s';

INSERT INTO masterdata.setting (key, value_type, value, min_value, max_value, description) VALUES
('AUDIT_RETENTION_MONTHS', 'NUMBER', '0', 0, 1200,
 'Months of audit.event kept; the job audit.retention drops monthly partitions wholly older than that. 0 keeps everything.');

CREATE FUNCTION audit.drop_old_partitions(p_keep_months integer DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_keep    integer := coalesce(p_keep_months, masterdata.setting_number('AUDIT_RETENTION_MONTHS')::integer);
    v_horizon timestamptz;
    v_part    record;
    v_dropped integer := 0;
BEGIN
    IF v_keep IS NULL OR v_keep < 0 OR v_keep > 1200 THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_keep_months must be between 0 and 1200 (0 keeps everything)');
    END IF;
    IF v_keep = 0 THEN
        RETURN 0;
    END IF;
    -- Partitions whose whole month ends before the first day of the oldest month kept.
    v_horizon := date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - make_interval(months => v_keep);
    -- A short lock wait: the detach takes an exclusive lock on audit.event; behind a long reader, skip until next run.
    PERFORM set_config('lock_timeout', '5s', true);
    PERFORM pg_advisory_xact_lock(hashtext('audit.ensure_partitions'));   -- never next to a partition being created
    FOR v_part IN
        SELECT c.oid::regclass AS part
          FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'audit.event'::regclass
           AND c.relname ~ '^event_y[0-9]{4}m[0-9]{2}$'
           AND to_timestamp(substr(c.relname, 8, 4) || substr(c.relname, 13, 2), 'YYYYMM') AT TIME ZONE 'UTC'
               + interval '1 month' <= v_horizon::timestamp
         ORDER BY c.relname
    LOOP
        EXECUTE format('ALTER TABLE audit.event DETACH PARTITION %s', v_part.part);
        EXECUTE format('DROP TABLE %s', v_part.part);
        v_dropped := v_dropped + 1;
    END LOOP;
    RETURN v_dropped;
END
$$;
COMMENT ON FUNCTION audit.drop_old_partitions(integer) IS
'Detach and drop the monthly partitions of audit.event whose whole month lies more than p_keep_months (default: the
setting AUDIT_RETENTION_MONTHS) months before the current month; 0 keeps everything. Returns how many were dropped.
Runs as the owner from the job audit.retention; waits at most 5 s for the lock on audit.event. Errors:
CORE_INVALID_ARGUMENT.';

SELECT jobs.register('audit.retention', '47 3 * * *', 'audit.drop_old_partitions(integer)',
    'Audit retention: drop the audit.event partitions older than AUDIT_RETENTION_MONTHS (0, the default, keeps '
    'everything). audit.drop_old_partitions.');

COMMIT;
