-- Revert mercato:functions/api/oauth from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.my_oauth_accounts(), api.sign_in_oauth(core.name_text, core.name_text, core.name_text),
              api.unlink_oauth_account(bigint),
              api.link_oauth_account(bigint, core.name_text, core.name_text, core.name_text);

COMMIT;
