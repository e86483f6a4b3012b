-- Tests for functions/api/verification: who may call each wrapper, and the flow as PostgREST runs it (a signed-in user
-- asks to verify its login, the token read from the outbox as the sender would, verified anonymously; an anonymous
-- reset request answers the same for any login; the reset as anonymous).
BEGIN;
SELECT plan(12);

UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST';
SELECT identity.set_jwt_secret('0123456789abcdef0123456789abcdef-test');
SELECT identity.create_tenant('api-ver', 'Shop', '{"self_sign_up": true}');
SELECT tests.put('u', identity.sign_up('api-ver', 'sara@example.com', 'correct horse battery', 'Sara'));
CREATE TEMP TABLE r (login text, expires_at timestamptz, message_id bigint);
GRANT ALL ON r TO PUBLIC;

SELECT ok(has_function_privilege('mercato_anon', 'api.reset_password(core.name_text, core.name_text)', 'EXECUTE'),
          'anonymous callers reset a password with a token');
SELECT ok(has_function_privilege('mercato_anon', 'api.verify_login(core.name_text)', 'EXECUTE'),
          'and verify a login with one');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.request_verification(core.name_text)', 'EXECUTE'),
          'but only a signed-in user asks for a verification');
SELECT is_definer('api', 'request_password_reset', ARRAY['core.name_text', 'core.name_text'], 'SECURITY DEFINER');

SELECT tests.as_user((SELECT auth_subject FROM identity.user_account WHERE id = tests.id('u')));
INSERT INTO r SELECT * FROM api.request_verification('sara@example.com');
SELECT is((SELECT login FROM r), 'sara@example.com', 'a user asks to verify its e-mail: the login, expiry and message id');
SELECT throws_like($$SELECT * FROM outbox.message_secret$$, '%permission denied%', 'a user cannot read the token');
RESET ROLE;
CREATE TEMP TABLE inbox AS SELECT s.secret ->> 'token' AS token FROM outbox.message_secret s   -- what the e-mail carries
 WHERE s.message_id = (SELECT message_id FROM r);
GRANT SELECT ON inbox TO PUBLIC;
SELECT tests.as_anon();
SELECT is(api.verify_login((SELECT token FROM inbox)),
          'sara@example.com', 'the token the e-mail carries verifies the login, anonymously');
SELECT throws_like($$SELECT api.verify_login('x')$$, 'IDENTITY_TOKEN_INVALID:%', 'a wrong token is refused');
SELECT lives_ok($$SELECT api.request_password_reset('nobody@example.com', 'api-ver')$$, 'a reset for an unknown login');
SELECT lives_ok($$SELECT api.request_password_reset('sara@example.com', 'api-ver')$$, 'and for a known one: the same');
RESET ROLE;
INSERT INTO inbox SELECT s.secret ->> 'token' FROM outbox.message m JOIN outbox.message_secret s ON s.message_id = m.id
 WHERE m.template = 'identity.reset_password';
SELECT tests.as_anon();
SELECT lives_ok($$SELECT api.reset_password((SELECT token FROM inbox OFFSET 1), 'sara''s new passphrase')$$,
                'the token from the outbox resets the password, anonymously');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM identity.token WHERE user_id = tests.id('u') AND used_at IS NOT NULL), 2,
          'both tokens used up');

SELECT * FROM finish();
ROLLBACK;
