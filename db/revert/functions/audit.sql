-- Revert mercato:functions/audit from pg

BEGIN;

DROP FUNCTION audit.track();
DROP FUNCTION audit.record(text, text, text, text, jsonb, jsonb);
DROP FUNCTION audit.ensure_partitions(timestamptz, integer);
-- Partitions were created by ensure_partitions: drop them with it.
DO $drop$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
              WHERE i.inhparent = 'audit.event'::regclass AND c.relkind = 'r' LOOP
        EXECUTE format('DROP TABLE audit.%I', r.relname);
    END LOOP;
END
$drop$;

COMMIT;
