-- Tests for functions/api/settlement: the wrappers, their grants and their callers.
BEGIN;
SELECT plan(6);

SELECT has_function('api', 'settle_provider', ARRAY['bigint', 'core.finite_date', 'core.finite_date', 'core.name_text', 'core.name_text']);
SELECT ok(NOT has_function_privilege('mercato_user', 'api.settlement_check()', 'EXECUTE'), 'the integrity check is back office only');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.settlement_cycles(bigint, integer)', 'EXECUTE'), 'anonymous callers settle nothing');
SELECT alike(obj_description('api.run_settlement(core.finite_date, core.finite_date)'::regprocedure), '%Back office or marketplace admin.%',
            'the wrapper''s comment says who may call it');
SELECT tests.verified_provider('kc|as-p', NULL, 'AS');
SELECT tests.as_user('kc|as-p');
SELECT throws_like($$SELECT api.run_settlement(current_date - 30, current_date - 1)$$, 'SETTLEMENT_FORBIDDEN:%',
                   'a provider cannot run settlement');
SELECT is((SELECT count(*)::int FROM api.settlement_cycles()), 0, 'but lists its own (none yet)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
