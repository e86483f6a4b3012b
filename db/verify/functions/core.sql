-- Verify mercato:functions/core on pg
-- Existence and privileges only: each statement raises when one piece is missing (its cast fails) or wrongly granted
-- (division by zero).

BEGIN;

-- the input-bound domains of the api parameters
SELECT 'core.name_text'::regtype, 'core.url_text'::regtype, 'core.long_text'::regtype, 'core.text_list'::regtype,
       'core.json_doc'::regtype, 'core.json_batch'::regtype, 'core.finite_date'::regtype,
       'core.finite_timestamptz'::regtype;
-- their CHECK functions, which PostgreSQL calls as the querying role: every API role executes them
SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['core.check_text_size(text, integer, text)'::regprocedure,
                    'core.check_text_list(text[], integer, integer, text)'::regprocedure,
                    'core.check_json_size(jsonb, integer, text)'::regprocedure,
                    'core.check_finite_date(date, text)'::regprocedure,
                    'core.check_finite_timestamptz(timestamptz, text)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
-- everything else: no API role
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['core.http_status(text)'::regprocedure,
                    'core.raise(text, text, text)'::regprocedure,
                    'core.wrap(regprocedure, regprocedure, text, name[])'::regprocedure,
                    'core.refuse_change_trg()'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
