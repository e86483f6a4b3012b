-- Verify mercato:functions/catalog/guards on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = 'variant_money' AND t.tgrelid = 'catalog.variant'::regclass
               AND t.tgfoid = 'catalog.variant_money_trg()'::regprocedure AND t.tgenabled <> 'D')::int;
-- no API role executes it (the api wrappers do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'catalog.variant_money_trg()', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
