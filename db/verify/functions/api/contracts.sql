-- Verify mercato:functions/api/contracts on pg
-- Existence and privileges only. Fails when any wrapper is missing (its regprocedure cast raises), when a caller it
-- is granted to lacks EXECUTE, or when a role it is not for holds it (division by zero).

BEGIN;

-- for every authenticated caller (the wrapped function checks who they are)
SELECT 1 / (has_function_privilege(r, f, 'EXECUTE') AND NOT has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.create_contract(bigint)'::regprocedure, 'api.cancel_contract(bigint, core.long_text)'::regprocedure,
                    'api.activate_contract(bigint)'::regprocedure, 'api.assign_vehicle(bigint, bigint)'::regprocedure,
                    'api.cancel_assignment(bigint, core.long_text)'::regprocedure,
                    'api.terminate_contract(bigint, core.long_text)'::regprocedure,
                    'api.complete_contract(bigint)'::regprocedure, 'api.contract(bigint)'::regprocedure,
                    'api.contracts(core.name_text, integer)'::regprocedure]) f,
       unnest(ARRAY['mercato_user', 'mercato_service']) r;
-- back office only
SELECT 1 / (has_function_privilege('mercato_service', f, 'EXECUTE') AND NOT has_function_privilege('mercato_user', f, 'EXECUTE')
            AND NOT has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.release_unearned(bigint)'::regprocedure, 'api.contracts_check()'::regprocedure]) f;

ROLLBACK;
