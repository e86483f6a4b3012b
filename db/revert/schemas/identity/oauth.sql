-- Revert mercato:schemas/identity/oauth from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code IN ('IDENTITY_OAUTH_ACCOUNT_TAKEN', 'IDENTITY_OAUTH_UNKNOWN_ACCOUNT');
DROP TABLE identity.oauth_account;

COMMIT;
