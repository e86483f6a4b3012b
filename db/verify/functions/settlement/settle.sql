-- Verify mercato:functions/settlement/settle on pg
-- Existence and privileges only. Fails when any function of the change is missing (its regprocedure cast raises)
-- or executable by an API role (division by zero): the api wrappers call them as the owner.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['settlement.commission(numeric, numeric, numeric, numeric, numeric, integer)'::regprocedure,
                    'settlement.settle(bigint, text, date, date, text)'::regprocedure,
                    'settlement.settle_provider(bigint, date, date, text, text)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
