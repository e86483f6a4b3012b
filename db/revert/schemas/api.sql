-- Revert mercato:schemas/api from pg

BEGIN;

DROP EVENT TRIGGER mercato_pgrst_reload_drop;
DROP EVENT TRIGGER mercato_pgrst_reload;
DROP FUNCTION api.pgrst_reload_trg();
DROP SCHEMA api;

COMMIT;
