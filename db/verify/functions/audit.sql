-- Verify mercato:functions/audit on pg

BEGIN;

SELECT pg_catalog.has_function_privilege('audit.track()', 'execute');
SELECT pg_catalog.has_function_privilege('audit.record(text, text, text, text, jsonb, jsonb)', 'execute');
SELECT 1 / count(*) FROM pg_catalog.pg_inherits WHERE inhparent = 'audit.event'::regclass;

ROLLBACK;
