-- Revert mercato:functions/api/roles from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.user_roles(bigint), api.retire_role(core.name_text, bigint),
              api.set_role_permissions(core.name_text, core.text_list, bigint),
              api.create_role(core.name_text, core.name_text, core.long_text, core.text_list, bigint),
              api.list_permissions(), api.list_roles(bigint);

COMMIT;
