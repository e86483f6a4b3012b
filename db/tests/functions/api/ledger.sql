-- Tests for functions/api/ledger: parties read only their own wallets; ledger operations are back office only.
BEGIN;
SELECT plan(9);

SELECT function_privs_are('api', 'transfer', ARRAY['core.name_text', 'bigint', 'bigint', 'numeric', 'core.long_text', 'core.json_doc'], 'mercato_user',
                          ARRAY[]::text[], 'users cannot move money directly');
SELECT function_privs_are('api', 'transfer', ARRAY['core.name_text', 'bigint', 'bigint', 'numeric', 'core.long_text', 'core.json_doc'], 'mercato_service',
                          ARRAY['EXECUTE'], 'the back office can');
SELECT function_privs_are('api', 'my_accounts', ARRAY[]::text[], 'mercato_anon', ARRAY[]::text[], 'anonymous callers have no wallet');

CREATE TEMP TABLE f AS SELECT identity.register_user('kc|api-b1', 'BUSINESS', 'B1') AS u1,
                              identity.register_user('kc|api-b2', 'BUSINESS', 'B2') AS u2;
INSERT INTO parties.business (user_id, name, business_type) SELECT u1, 'B1 plc', 'LOGISTICS' FROM f;
INSERT INTO parties.business (user_id, name, business_type) SELECT u2, 'B2 plc', 'LOGISTICS' FROM f;
CREATE TEMP TABLE acc AS SELECT
    ledger.open_account('BUSINESS', (SELECT id::text FROM parties.business WHERE name = 'B1 plc'), 'MAIN', 'ETB') AS a1,
    ledger.open_account('BUSINESS', (SELECT id::text FROM parties.business WHERE name = 'B2 plc'), 'MAIN', 'ETB') AS a2,
    ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true) AS bank;
SELECT ledger.transfer('api-fund-1', bank, a1, 250) FROM acc;
GRANT SELECT ON acc TO mercato_user, mercato_service;

SET LOCAL ROLE mercato_user;
SELECT set_config('request.jwt.claims', '{"sub": "kc|api-b1", "role": "mercato_user"}', true);
SELECT results_eq($$SELECT account_id, balance FROM api.my_accounts()$$,
                  $$SELECT a1, 250::numeric FROM acc$$, 'B1 sees its own wallet and nothing else');
SELECT is((SELECT count(*) FROM api.my_statement((SELECT a1 FROM acc))), 1::bigint, 'and its statement');
SELECT throws_like($$SELECT * FROM api.my_statement((SELECT a2 FROM acc))$$, 'LEDGER_UNKNOWN_ACCOUNT:%',
                   'another business''s statement is answered as unknown');
SELECT throws_ok($$SELECT * FROM api.my_statement(999999999)$$, 'PT404', NULL, 'exactly like a missing account');
SELECT throws_ok($$SELECT api.transfer('api-steal', (SELECT a2 FROM acc), (SELECT a1 FROM acc), 1)$$, '42501', NULL,
                 'a user cannot call the back-office transfer');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT ok(api.transfer('api-svc', (SELECT a1 FROM acc), (SELECT a2 FROM acc), 10) > 0, 'the service role can');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
