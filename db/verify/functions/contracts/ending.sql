-- Verify mercato:functions/contracts/ending on pg
-- Existence and privileges only. Fails when any function of the change is missing (its regprocedure cast raises)
-- or executable by an API role (division by zero): the api wrappers call them as the owner.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['contracts.terminate_contract(bigint, text)'::regprocedure,
                    'contracts.complete_contract(bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
