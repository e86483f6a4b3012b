-- Tests for functions/identity/sessions: the JWT (HS256, base64url, claims), sign-in with committed refusals and the
-- brute-force lock, refresh rotation and reuse detection, sign-out, sessions with device and IP, revocation.
BEGIN;
SELECT plan(32);

UPDATE masterdata.setting SET value = '4' WHERE key = 'AUTH_BCRYPT_COST';
SELECT throws_like($$SELECT identity.set_jwt_secret('too short')$$, 'IDENTITY_JWT_SECRET_WEAK:%', 'a secret has at least 32 bytes');
DELETE FROM identity.jwt_secret;
SELECT throws_like($$SELECT identity.sign_jwt('{}')$$, 'IDENTITY_JWT_SECRET_MISSING:%', 'no secret, no token');
SELECT identity.set_jwt_secret('0123456789abcdef0123456789abcdef-test');
SELECT is(identity.base64url('\xfbff'::bytea), '-_8', 'base64url: - and _, no padding');
-- RFC 7515 A.1's HS256 example would need its JSON byte for byte; here: a known HMAC recomputed by hand
SELECT is(identity.sign_jwt('{"sub": "x"}'),
          'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiAieCJ9.' ||
          identity.base64url(hmac('eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiAieCJ9'::bytea,
                                  '0123456789abcdef0123456789abcdef-test'::bytea, 'sha256')),
          'header.payload.HMAC-SHA256 signature');

CREATE TEMP TABLE t AS SELECT identity.create_tenant('sess-shop', 'Shop', '{"self_sign_up": true}') AS tenant_id;
SELECT identity.sign_up('sess-shop', 'kebede', 'correct horse battery', 'Kebede');
SELECT set_config('request.headers', '{"user-agent": "MercatoApp/1.0", "x-forwarded-for": "196.188.1.2, 10.0.0.1"}', true);
CREATE TEMP TABLE r AS SELECT * FROM identity.sign_in('Kebede', 'correct horse battery', 'sess-shop');
SELECT ok((SELECT access_token IS NOT NULL AND refresh_token IS NOT NULL AND error IS NULL FROM r), 'signed in: a token pair');
SELECT is((SELECT expires_at FROM r), to_timestamp(floor(extract(epoch FROM now())) + 900), 'the access token lives 15 minutes');
CREATE TEMP TABLE c AS SELECT convert_from(decode(rpad(translate(split_part(access_token, '.', 2), '-_', '+/'),
                                  ((length(split_part(access_token, '.', 2)) + 3) / 4) * 4, '='), 'base64'), 'UTF8')::jsonb AS claims
                         FROM r;
SELECT is((SELECT claims - 'iat' - 'exp' - 'jti' FROM c),
          jsonb_build_object('sub', (SELECT auth_subject FROM identity.user_account WHERE display_name = 'Kebede'),
                             'role', 'mercato_user', 'tenant', (SELECT tenant_id FROM t), 'sid', (SELECT session_id FROM r)),
          'claims: sub, role, tenant, sid');
SELECT ok((SELECT (claims ->> 'exp')::bigint - (claims ->> 'iat')::bigint = 900 AND claims ? 'jti' FROM c), 'and iat, exp, jti');
SELECT results_eq($$SELECT user_agent, ip_address, status FROM identity.session WHERE id = (SELECT session_id FROM r)$$,
                  $$VALUES ('MercatoApp/1.0', '196.188.1.2', 'ACTIVE')$$, 'the session keeps the device and the client IP');
SELECT isnt((SELECT last_sign_in_at FROM identity.password p JOIN identity.user_account u ON u.id = p.user_id
              WHERE u.display_name = 'Kebede'), NULL, 'the last sign-in is recorded');
SELECT is((SELECT count(*)::int FROM identity.token WHERE token_hash = digest((SELECT refresh_token FROM r), 'sha256')), 1,
          'the refresh token is stored as its hash');

-- refusals are answered, with the HTTP status in response.status
SELECT is((SELECT error FROM identity.sign_in('kebede', 'wrong password', 'sess-shop')), 'IDENTITY_SIGN_IN_FAILED', 'a wrong password');
SELECT is(current_setting('response.status'), '401', 'HTTP 401');
SELECT results_eq($$SELECT error, message FROM identity.sign_in('nobody', 'wrong password', 'sess-shop')$$,
                  $$SELECT error, message FROM identity.sign_in('kebede', 'wrong password', 'sess-shop')$$,
                  'an unknown login gets the same code and message');
SELECT is((SELECT error FROM identity.sign_in('kebede', 'correct horse battery', 'no-such-tenant')), 'IDENTITY_SIGN_IN_FAILED',
          'an unknown tenant too');
SELECT is((SELECT failures FROM identity.sign_in_throttle WHERE login = 'kebede'), 2, 'failures are counted per login');
-- lock after 5 failures, for the known and the unknown login alike
SELECT identity.sign_in(l, 'wrong password', 'sess-shop') FROM (VALUES ('kebede'), ('kebede'), ('kebede'), ('nobody'), ('nobody'), ('nobody'), ('nobody')) v(l);
SELECT results_eq($$SELECT login, failures, locked_until = now() + interval '60 seconds' FROM identity.sign_in_throttle
                     WHERE login IN ('kebede', 'nobody') ORDER BY login$$,
                  $$VALUES ('kebede', 5, true), ('nobody', 5, true)$$, 'five failures lock the login for a minute');
SELECT results_eq($$SELECT error, retry_after FROM identity.sign_in('kebede', 'correct horse battery', 'sess-shop')$$,
                  $$VALUES ('IDENTITY_SIGN_IN_LOCKED', 60)$$, 'locked: even the right password is refused');
SELECT is(current_setting('response.status'), '429', 'HTTP 429');
UPDATE identity.sign_in_throttle SET locked_until = now() - interval '1 second' WHERE login = 'kebede';
SELECT is((SELECT error FROM identity.sign_in('kebede', 'wrong again', 'sess-shop')), 'IDENTITY_SIGN_IN_FAILED', 'the lock expires');
SELECT ok((SELECT locked_until = now() + interval '120 seconds' FROM identity.sign_in_throttle WHERE login = 'kebede'),
          'the next failure locks twice as long');
UPDATE identity.sign_in_throttle SET locked_until = now() - interval '1 second' WHERE login = 'kebede';
SELECT is((SELECT error FROM identity.sign_in('kebede', 'correct horse battery', 'sess-shop')), NULL, 'the right password after the lock');
SELECT is((SELECT failures FROM identity.sign_in_throttle WHERE login = 'kebede'), 0, 'a success resets the count');

-- refresh: rotation, reuse detection
CREATE TEMP TABLE r2 AS SELECT * FROM identity.refresh((SELECT refresh_token FROM r));
SELECT ok((SELECT error IS NULL AND session_id = (SELECT session_id FROM r) AND refresh_token <> (SELECT refresh_token FROM r) FROM r2),
          'a refresh rotates the pair within the session');
SELECT is((SELECT error FROM identity.refresh((SELECT refresh_token FROM r))), 'IDENTITY_REFRESH_INVALID', 'a used token is refused');
SELECT is((SELECT status FROM identity.session WHERE id = (SELECT session_id FROM r)), 'REUSE_DETECTED', 'and its family revoked');
SELECT is((SELECT error FROM identity.refresh((SELECT refresh_token FROM r2))), 'IDENTITY_REFRESH_INVALID',
          'so the newest token of the family dies too');
SELECT is((SELECT error FROM identity.refresh('not a token')), 'IDENTITY_REFRESH_INVALID', 'an unknown token');

-- sign-out and revocation, as the user of a session
CREATE TEMP TABLE r3 AS SELECT * FROM identity.sign_in('kebede', 'correct horse battery', 'sess-shop');
GRANT SELECT ON r3 TO mercato_user;
SELECT set_config('request.jwt.claims', json_build_object('sub', (SELECT auth_subject FROM identity.user_account WHERE display_name = 'Kebede'),
                  'role', 'mercato_user', 'sid', (SELECT session_id FROM r3))::text, true);
SET LOCAL ROLE mercato_user;
SELECT ok((SELECT bool_or(current) FROM api.my_sessions()) AND (SELECT count(*) FROM api.my_sessions()) = 3,
          'my sessions, the calling one marked');
SELECT lives_ok($$SELECT api.sign_out()$$, 'sign out');
SELECT is((SELECT status FROM api.my_sessions() WHERE session_id = (SELECT session_id FROM r3)), 'SIGNED_OUT', 'the session ended');
RESET ROLE;

SELECT ok(position('identity.open_session' IN (SELECT prosrc FROM pg_proc WHERE oid = 'identity.sign_in(text, text, text)'::regprocedure)) > 0,
          'a password sign-in ends in identity.open_session, as an OAuth sign-in does (functions/identity/oauth)');

SELECT * FROM finish();
ROLLBACK;
