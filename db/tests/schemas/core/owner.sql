-- Tests for schemas/core/owner: every object of a Mercato schema is owned by mercato_owner (NOLOGIN, no superuser),
-- the event-trigger functions by a superuser, nobody else creates in public, and mercato_owner's new functions are
-- not executable by PUBLIC. Deploying as a member of mercato_owner: py/tests/test_ownership.py.
BEGIN;
SELECT plan(9);

SELECT is_empty('SELECT * FROM core.misowned_objects()', 'every object of a Mercato schema is owned by mercato_owner');

SELECT is((SELECT ROW(rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls)::text
             FROM pg_roles WHERE rolname = 'mercato_owner'),
          ROW(false, false, false, false, false)::text,
          'mercato_owner cannot log in and holds no attribute beyond ownership');

SELECT is((SELECT array_agg(DISTINCT r.rolsuper) FROM pg_event_trigger e
             JOIN pg_proc p ON p.oid = e.evtfoid JOIN pg_roles r ON r.oid = p.proowner),
          ARRAY[true], 'the event-trigger functions stay with a superuser (they run in everyone''s DDL)');

SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.prosecdef AND n.nspname <> ALL (ARRAY['public', 'tests', 'pg_catalog', 'information_schema'])
              AND p.proowner <> 'mercato_owner'::regrole),
          0, 'every SECURITY DEFINER function runs as mercato_owner, not as a superuser');

SELECT ok(NOT has_schema_privilege('public', 'public', 'CREATE'), 'PUBLIC may not create in schema public');

-- an object created by mercato_owner: owned by it, and its function not executable by PUBLIC nor by the API roles
SET LOCAL ROLE mercato_owner;
CREATE FUNCTION core.t_owned_probe() RETURNS int LANGUAGE sql IMMUTABLE RETURN 1;
CREATE TABLE core.t_owned_table (id int);
SET LOCAL ROLE NONE;
SELECT is_empty('SELECT * FROM core.misowned_objects()', 'what mercato_owner creates keeps the rule');
SELECT ok(NOT has_function_privilege('public', 'core.t_owned_probe()', 'EXECUTE')
          AND NOT has_function_privilege('mercato_user', 'core.t_owned_probe()', 'EXECUTE'),
          'a function mercato_owner creates is executable by nobody until granted');

-- an object created by someone else is named
CREATE TABLE core.t_foreign_table (id int);
SELECT results_eq($$SELECT kind, identity FROM core.misowned_objects()$$,
                  $$VALUES ('TABLE', 'core.t_foreign_table')$$,
                  'an object with another owner is listed, with its kind and name');

SELECT ok(NOT has_function_privilege(r, 'core.misowned_objects()', 'EXECUTE'), 'no API role lists owners')
  FROM (VALUES ('mercato_user')) v(r);

SELECT * FROM finish();
ROLLBACK;
