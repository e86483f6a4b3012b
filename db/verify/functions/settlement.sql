-- Verify mercato:functions/settlement on pg

BEGIN;

SELECT pg_catalog.has_function_privilege('settlement.settle_provider(bigint, date, date, text, text)', 'execute');
SELECT pg_catalog.has_function_privilege('settlement.run_period(date, date)', 'execute');
SELECT 1 / count(*) FROM settlement.check() WHERE ok;
SELECT 1 / (settlement.commission(1000, 0.1, 50, 500, 2) = 100)::integer;

ROLLBACK;
