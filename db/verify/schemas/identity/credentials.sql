-- Verify mercato:schemas/identity/credentials on pg
-- Existence and privileges only.

BEGIN;

SELECT tokens_valid_after FROM identity.user_account WHERE false;
SELECT id, user_id, tenant_key, kind, value, verified_at, created_at FROM identity.login_identifier WHERE false;
SELECT user_id, password_hash, changed_at, last_sign_in_at FROM identity.password WHERE false;
SELECT id, user_id, status, user_agent, ip_address, created_at, last_refreshed_at, expires_at, ended_at
  FROM identity.session WHERE false;
SELECT id, purpose, user_id, session_id, token_hash, created_at, expires_at, used_at FROM identity.token WHERE false;
SELECT tenant_key, login, failures, last_failure_at, locked_until FROM identity.sign_in_throttle WHERE false;
SELECT id, secret, set_at FROM identity.jwt_secret WHERE false;
SELECT 'identity.login_identifier_user_id_tenant_key_idx'::regclass, 'identity.session_user_id_idx'::regclass;
SELECT 1 / count(*)::int FROM pg_trigger
 WHERE tgrelid = 'identity.login_identifier'::regclass AND tgname = 'login_identifier_audit' AND tgenabled <> 'D';
SELECT 1 / count(*)::int FROM pg_trigger
 WHERE tgrelid = 'identity.session'::regclass AND tgname = 'session_audit' AND tgenabled <> 'D';
-- row-level security on (no policy), and no API role holds any privilege on the credential tables
SELECT 1 / (count(*) FILTER (WHERE c.relrowsecurity) = 6)::int FROM pg_class c
 WHERE c.oid IN ('identity.login_identifier'::regclass, 'identity.password'::regclass, 'identity.session'::regclass,
                 'identity.token'::regclass, 'identity.sign_in_throttle'::regclass, 'identity.jwt_secret'::regclass);
SELECT 1 / (NOT has_table_privilege(r, t, p))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r,
       unnest(ARRAY['identity.login_identifier', 'identity.password', 'identity.session', 'identity.token',
                    'identity.sign_in_throttle', 'identity.jwt_secret']) t,
       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p;
SELECT 1 / (count(*) = 3)::int FROM core.secret
 WHERE (table_schema, table_name, column_name, kind) IN (('identity', 'password', 'password_hash', 'SECRET'),
       ('identity', 'token', 'token_hash', 'SECRET'), ('identity', 'jwt_secret', 'secret', 'SECRET'));
SELECT 1 / (count(*) = 7)::int FROM masterdata.setting
 WHERE key IN ('AUTH_BCRYPT_COST', 'AUTH_PASSWORD_MIN_LENGTH', 'AUTH_ACCESS_TOKEN_MINUTES', 'AUTH_REFRESH_TOKEN_DAYS',
               'AUTH_LOCK_AFTER_FAILURES', 'AUTH_LOCK_SECONDS', 'AUTH_LOCK_MAX_SECONDS');
SELECT 1 / (count(*) = 11)::int FROM core.error
 WHERE code IN ('IDENTITY_SIGN_IN_FAILED', 'IDENTITY_SIGN_IN_LOCKED', 'IDENTITY_REFRESH_INVALID',
    'IDENTITY_TOKEN_REVOKED', 'IDENTITY_PASSWORD_WEAK', 'IDENTITY_PASSWORD_MISMATCH', 'IDENTITY_LOGIN_TAKEN',
    'IDENTITY_SIGN_UP_CLOSED', 'IDENTITY_UNKNOWN_SESSION', 'IDENTITY_JWT_SECRET_MISSING', 'IDENTITY_JWT_SECRET_WEAK');

ROLLBACK;
