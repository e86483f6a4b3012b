-- Verify mercato:schemas/api on pg

BEGIN;

SELECT 1 / count(*)::int FROM pg_event_trigger WHERE evtname = 'mercato_pgrst_reload' AND evtenabled <> 'D';
SELECT has_schema_privilege('mercato_user', 'api', 'USAGE');

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions
SELECT 'api.pgrst_reload_trg()'::regprocedure;

ROLLBACK;
