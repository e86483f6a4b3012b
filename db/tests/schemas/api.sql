-- Tests for schemas/api: the exposed schema and the PostgREST schema-cache reload.
BEGIN;
SELECT plan(5);

SELECT has_schema('api');
SELECT schema_privs_are('api', 'mercato_anon', ARRAY['USAGE'], 'anonymous callers may resolve api objects');
SELECT schema_privs_are('api', 'mercato_user', ARRAY['USAGE'], 'authenticated callers too');
SELECT is((SELECT count(*)::int FROM pg_event_trigger
            WHERE evtname IN ('mercato_pgrst_reload', 'mercato_pgrst_reload_drop') AND evtenabled = 'O'),
          2, 'DDL and drops notify PostgREST');
SELECT is((SELECT count(*)::int FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'api' AND c.relkind IN ('r', 'p')),
          0, 'the api schema holds no tables (functions and views only)');

SELECT * FROM finish();
ROLLBACK;
