-- Tests for functions/identity/oauth: link (back office only, one user per provider account), sign in through a
-- linked account as a password sign-in ends (a session and tokens), refusals, unlink, the user's own list.
BEGIN;
SELECT plan(18);

UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST';
SELECT identity.set_jwt_secret('0123456789abcdef0123456789abcdef-test');
CREATE TEMP TABLE w AS SELECT identity.create_tenant('fo-a', 'A') AS a;
ALTER TABLE w ADD COLUMN u1 bigint, ADD COLUMN u2 bigint;
UPDATE w SET u1 = identity.register_user('fo-u1', 'CUSTOMER', 'U1', a), u2 = identity.register_user('fo-u2', 'CUSTOMER', 'U2', a);
GRANT SELECT ON w TO mercato_user, mercato_service;
-- internal functions unit-tested as API roles: granted in this rolled-back transaction only
GRANT EXECUTE ON FUNCTION identity.link_oauth_account(bigint, text, text, text), identity.sign_in_oauth(text, text, text),
    identity.unlink_oauth_account(bigint), identity.my_oauth_accounts() TO mercato_user, mercato_service;

SELECT tests.as_user('fo-u1');
SELECT throws_like($$SELECT identity.link_oauth_account((SELECT u1 FROM w), 'google', 'g-1')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a user cannot link an account itself (the app server verifies the provider''s token)');
SELECT throws_like($$SELECT identity.sign_in_oauth('fo-a', 'google', 'g-1')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'nor sign in through one');
RESET ROLE;

SELECT tests.as_service();
SELECT ok(identity.link_oauth_account((SELECT u1 FROM w), 'google', 'g-1', 'U1@Example.com') > 0, 'the app server links');
SELECT is(identity.link_oauth_account((SELECT u1 FROM w), 'google', 'g-1'),
          identity.link_oauth_account((SELECT u1 FROM w), 'google', 'g-1'), 'linking again is idempotent');
SELECT throws_like($$SELECT identity.link_oauth_account((SELECT u2 FROM w), 'google', 'g-1')$$, 'IDENTITY_OAUTH_ACCOUNT_TAKEN:%',
                   'one provider account, one user');
SELECT throws_like($$SELECT identity.link_oauth_account(-1, 'google', 'g-9')$$, 'IDENTITY_UNKNOWN_USER:%', 'an unknown user');
SELECT throws_like($$SELECT identity.link_oauth_account((SELECT u2 FROM w), 'G oogle', 'g-9')$$, 'IDENTITY_INVALID_INPUT:%',
                   'a malformed provider');
SELECT set_config('request.headers', '{"user-agent": "ShopApp/2.0", "x-forwarded-for": "196.188.9.9"}', true);
CREATE TEMP TABLE r AS SELECT * FROM identity.sign_in_oauth('fo-a', 'google', 'g-1');
SELECT ok((SELECT access_token IS NOT NULL AND refresh_token IS NOT NULL AND error IS NULL FROM r), 'signed in: a token pair');
RESET ROLE;
SELECT is((SELECT (user_id, status, user_agent, ip_address)::text FROM identity.session WHERE id = (SELECT session_id FROM r)),
          (SELECT (u1, 'ACTIVE', 'ShopApp/2.0', '196.188.9.9')::text FROM w), 'a session of the linked user, with its device');
SELECT ok((SELECT count(*) = 1 FROM identity.token WHERE session_id = (SELECT session_id FROM r) AND purpose = 'REFRESH'),
          'and its refresh token, hashed');
SELECT ok((SELECT last_used_at = now() FROM identity.oauth_account WHERE provider_account_id = 'g-1'), 'the last use is recorded');
SELECT tests.as_service();
SELECT throws_like($$SELECT identity.sign_in_oauth('fo-a', 'google', 'g-2')$$, 'IDENTITY_OAUTH_UNKNOWN_ACCOUNT:%',
                   'an account nobody linked');
SELECT throws_like($$SELECT identity.sign_in_oauth('nowhere', 'google', 'g-1')$$, 'IDENTITY_OAUTH_UNKNOWN_ACCOUNT:%',
                   'an unknown tenant');
SELECT throws_like($$SELECT identity.sign_in_oauth(NULL, 'google', 'g-1')$$, 'IDENTITY_OAUTH_UNKNOWN_ACCOUNT:%',
                   'a tenant''s account does not sign in a platform user');
RESET ROLE;
SELECT identity.set_user_status(u1, 'SUSPENDED') FROM w;
SELECT tests.as_service();
SELECT throws_like($$SELECT identity.sign_in_oauth('fo-a', 'google', 'g-1')$$, 'IDENTITY_SIGN_IN_FAILED:%',
                   'a user not ACTIVE is refused as a password sign-in refuses it');
RESET ROLE;
SELECT identity.set_user_status(u1, 'ACTIVE') FROM w;

SELECT tests.as_user('fo-u1');
SELECT is((SELECT provider || ':' || provider_account_id || ':' || email FROM identity.my_oauth_accounts()),
          'google:g-1:u1@example.com', 'the user lists its linked accounts');
SELECT tests.as_user('fo-u2');
SELECT throws_like($$SELECT identity.unlink_oauth_account((SELECT id FROM identity.oauth_account LIMIT 1))$$,
                   '%permission denied%', 'another user cannot even look');
RESET ROLE;
CREATE TEMP TABLE l AS SELECT id FROM identity.oauth_account WHERE provider_account_id = 'g-1';
GRANT SELECT ON l TO mercato_user;
SELECT tests.as_user('fo-u1');
SELECT lives_ok($$SELECT identity.unlink_oauth_account((SELECT id FROM l))$$, 'the user unlinks its own account');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
