-- Deploy mercato:schemas/api to pg
-- The one schema PostgREST exposes, and the event trigger that tells PostgREST to reload its schema cache
-- after any DDL (every deploy and revert, by mercato db or by sqitch).

BEGIN;

CREATE SCHEMA api;
COMMENT ON SCHEMA api IS
'Mercato''s HTTP API, as served by PostgREST (db-schemas = "api"): functions (RPC) and security_invoker views only.
Every object here is documented for the OpenAPI output, and every grant is explicit. The tables stay in the module
schemas, which PostgREST does not expose.';
GRANT USAGE ON SCHEMA api TO mercato_anon, mercato_user, mercato_service;

CREATE FUNCTION api.pgrst_reload_trg()
RETURNS event_trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    NOTIFY pgrst, 'reload schema';
END
$$;
COMMENT ON FUNCTION api.pgrst_reload_trg() IS
'Event trigger: after any DDL, NOTIFY pgrst, ''reload schema'' so that a running PostgREST picks up the change.
Not an API endpoint (an event-trigger function cannot be called).';
REVOKE ALL ON FUNCTION api.pgrst_reload_trg() FROM PUBLIC;

CREATE EVENT TRIGGER mercato_pgrst_reload ON ddl_command_end EXECUTE FUNCTION api.pgrst_reload_trg();
CREATE EVENT TRIGGER mercato_pgrst_reload_drop ON sql_drop EXECUTE FUNCTION api.pgrst_reload_trg();

COMMIT;
