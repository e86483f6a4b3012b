-- Revert mercato:functions/api/verification from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.request_verification(core.name_text), api.verify_login(core.name_text),
              api.request_password_reset(core.name_text, core.name_text), api.reset_password(core.name_text, core.name_text);

COMMIT;
