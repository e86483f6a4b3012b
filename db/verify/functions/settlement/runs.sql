-- Verify mercato:functions/settlement/runs on pg
-- Existence and privileges only. Fails when any function of the change is missing (its regprocedure cast raises)
-- or executable by an API role (division by zero): the api wrappers call them as the owner;
-- the procedure, which COMMITs and cannot be SECURITY DEFINER, is for the owner's sessions only.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['settlement.run_reference(date, date, bigint, text)'::regprocedure,
                    'settlement.period_settled(bigint, text, date, date)'::regprocedure,
                    'settlement.period_to_settle(date, date)'::regprocedure,
                    'settlement.run_period(date, date)'::regprocedure,
                    'settlement.settle_period_step(date, date, bigint, text)'::regprocedure,
                    'settlement.run_period_in_steps(date, date, integer, integer)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
