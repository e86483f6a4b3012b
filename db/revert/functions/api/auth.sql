-- Revert mercato:functions/api/auth from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.sign_up(core.name_text, core.name_text, core.name_text, core.name_text, core.name_text),
              api.sign_in(core.name_text, core.name_text, core.name_text), api.refresh(core.name_text),
              api.sign_out(), api.my_sessions(), api.revoke_session(bigint), api.revoke_all_sessions(),
              api.change_password(core.name_text, core.name_text), api.add_login(core.name_text);

COMMIT;
