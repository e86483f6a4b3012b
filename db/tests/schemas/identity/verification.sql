-- Tests for schemas/identity/verification: identity.token takes the purposes VERIFY_LOGIN and RESET_PASSWORD, each bound
-- to a login (a REFRESH token to none), the settings and error codes exist, and no API role reads a token.
BEGIN;
SELECT plan(11);

SELECT has_column('identity', 'token', 'login_identifier_id', 'token.login_identifier_id');
SELECT col_is_null('identity', 'token', 'login_identifier_id', 'nullable: REFRESH tokens have none');
SELECT fk_ok('identity', 'token', 'login_identifier_id', 'identity', 'login_identifier', 'id', 'a token names a login');

SELECT tests.put('u', identity.register_user('ver-schema-sub', 'CUSTOMER', 'Ver'));
SELECT tests.put('li', identity.add_login_identifier(tests.id('u'), 'ver@example.com'));
WITH s AS (INSERT INTO identity.session (user_id, expires_at) VALUES (tests.id('u'), now()) RETURNING id)
SELECT tests.put('s', id) FROM s;
SELECT lives_ok($$INSERT INTO identity.token (purpose, user_id, login_identifier_id, token_hash, expires_at)
                  VALUES ('VERIFY_LOGIN', tests.id('u'), tests.id('li'), '\x01', now()),
                         ('RESET_PASSWORD', tests.id('u'), tests.id('li'), '\x02', now())$$,
                'VERIFY_LOGIN and RESET_PASSWORD tokens of a login');
SELECT throws_ok($$INSERT INTO identity.token (purpose, user_id, login_identifier_id, token_hash, expires_at)
                   VALUES ('MAGIC_LINK', tests.id('u'), tests.id('li'), '\x03', now())$$,
                 '23514', NULL, 'no other purpose');
SELECT throws_ok($$INSERT INTO identity.token (purpose, user_id, token_hash, expires_at)
                   VALUES ('RESET_PASSWORD', tests.id('u'), '\x04', now())$$,
                 '23514', NULL, 'a reset token names the login it was sent to');
SELECT throws_ok($$INSERT INTO identity.token (purpose, user_id, session_id, login_identifier_id, token_hash, expires_at)
                   VALUES ('REFRESH', tests.id('u'),
                           tests.id('s'), tests.id('li'), '\x05', now())$$,
                 '23514', NULL, 'a REFRESH token names no login');
SELECT ok(pg_get_indexdef('identity.token_login_identifier_id_idx'::regclass) LIKE
          '%(login_identifier_id, purpose, created_at) WHERE (login_identifier_id IS NOT NULL)',
          'a login''s tokens are found by login, purpose and time');
SELECT is((SELECT count(*)::int FROM masterdata.setting WHERE key IN ('AUTH_VERIFY_TOKEN_MINUTES', 'AUTH_RESET_TOKEN_MINUTES',
              'AUTH_TOKEN_COOLDOWN_SECONDS', 'AUTH_TOKENS_PER_DAY')), 4, 'the settings');
SELECT results_eq($$SELECT code, sqlstate::text FROM core.error WHERE code IN ('IDENTITY_TOKEN_INVALID', 'IDENTITY_TOKEN_COOLDOWN',
                      'IDENTITY_UNKNOWN_LOGIN', 'IDENTITY_LOGIN_NOT_DELIVERABLE', 'IDENTITY_LOGIN_VERIFIED') ORDER BY code$$,
                  $$VALUES ('IDENTITY_LOGIN_NOT_DELIVERABLE', 'PT400'), ('IDENTITY_LOGIN_VERIFIED', 'PT409'),
                           ('IDENTITY_TOKEN_COOLDOWN', 'PT429'), ('IDENTITY_TOKEN_INVALID', 'PT400'),
                           ('IDENTITY_UNKNOWN_LOGIN', 'PT404')$$,
                  'the error codes and their HTTP statuses');
SELECT ok(NOT has_table_privilege(r, 'identity.token', 'SELECT'), 'no API role reads a token: ' || r)
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r LIMIT 1;

SELECT * FROM finish();
ROLLBACK;
