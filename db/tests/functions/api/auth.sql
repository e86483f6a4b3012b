-- Tests for functions/api/auth: who may call each wrapper, and the flow as PostgREST runs it (anonymous sign-up and
-- sign-in, the user's own sessions, another user's session as if absent).
BEGIN;
SELECT plan(13);

UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST';
SELECT identity.set_jwt_secret('0123456789abcdef0123456789abcdef-test');
SELECT identity.create_tenant('api-auth', 'Shop', '{"self_sign_up": true}');

SELECT ok(has_function_privilege('mercato_anon', 'api.sign_in(core.name_text, core.name_text, core.name_text)', 'EXECUTE'),
          'anonymous callers sign in');
SELECT ok(NOT has_function_privilege('mercato_anon', 'api.my_sessions()', 'EXECUTE'), 'but have no sessions to list');
SELECT is_definer('api', 'sign_in', ARRAY['core.name_text', 'core.name_text', 'core.name_text'], 'api.sign_in is SECURITY DEFINER');

SELECT tests.as_anon();
SELECT ok(api.sign_up('api-auth', '+251911222333', 'correct horse battery', 'Almaz') > 0, 'sign up with a phone');
SELECT ok(api.sign_up('api-auth', 'dawit', 'another fine passphrase', 'Dawit') > 0, 'and with a username');
CREATE TEMP TABLE r AS SELECT * FROM api.sign_in('+251911222333', 'correct horse battery', 'api-auth');
SELECT ok((SELECT error IS NULL AND token_type = 'bearer' FROM r), 'sign in with the phone');
SELECT throws_like($$SELECT api.sign_out()$$, '%permission denied%', 'an anonymous caller cannot sign out');
RESET ROLE;
GRANT SELECT ON r TO mercato_user;
CREATE TEMP TABLE other AS SELECT (identity.sign_in('dawit', 'another fine passphrase', 'api-auth')).session_id;
GRANT SELECT ON other TO mercato_user;

SELECT set_config('request.jwt.claims', json_build_object('sub', (SELECT auth_subject FROM identity.user_account WHERE display_name = 'Almaz'),
                  'role', 'mercato_user', 'sid', (SELECT session_id FROM r))::text, true);
SET LOCAL ROLE mercato_user;
SELECT is((SELECT count(*)::int FROM api.my_sessions()), 1, 'a user lists its own sessions only');
SELECT throws_like($$SELECT api.revoke_session((SELECT session_id FROM other))$$, 'IDENTITY_UNKNOWN_SESSION:%',
                   'another user''s session is as if absent');
SELECT lives_ok($$SELECT api.revoke_session((SELECT session_id FROM r))$$, 'a user revokes its own session');
SELECT is(api.revoke_all_sessions(), 0, 'revoke_all_sessions: nothing left active');
RESET ROLE;
SELECT is((SELECT status FROM identity.session WHERE id = (SELECT session_id FROM other)), 'ACTIVE', 'the other user''s session lives on');
SELECT ok((SELECT tokens_valid_after = now() FROM identity.user_account WHERE display_name = 'Almaz'),
          'revoke_all_sessions moves tokens_valid_after');

SELECT * FROM finish();
ROLLBACK;
