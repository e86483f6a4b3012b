-- Tests for functions/api/contracts: grants, and that the wrappers keep the contracts functions' caller checks.
BEGIN;
SELECT plan(6);

SELECT function_privs_are('api', 'activate_contract', ARRAY['bigint'], 'mercato_anon', ARRAY[]::text[],
                          'anonymous callers cannot activate contracts');
SELECT function_privs_are('api', 'activate_contract', ARRAY['bigint'], 'mercato_user', ARRAY['EXECUTE'],
                          'authenticated callers may try (the function checks who they are)');
SELECT function_privs_are('api', 'release_unearned', ARRAY['bigint'], 'mercato_user', ARRAY[]::text[],
                          'releasing escrow by hand is back office only');
SELECT volatility_is('api', 'contracts', ARRAY['core.name_text', 'integer'], 'stable', 'listing is a GET');

SELECT tests.verified_business('kc|api-ct-b', 0, 'B plc');
SELECT tests.as_user('kc|api-ct-b');
SELECT throws_like($$SELECT api.activate_contract(999999)$$, 'CONTRACTS_UNKNOWN_CONTRACT:%',
                   'the wrapped function answers (unknown contract)');
SELECT is((SELECT count(*) FROM api.contracts()), 0::bigint, 'a business without contracts lists none');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
