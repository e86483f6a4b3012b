-- Verify mercato:functions/ledger on pg

BEGIN;

SELECT pg_catalog.has_function_privilege('ledger.transfer(text, bigint, bigint, numeric, text, jsonb)', 'execute');
SELECT 'ledger.cached_slots(text, bigint)'::regprocedure;
SELECT pg_catalog.has_function_privilege('ledger.post_batch(jsonb)', 'execute');
SELECT pg_catalog.has_function_privilege('ledger.capture_hold(text, bigint, jsonb, text)', 'execute');
SELECT 1 / count(*) FROM ledger.check() WHERE ok;

ROLLBACK;
