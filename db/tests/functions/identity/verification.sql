-- Tests for functions/identity/verification: a verification token goes through the outbox, stored only hashed, used
-- once, superseded by a newer request, expiring, rate limited; a password reset answers the same for any login, sends
-- only to an ACTIVE user's e-mail or phone, and a reset ends every session, marks the login verified, and is audited
-- without values. One transaction: now() does not move, so the cooldown is set to 0 where a test asks twice.
BEGIN;
SELECT plan(42);

UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST';
SELECT identity.set_jwt_secret('0123456789abcdef0123456789abcdef-test');
SELECT identity.create_tenant('ver', 'Shop', '{"self_sign_up": true}');
SELECT tests.put('u', identity.sign_up('ver', 'abebe@example.com', 'correct horse battery', 'Abebe'));
SELECT tests.put('o', identity.sign_up('ver', 'Other@Example.com', 'correct horse battery', 'Other'));
SELECT tests.put('phone', identity.add_login_identifier(tests.id('u'), '+251911000555'));
SELECT identity.add_login_identifier(tests.id('u'), 'abebe_k');
CREATE TEMP TABLE tok (k text PRIMARY KEY, v text);
CREATE TEMP TABLE sent (k text PRIMARY KEY, expires_at timestamptz, message_id bigint);
CREATE FUNCTION pg_temp.secret_of(p_message_id bigint) RETURNS text LANGUAGE sql
RETURN (SELECT s.secret ->> 'token' FROM outbox.message_secret s WHERE s.message_id = p_message_id);
CREATE FUNCTION pg_temp.act_as(p_user_id bigint) RETURNS text LANGUAGE sql
RETURN set_config('request.jwt.claims', json_build_object('sub', (SELECT auth_subject FROM identity.user_account
                                                                   WHERE id = p_user_id), 'role', 'mercato_user')::text, true);

-- verification ---------------------------------------------------------------------------------------------------------
SELECT pg_temp.act_as(tests.id('u'));
INSERT INTO sent SELECT 'v1', o_expires_at, o_message_id FROM identity.request_verification(' Abebe@Example.COM ');
INSERT INTO tok SELECT 'v1', pg_temp.secret_of(message_id) FROM sent WHERE k = 'v1';
SELECT is((SELECT expires_at FROM sent WHERE k = 'v1'), now() + interval '1440 minutes', 'valid AUTH_VERIFY_TOKEN_MINUTES');
SELECT ok((SELECT v ~ '^[A-Za-z0-9_-]{43}$' FROM tok WHERE k = 'v1'), 'the token: 32 random bytes in base64url');
SELECT results_eq($$SELECT m.channel, m.recipient, m.template, m.dedupe_key, m.state, m.params ? 'token', m.tenant_id
                      FROM outbox.message m WHERE m.id = (SELECT message_id FROM sent WHERE k = 'v1')$$,
                  $$SELECT 'EMAIL', 'abebe@example.com', 'identity.verify_login',
                           'identity.verify_login:' || (SELECT max(id) FROM identity.token), 'PENDING', false,
                           (SELECT id FROM identity.tenant WHERE code = 'ver')$$,
                  'an e-mail to the login, template identity.verify_login, dedupe key per token, no token in the params');
SELECT results_eq($$SELECT purpose, user_id, login_identifier_id, token_hash, used_at FROM identity.token
                     WHERE id = (SELECT max(id) FROM identity.token)$$,
                  $$SELECT 'VERIFY_LOGIN', tests.id('u'),
                           (SELECT id FROM identity.login_identifier WHERE value = 'abebe@example.com'),
                           public.digest((SELECT v FROM tok WHERE k = 'v1'), 'sha256'), NULL::timestamptz$$,
                  'stored only as its SHA-256, bound to the login, unused');
SELECT throws_like($$SELECT identity.request_verification('abebe@example.com')$$, 'IDENTITY_TOKEN_COOLDOWN:%',
                   'asking again within AUTH_TOKEN_COOLDOWN_SECONDS is refused');
UPDATE masterdata.setting SET value = '0' WHERE key = 'AUTH_TOKEN_COOLDOWN_SECONDS';
INSERT INTO sent SELECT 'v2', o_expires_at, o_message_id FROM identity.request_verification('abebe@example.com');
INSERT INTO tok SELECT 'v2', pg_temp.secret_of(message_id) FROM sent WHERE k = 'v2';
SELECT isnt((SELECT v FROM tok WHERE k = 'v2'), (SELECT v FROM tok WHERE k = 'v1'), 'a new request, a new token');
SELECT is((SELECT expires_at FROM identity.token WHERE token_hash = public.digest((SELECT v FROM tok WHERE k = 'v1'), 'sha256')),
          now(), 'the earlier unused token is superseded (it expires now)');
SELECT set_config('request.jwt.claims', '', true);   -- the link in the e-mail: anyone holding it
SELECT throws_like($$SELECT identity.verify_login((SELECT v FROM tok WHERE k = 'v1'))$$, 'IDENTITY_TOKEN_INVALID:%',
                   'a superseded token is refused');
SELECT throws_like($$SELECT identity.verify_login('not-a-token')$$, 'IDENTITY_TOKEN_INVALID:%', 'an unknown token is refused');
SELECT is((SELECT verified_at FROM identity.login_identifier WHERE value = 'abebe@example.com'), NULL,
          'refusals change nothing');
SELECT is(identity.verify_login((SELECT v FROM tok WHERE k = 'v2')), 'abebe@example.com', 'the newest token verifies the login');
SELECT is((SELECT verified_at FROM identity.login_identifier WHERE value = 'abebe@example.com'), now(), 'verified_at is set');
SELECT is((SELECT used_at FROM identity.token WHERE token_hash = public.digest((SELECT v FROM tok WHERE k = 'v2'), 'sha256')),
          now(), 'the token is used up');
SELECT throws_like($$SELECT identity.verify_login((SELECT v FROM tok WHERE k = 'v2'))$$, 'IDENTITY_TOKEN_INVALID:%',
                   'a used token is refused');
SELECT throws_like($$SELECT identity.request_verification('abebe@example.com')$$, 'IDENTITY_NOT_AUTHENTICATED:%',
                   'asking needs a signed-in user');

SELECT pg_temp.act_as(tests.id('u'));
SELECT throws_like($$SELECT identity.request_verification('abebe@example.com')$$, 'IDENTITY_LOGIN_VERIFIED:%',
                   'a verified login is not verified again');
SELECT throws_like($$SELECT identity.request_verification('abebe_k')$$, 'IDENTITY_LOGIN_NOT_DELIVERABLE:%',
                   'a username receives no message');
SELECT throws_like($$SELECT identity.request_verification('other@example.com')$$, 'IDENTITY_UNKNOWN_LOGIN:%',
                   'another user''s login is as if absent');
INSERT INTO sent SELECT 'p1', o_expires_at, o_message_id FROM identity.request_verification('+251911000555');
SELECT results_eq($$SELECT channel, recipient FROM outbox.message WHERE id = (SELECT message_id FROM sent WHERE k = 'p1')$$,
                  $$VALUES ('SMS', '+251911000555')$$, 'a phone login gets an SMS');
UPDATE identity.token SET expires_at = now() - interval '1 second', created_at = now() - interval '1 day 1 minute'
 WHERE token_hash = public.digest(pg_temp.secret_of((SELECT message_id FROM sent WHERE k = 'p1')), 'sha256');
SELECT set_config('request.jwt.claims', '', true);
SELECT throws_like(format('SELECT identity.verify_login(%L)', pg_temp.secret_of((SELECT message_id FROM sent WHERE k = 'p1'))),
                   'IDENTITY_TOKEN_INVALID:%', 'an expired token is refused');
SELECT pg_temp.act_as(tests.id('u'));
UPDATE masterdata.setting SET value = '2' WHERE key = 'AUTH_TOKENS_PER_DAY';
SELECT lives_ok($$SELECT identity.request_verification('+251911000555')$$, 'a new token for the phone');
SELECT lives_ok($$SELECT identity.request_verification('+251911000555')$$, 'and another (the expired one is a day old)');
SELECT throws_like($$SELECT identity.request_verification('+251911000555')$$, 'IDENTITY_TOKEN_COOLDOWN:%',
                   'AUTH_TOKENS_PER_DAY in 24 hours: refused');
UPDATE masterdata.setting SET value = '10' WHERE key = 'AUTH_TOKENS_PER_DAY';
SELECT is((SELECT count(*)::int FROM audit.event WHERE action = 'VERIFICATION_REQUESTED' AND new_values IS NULL), 5,
          'each request is audited, without values');

-- password reset -------------------------------------------------------------------------------------------------------
SELECT set_config('request.jwt.claims', '', true);
CREATE TEMP TABLE counts AS SELECT (SELECT count(*) FROM outbox.message) AS messages, (SELECT count(*) FROM identity.token) AS tokens;
SELECT is(identity.request_password_reset('nobody@example.com', 'ver')::text, '', 'an unknown login: the same empty answer');
SELECT is(identity.request_password_reset('other@example.com')::text, '', 'a login of another tenant: the same');
SELECT is(identity.request_password_reset('other@example.com', 'no-such-tenant')::text, '', 'an unknown tenant: the same');
SELECT is(identity.request_password_reset('abebe_k', 'ver')::text, '', 'a username: the same');
SELECT results_eq($$SELECT count(*) FROM outbox.message UNION ALL SELECT count(*) FROM identity.token$$,
                  $$SELECT messages FROM counts UNION ALL SELECT tokens FROM counts$$, 'none of them sent or stored anything');
SELECT is(identity.request_password_reset(' OTHER@example.com ', 'ver')::text, '', 'a known login: the same answer');
SELECT tests.put('r1', (SELECT max(id) FROM outbox.message));
INSERT INTO tok SELECT 'r1', pg_temp.secret_of(tests.id('r1'));
SELECT results_eq($$SELECT m.channel, m.recipient, m.template, t.purpose, t.expires_at - t.created_at
                      FROM outbox.message m JOIN identity.token t ON m.dedupe_key = 'identity.reset_password:' || t.id
                     WHERE m.id = tests.id('r1')$$,
                  $$VALUES ('EMAIL', 'other@example.com', 'identity.reset_password', 'RESET_PASSWORD', interval '30 minutes')$$,
                  'but a RESET_PASSWORD token went to it through the outbox, valid AUTH_RESET_TOKEN_MINUTES');
UPDATE masterdata.setting SET value = '60' WHERE key = 'AUTH_TOKEN_COOLDOWN_SECONDS';
SELECT identity.request_password_reset('other@example.com', 'ver');
SELECT is((SELECT max(id) FROM outbox.message), tests.id('r1'), 'within the cooldown: the same answer, nothing sent');

SELECT tests.put('s', (identity.sign_in('other@example.com', 'correct horse battery', 'ver')).session_id);
SELECT throws_like($$SELECT identity.reset_password((SELECT v FROM tok WHERE k = 'r1'), 'password1')$$,
                   'IDENTITY_PASSWORD_WEAK:%', 'the new password follows the rules');
SELECT is((SELECT used_at FROM identity.token WHERE token_hash = public.digest((SELECT v FROM tok WHERE k = 'r1'), 'sha256')),
          NULL, 'and the token stays usable');
SELECT lives_ok($$SELECT identity.reset_password((SELECT v FROM tok WHERE k = 'r1'), 'a brand new passphrase')$$,
                'the password is reset with the token');
SELECT results_eq($$SELECT public.crypt('a brand new passphrase', p.password_hash) = p.password_hash, s.status,
                           u.tokens_valid_after = now(), li.verified_at = now()
                      FROM identity.password p JOIN identity.user_account u ON u.id = p.user_id
                      JOIN identity.session s ON s.user_id = u.id JOIN identity.login_identifier li ON li.user_id = u.id
                     WHERE u.id = tests.id('o')$$,
                  $$VALUES (true, 'REVOKED', true, true)$$,
                  'the new bcrypt hash, every session revoked, tokens_valid_after now, the login verified');
SELECT throws_like($$SELECT identity.reset_password((SELECT v FROM tok WHERE k = 'r1'), 'yet another passphrase')$$,
                   'IDENTITY_TOKEN_INVALID:%', 'a reset token used twice is refused');
SELECT ok((SELECT public.crypt('a brand new passphrase', password_hash) = password_hash FROM identity.password
            WHERE user_id = tests.id('o')), 'and nothing changed');
SELECT is((SELECT count(*)::int FROM audit.event WHERE entity_type = 'identity.password' AND entity_id = tests.id('o')::text
              AND action = 'PASSWORD_RESET' AND old_values IS NULL AND new_values IS NULL), 1, 'audited without values');

-- a user who is not ACTIVE: nothing is sent, and a token sent before is refused
UPDATE masterdata.setting SET value = '0' WHERE key = 'AUTH_TOKEN_COOLDOWN_SECONDS';
SELECT identity.request_password_reset('abebe@example.com', 'ver');
INSERT INTO tok SELECT 'r2', pg_temp.secret_of((SELECT max(id) FROM outbox.message));
UPDATE identity.user_account SET status = 'SUSPENDED' WHERE id = tests.id('u');
SELECT tests.put('n', (SELECT count(*) FROM outbox.message));
SELECT identity.request_password_reset('abebe@example.com', 'ver');
SELECT is((SELECT count(*) FROM outbox.message), tests.id('n'), 'a suspended user gets no reset token');
SELECT throws_like($$SELECT identity.reset_password((SELECT v FROM tok WHERE k = 'r2'), 'a brand new passphrase')$$,
                   'IDENTITY_TOKEN_INVALID:%', 'nor can it use one sent before');

-- a password changed after the token was sent (change_password, another reset) makes the token useless
UPDATE identity.user_account SET status = 'ACTIVE' WHERE id = tests.id('u');
SELECT identity.request_password_reset('abebe@example.com', 'ver');
INSERT INTO tok SELECT 'r3', pg_temp.secret_of((SELECT max(id) FROM outbox.message));
UPDATE identity.password SET changed_at = now() + interval '1 second' WHERE user_id = tests.id('u');
SELECT throws_like($$SELECT identity.reset_password((SELECT v FROM tok WHERE k = 'r3'), 'a brand new passphrase')$$,
                   'IDENTITY_TOKEN_INVALID:%', 'a reset token sent before the password last changed is refused');

SELECT * FROM finish();
ROLLBACK;
