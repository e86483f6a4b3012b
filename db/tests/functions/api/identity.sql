-- Tests for functions/api/identity: who may call what, and that the wrappers are the identity functions.
BEGIN;
SELECT plan(17);

SELECT function_privs_are('api', 'currencies', ARRAY[]::text[], 'mercato_anon', ARRAY['EXECUTE'], 'reference data is public');
SELECT function_privs_are('api', 'me', ARRAY[]::text[], 'mercato_anon', ARRAY[]::text[], 'anonymous callers cannot ask who they are');
SELECT function_privs_are('api', 'register_user', ARRAY['core.name_text', 'core.name_text', 'core.name_text', 'bigint', 'core.name_text', 'core.name_text'], 'mercato_anon',
                          ARRAY[]::text[], 'nor register users');
SELECT volatility_is('api', 'me', ARRAY[]::text[], 'stable', 'reads are STABLE (GET)');
SELECT volatility_is('api', 'register_user', ARRAY['core.name_text', 'core.name_text', 'core.name_text', 'bigint', 'core.name_text', 'core.name_text'], 'volatile', 'writes are VOLATILE (POST)');
SELECT ok((SELECT bool_and(coalesce(obj_description(p.oid, 'pg_proc'), '') <> '') FROM pg_proc p
            WHERE p.pronamespace = 'api'::regnamespace), 'every api function is documented');
SELECT alike(obj_description('api.register_user(core.name_text, core.name_text, core.name_text, bigint, core.name_text, core.name_text)'::regprocedure, 'pg_proc'),
            '%Errors:%IDENTITY_SUBJECT_TAKEN%', 'wrappers carry the wrapped function''s documented errors');

SELECT function_privs_are('api', 'add_member', ARRAY['bigint', 'bigint', 'core.name_text', 'core.name_text'], 'mercato_anon',
                          ARRAY[]::text[], 'anonymous callers manage no members');
SELECT function_privs_are('api', 'my_organizations', ARRAY[]::text[], 'mercato_user', ARRAY['EXECUTE'], 'users list their organizations');
SELECT volatility_is('api', 'organization_members', ARRAY['bigint'], 'stable', 'member lists are STABLE (GET)');

SELECT identity.register_user('kc|api-alice', 'BUSINESS', 'Alice');
SET LOCAL ROLE mercato_anon;
SELECT set_config('request.jwt.claims', '{"role": "mercato_anon"}', true);
SELECT throws_ok($$SELECT * FROM api.me()$$, '42501', NULL, 'anonymous: no EXECUTE on api.me');
SELECT ok((SELECT count(*) FROM api.currencies()) >= 5, 'but anyone may list currencies');
RESET ROLE;
SET LOCAL ROLE mercato_user;
SELECT set_config('request.jwt.claims', '{"sub": "kc|api-alice", "role": "mercato_user"}', true);
SELECT is((SELECT display_name FROM api.me()), 'Alice', 'a user learns who they are from the JWT');
SELECT is((SELECT organizations FROM api.me()), '[]'::jsonb, 'and its organizations: none yet');
SELECT api.register_business('Alice PLC', 'RETAIL');
SELECT is((SELECT organizations -> 0 ->> 'role' FROM api.me() WHERE business_id IS NOT NULL), 'OWNER',
          'then the business it acts for, as OWNER');
SELECT throws_like($$SELECT api.register_user('kc|x', 'ADMIN', 'X')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a user without identity.manage_users cannot register users');
SELECT set_config('request.jwt.claims', '{"sub": "kc|nobody", "role": "mercato_user"}', true);
SELECT throws_ok($$SELECT * FROM api.me()$$, 'PT401', NULL, 'an unknown subject is not authenticated');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
