-- Verify mercato:functions/audit/request_ip on pg

BEGIN;

SELECT ip_address FROM audit.event WHERE false;
SELECT 1 / (position('request_device' IN pg_catalog.pg_get_functiondef(
                'audit.record(text, text, text, text, jsonb, jsonb)'::regprocedure)) > 0)::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'audit.record(text, text, text, text, jsonb, jsonb)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
