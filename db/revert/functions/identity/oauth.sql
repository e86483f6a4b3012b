-- Revert mercato:functions/identity/oauth from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION identity.my_oauth_accounts(), identity.sign_in_oauth(text, text, text),
              identity.unlink_oauth_account(bigint), identity.link_oauth_account(bigint, text, text, text),
              identity.require_service(text);

COMMIT;
