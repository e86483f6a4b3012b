-- Verify mercato:schemas/core on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted (a failed cast,
-- a missing relation or column, or a division by zero).

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_extension x WHERE x.extname = e)::int
  FROM unnest(ARRAY['pgcrypto', 'btree_gist']) AS e;
-- the API roles (a missing one fails its regrole cast), each one the authenticator may switch to
SELECT 1 / pg_catalog.pg_has_role('mercato_authenticator', r::regrole, 'MEMBER')::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / pg_catalog.has_schema_privilege(r, 'core', 'USAGE')::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

-- PUBLIC executes nothing: the event trigger is there, enabled, on its function, which no API role executes
SELECT 1 / count(*) FROM pg_catalog.pg_event_trigger
 WHERE evtname = 'mercato_revoke_public_execute' AND evtenabled <> 'D'
   AND evtfoid = 'core.revoke_public_execute_trg()'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'core.revoke_public_execute_trg()', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

-- the error catalogue, readable by every API role, with core's own codes; the register of secrets, by none
SELECT code, module, sqlstate, message, hint, description FROM core.error WHERE false;
SELECT 1 / pg_catalog.has_table_privilege(r, 'core.error', 'SELECT')::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['CORE_UNKNOWN_ERROR_CODE', 'CORE_INVALID_ARGUMENT', 'CORE_INPUT_TOO_LARGE',
                    'CORE_DATE_OUT_OF_RANGE']) AS c;
SELECT table_schema, table_name, column_name, kind, reason FROM core.secret WHERE false;
SELECT 'core.secret_table_column_key'::regclass;
SELECT 1 / (NOT pg_catalog.has_any_column_privilege(r, 'core.secret', 'SELECT'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['core.error', 'core.secret']) AS t;

ROLLBACK;
