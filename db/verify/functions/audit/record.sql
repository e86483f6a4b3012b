-- Verify mercato:functions/audit/record on pg
-- Fails when audit.record still creates partitions, when its error code is missing, or when an API role may call it.

BEGIN;

SELECT 1 / (position('ensure_partitions' IN prosrc) = 0 AND position('AUDIT_NO_PARTITION' IN prosrc) > 0)::int
  FROM pg_catalog.pg_proc WHERE oid = 'audit.record(text, text, text, text, jsonb, jsonb)'::regprocedure;
SELECT 1 / count(*)::int FROM core.error WHERE code = 'AUDIT_NO_PARTITION';
SELECT 1 / (NOT has_function_privilege(r, 'audit.record(text, text, text, text, jsonb, jsonb)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
