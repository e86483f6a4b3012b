-- Tests for schemas/identity/credentials: the credential tables, their keys and checks, the secrets declared, no API
-- role privilege, the settings and error codes.
BEGIN;
SELECT plan(18);

SELECT has_column('identity', 'user_account', 'tokens_valid_after', 'user_account.tokens_valid_after');
SELECT col_is_null('identity', 'user_account', 'tokens_valid_after', 'nullable: added without a rewrite');
SELECT col_is_pk('identity', 'password', 'user_id', 'one password per user');
SELECT col_is_unique('identity', 'token', 'token_hash', 'a token hash names one token');
SELECT col_is_pk('identity', 'sign_in_throttle', ARRAY['tenant_key', 'login'], 'one throttle row per login and tenant');

CREATE TEMP TABLE u AS SELECT identity.register_user('cred-sub', 'CUSTOMER', 'Cred') AS id;
SELECT lives_ok($$INSERT INTO identity.login_identifier (user_id, tenant_key, kind, value) SELECT id, 0, 'EMAIL', 'a@b.io' FROM u$$,
                'an e-mail login');
SELECT throws_ok($$INSERT INTO identity.login_identifier (user_id, tenant_key, kind, value) SELECT id, 0, 'USERNAME', 'a@b.io' FROM u$$,
                 '23514', NULL, 'the value matches its kind');
SELECT throws_ok($$INSERT INTO identity.login_identifier (user_id, tenant_key, kind, value) SELECT id, 0, 'EMAIL', 'A@b.io' FROM u$$,
                 '23514', NULL, 'stored in lower case');
SELECT throws_ok($$INSERT INTO identity.login_identifier (user_id, tenant_key, kind, value) SELECT id, 0, 'PHONE', '+25191100' FROM u
                   UNION ALL SELECT id, 0, 'PHONE', '+25191100' FROM u$$,
                 '23505', NULL, 'unique within a tenant');
SELECT throws_ok($$INSERT INTO identity.login_identifier (user_id, tenant_key, kind, value) SELECT id, 7, 'USERNAME', 'cred' FROM u$$,
                 '23503', NULL, 'of the user''s own tenant');
SELECT throws_ok($$INSERT INTO identity.password (user_id, password_hash) SELECT id, 'hunter2hunter2' FROM u$$,
                 '23514', NULL, 'only a bcrypt hash is stored, never a clear password');
SELECT throws_ok($$INSERT INTO identity.jwt_secret (secret) VALUES ('short')$$, '23514', NULL, 'the JWT secret has 32 bytes or more');
SELECT throws_ok($$INSERT INTO identity.session (user_id, status, expires_at) SELECT id, 'REVOKED', now() FROM u$$,
                 '23514', NULL, 'an ended session says when');

SELECT set_eq($$SELECT table_name::text || '.' || column_name FROM core.secret WHERE table_schema = 'identity' AND kind = 'SECRET'$$,
              ARRAY['password.password_hash', 'token.token_hash', 'jwt_secret.secret'], 'the three secrets are declared');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r,
                unnest(ARRAY['identity.login_identifier', 'identity.password', 'identity.session', 'identity.token',
                             'identity.sign_in_throttle', 'identity.jwt_secret']) t
           WHERE has_any_column_privilege(r, t, 'SELECT') OR has_table_privilege(r, t, 'INSERT, UPDATE, DELETE')),
          0, 'no API role reads or writes the credential tables');
SELECT is((SELECT count(*)::int FROM pg_class WHERE relrowsecurity AND oid IN ('identity.login_identifier'::regclass,
              'identity.password'::regclass, 'identity.session'::regclass, 'identity.token'::regclass,
              'identity.sign_in_throttle'::regclass, 'identity.jwt_secret'::regclass)), 6,
          'row-level security is on, without policies');
SELECT is((SELECT count(*)::int FROM masterdata.setting
            WHERE key IN ('AUTH_BCRYPT_COST', 'AUTH_PASSWORD_MIN_LENGTH', 'AUTH_ACCESS_TOKEN_MINUTES',
                          'AUTH_REFRESH_TOKEN_DAYS', 'AUTH_LOCK_AFTER_FAILURES', 'AUTH_LOCK_SECONDS',
                          'AUTH_LOCK_MAX_SECONDS')), 7, 'the auth settings');
SELECT is((SELECT sqlstate::text FROM core.error WHERE code = 'IDENTITY_SIGN_IN_LOCKED'), 'PT429', 'a locked login is HTTP 429');

SELECT * FROM finish();
ROLLBACK;
