-- Helpers shared by the pgTAP files (db/tests/**) and by Python tests that act as a caller in SQL. Installed into test
-- databases only, never by the plan: by py/tests/conftest.py into pytest's template and by `make test-pgprove`.
-- Idempotent. Schema tests; every role may execute them (an API-role session calls them to switch caller).

CREATE SCHEMA IF NOT EXISTS tests;
COMMENT ON SCHEMA tests IS 'Test helpers (db/test_helpers.sql): installed in test databases only.';
GRANT USAGE ON SCHEMA tests TO PUBLIC;

CREATE OR REPLACE FUNCTION tests.as_user(p_sub text)
RETURNS void
LANGUAGE sql
VOLATILE
AS $$
    SELECT set_config('request.jwt.claims', json_build_object('sub', p_sub, 'role', 'mercato_user')::text, true);
    SET LOCAL ROLE mercato_user;
$$;
COMMENT ON FUNCTION tests.as_user(text) IS
'Act as the user whose JWT "sub" is p_sub for the rest of the transaction, exactly as PostgREST does for its request:
request.jwt.claims set locally, then SET LOCAL ROLE mercato_user. RESET ROLE returns to the test''s own role.';

CREATE OR REPLACE FUNCTION tests.as_service()
RETURNS void
LANGUAGE sql
VOLATILE
AS $$
    SELECT set_config('request.jwt.claims', json_build_object('role', 'mercato_service')::text, true);
    SET LOCAL ROLE mercato_service;
$$;
COMMENT ON FUNCTION tests.as_service() IS
'Act as the back office (a mercato_service JWT) for the rest of the transaction, as PostgREST does.';

CREATE OR REPLACE FUNCTION tests.as_anon()
RETURNS void
LANGUAGE sql
VOLATILE
AS $$
    SELECT set_config('request.jwt.claims', '', true);
    SET LOCAL ROLE mercato_anon;
$$;
COMMENT ON FUNCTION tests.as_anon() IS
'Act as an anonymous caller (no JWT: mercato_anon, no claims) for the rest of the transaction, as PostgREST does.';

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA tests TO PUBLIC;
