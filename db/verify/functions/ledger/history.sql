-- Verify mercato:functions/ledger/history on pg
-- Existence and privileges only. Fails when any function of the change is missing (its regprocedure cast
-- raises) or executable by an API role (division by zero): the api wrappers call them as the owner.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['ledger.seq_at(bigint, smallint, timestamptz, boolean)'::regprocedure,
                    'ledger.balance_at(bigint, timestamptz)'::regprocedure,
                    'ledger.statement(bigint, timestamptz, timestamptz, bigint, integer)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
