-- Verify mercato:schemas/core/counter on pg

BEGIN;

SELECT scope, key, last_value, updated_at FROM core.counter WHERE false;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = 'core.counter'::regclass AND k.conname = c)::int
  FROM unnest(ARRAY['counter_pkey', 'counter_scope_check', 'counter_key_check', 'counter_last_value_check']) AS c;
SELECT 1 / (SELECT count(*) FROM core.error WHERE code = 'CORE_COUNTER_INVALID')::int;
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, 'core.counter', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
