-- Verify mercato:functions/ledger/overdraft_limit on pg

BEGIN;

SELECT 'ledger.set_overdraft_limit(bigint, numeric)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'ledger.set_overdraft_limit(bigint, numeric)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (SELECT count(*) FROM core.error WHERE code = 'LEDGER_OVERDRAFT_BELOW_DEBT')::int;

ROLLBACK;
