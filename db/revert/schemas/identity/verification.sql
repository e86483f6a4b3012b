-- Revert mercato:schemas/identity/verification from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code IN ('IDENTITY_TOKEN_INVALID', 'IDENTITY_TOKEN_COOLDOWN', 'IDENTITY_UNKNOWN_LOGIN',
    'IDENTITY_LOGIN_NOT_DELIVERABLE', 'IDENTITY_LOGIN_VERIFIED');
DELETE FROM masterdata.setting WHERE key IN ('AUTH_VERIFY_TOKEN_MINUTES', 'AUTH_RESET_TOKEN_MINUTES',
    'AUTH_TOKEN_COOLDOWN_SECONDS', 'AUTH_TOKENS_PER_DAY');
UPDATE core.secret SET reason = 'hash of a refresh token'
 WHERE (table_schema, table_name, column_name) = ('identity', 'token', 'token_hash');
-- the tokens of the purposes this change added go with it
DELETE FROM identity.token WHERE purpose <> 'REFRESH';
DROP INDEX identity.token_login_identifier_id_idx;
ALTER TABLE identity.token DROP CONSTRAINT token_login_identifier_id_check;
ALTER TABLE identity.token DROP CONSTRAINT token_purpose_check;
ALTER TABLE identity.token ADD CONSTRAINT token_purpose_check CHECK (purpose IN ('REFRESH'));
ALTER TABLE identity.token DROP COLUMN login_identifier_id;
COMMENT ON TABLE identity.token IS
'An opaque token given to a user once and kept only as its SHA-256 hash (32 random bytes: no slow hash needed).
purpose REFRESH: a refresh token of a session, used once (used_at) when rotated. Later purposes (e-mail verification,
password reset) join this table. token_hash is SECRET (core.secret).';

COMMIT;
