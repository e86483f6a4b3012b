-- Verify mercato:functions/api/settlement on pg
-- Existence and privileges only. Fails when any wrapper is missing (its regprocedure cast raises), when a caller it
-- is granted to lacks EXECUTE, or when a role it is not for holds it (division by zero).

BEGIN;

-- for every authenticated caller (the wrapped function checks who they are)
SELECT 1 / (has_function_privilege(r, f, 'EXECUTE') AND NOT has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.settle_provider(bigint, core.finite_date, core.finite_date, core.name_text, core.name_text)'::regprocedure,
                    'api.run_settlement(core.finite_date, core.finite_date)'::regprocedure,
                    'api.period_to_settle(core.finite_date, core.finite_date)'::regprocedure,
                    'api.settle_period_step(core.finite_date, core.finite_date, bigint, core.name_text)'::regprocedure,
                    'api.settlement_cycles(bigint, integer)'::regprocedure,
                    'api.settlement_cycle(bigint)'::regprocedure]) f,
       unnest(ARRAY['mercato_user', 'mercato_service']) r;
-- back office only
SELECT 1 / (has_function_privilege('mercato_service', 'api.settlement_check()'::regprocedure, 'EXECUTE')
            AND NOT has_function_privilege('mercato_user', 'api.settlement_check()'::regprocedure, 'EXECUTE')
            AND NOT has_function_privilege('mercato_anon', 'api.settlement_check()'::regprocedure, 'EXECUTE'))::int;

ROLLBACK;
