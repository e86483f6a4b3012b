-- Verify mercato:schemas/identity/verification on pg
-- Existence and privileges only.

BEGIN;

SELECT login_identifier_id FROM identity.token WHERE false;
SELECT 'identity.token_login_identifier_id_idx'::regclass;
SELECT 1 / count(*)::int FROM pg_constraint
 WHERE conrelid = 'identity.token'::regclass AND conname = 'token_login_identifier_id_fkey' AND contype = 'f';
SELECT 1 / count(*)::int FROM pg_constraint
 WHERE conrelid = 'identity.token'::regclass AND conname = 'token_login_identifier_id_check' AND contype = 'c';
SELECT 1 / count(*)::int FROM pg_constraint
 WHERE conrelid = 'identity.token'::regclass AND conname = 'token_purpose_check' AND contype = 'c'
   AND pg_get_constraintdef(oid) LIKE '%RESET_PASSWORD%' AND pg_get_constraintdef(oid) LIKE '%VERIFY_LOGIN%';
SELECT 1 / (count(*) = 4)::int FROM masterdata.setting
 WHERE key IN ('AUTH_VERIFY_TOKEN_MINUTES', 'AUTH_RESET_TOKEN_MINUTES', 'AUTH_TOKEN_COOLDOWN_SECONDS',
               'AUTH_TOKENS_PER_DAY');
SELECT 1 / (count(*) = 5)::int FROM core.error
 WHERE code IN ('IDENTITY_TOKEN_INVALID', 'IDENTITY_TOKEN_COOLDOWN', 'IDENTITY_UNKNOWN_LOGIN',
                'IDENTITY_LOGIN_NOT_DELIVERABLE', 'IDENTITY_LOGIN_VERIFIED');

ROLLBACK;
