-- Verify mercato:functions/contracts/escrow on pg
-- Existence and privileges only. Fails when any function of the change is missing (its regprocedure cast raises)
-- or executable by an API role (division by zero): the api wrappers call them as the owner.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['contracts.line_bounds(bigint)'::regprocedure,
                    'contracts.hold_reference(bigint, numeric, numeric)'::regprocedure,
                    'contracts.activate_contract(bigint)'::regprocedure,
                    'contracts.release_unearned(bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
