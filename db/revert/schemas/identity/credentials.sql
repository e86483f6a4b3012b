-- Revert mercato:schemas/identity/credentials from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code IN ('IDENTITY_SIGN_IN_FAILED', 'IDENTITY_SIGN_IN_LOCKED', 'IDENTITY_REFRESH_INVALID',
    'IDENTITY_TOKEN_REVOKED', 'IDENTITY_PASSWORD_WEAK', 'IDENTITY_PASSWORD_MISMATCH', 'IDENTITY_LOGIN_TAKEN',
    'IDENTITY_SIGN_UP_CLOSED', 'IDENTITY_UNKNOWN_SESSION', 'IDENTITY_JWT_SECRET_MISSING', 'IDENTITY_JWT_SECRET_WEAK');
DELETE FROM masterdata.setting WHERE key IN ('AUTH_BCRYPT_COST', 'AUTH_PASSWORD_MIN_LENGTH', 'AUTH_ACCESS_TOKEN_MINUTES',
    'AUTH_REFRESH_TOKEN_DAYS', 'AUTH_LOCK_AFTER_FAILURES', 'AUTH_LOCK_SECONDS', 'AUTH_LOCK_MAX_SECONDS');
DELETE FROM core.secret WHERE table_schema = 'identity' AND table_name IN ('password', 'token', 'jwt_secret');
DROP TABLE identity.jwt_secret, identity.sign_in_throttle, identity.token, identity.session, identity.password,
           identity.login_identifier;
ALTER TABLE identity.user_account DROP COLUMN tokens_valid_after;

COMMIT;
