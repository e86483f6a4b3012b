-- Revert mercato:functions/api/payments from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.build_ke_qr(boolean, core.name_text, core.name_text, core.name_text, core.name_text, core.name_text,
                              core.name_text, numeric, core.name_text);
DROP FUNCTION api.parse_ke_qr(core.long_text);

COMMIT;
