-- Tests for functions/api/oauth: who may call each wrapper, the flow as the app server and the user run it.
BEGIN;
SELECT plan(9);

SELECT ok(has_function_privilege('mercato_service', 'api.sign_in_oauth(core.name_text, core.name_text, core.name_text)', 'EXECUTE'),
          'the app server signs users in through OAuth');
SELECT ok(NOT has_function_privilege('mercato_user', 'api.sign_in_oauth(core.name_text, core.name_text, core.name_text)', 'EXECUTE')
          AND NOT has_function_privilege('mercato_anon', 'api.sign_in_oauth(core.name_text, core.name_text, core.name_text)', 'EXECUTE'),
          'nobody else');
SELECT ok(NOT has_function_privilege('mercato_user', 'api.link_oauth_account(bigint, core.name_text, core.name_text, core.name_text)', 'EXECUTE'),
          'users do not link accounts themselves');

UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST';
SELECT identity.set_jwt_secret('0123456789abcdef0123456789abcdef-test');
CREATE TEMP TABLE w AS SELECT identity.create_tenant('ao-a', 'A') AS a;
ALTER TABLE w ADD COLUMN u bigint;
UPDATE w SET u = identity.register_user('ao-u', 'CUSTOMER', 'U', a);
GRANT SELECT ON w TO mercato_user, mercato_service;

SELECT tests.as_service();
CREATE TEMP TABLE l AS SELECT api.link_oauth_account((SELECT u FROM w), 'apple', 'apple-001', 'u@example.com') AS id;
SELECT ok((SELECT id FROM l) > 0, 'linked by the app server');
SELECT ok((SELECT error IS NULL AND token_type = 'bearer' FROM api.sign_in_oauth('ao-a', 'apple', 'apple-001')), 'signed in');
RESET ROLE;
GRANT SELECT ON l TO mercato_user;
SELECT tests.as_user('ao-u');
SELECT is((SELECT count(*)::int FROM api.my_oauth_accounts()), 1, 'the user lists its account');
SELECT lives_ok($$SELECT api.unlink_oauth_account((SELECT id FROM l))$$, 'and unlinks it');
SELECT is((SELECT count(*)::int FROM api.my_oauth_accounts()), 0, 'gone from the list');
RESET ROLE;
SELECT tests.as_service();
SELECT throws_like($$SELECT api.sign_in_oauth('ao-a', 'apple', 'apple-001')$$, 'IDENTITY_OAUTH_UNKNOWN_ACCOUNT:%',
                   'an unlinked account signs nobody in');

SELECT * FROM finish();
ROLLBACK;
