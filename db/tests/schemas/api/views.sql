-- Tests for schemas/api/views: every view runs as the caller (so row-level security applies), selects no secret, and
-- is read-only for every API role.
BEGIN;
SELECT plan(6);

SELECT is((SELECT count(*)::int FROM pg_class WHERE relnamespace = 'api'::regnamespace AND relkind = 'v'
              AND NOT coalesce('security_invoker=true' = ANY (reloptions), false)), 0, 'every api view is security_invoker');
SELECT is((SELECT count(*)::int FROM information_schema.columns WHERE table_schema = 'api'
              AND column_name IN ('alias_key', 'code_hmac', 'secret', 'request_hash', 'user_id', 'auth_subject')), 0,
          'no view selects a secret or a login identity');
SELECT is((SELECT count(*)::int FROM information_schema.table_privileges WHERE table_schema = 'api'
              AND grantee IN ('mercato_user', 'mercato_service', 'mercato_anon') AND privilege_type <> 'SELECT'), 0,
          'views are read-only for every API role');
SELECT ok(NOT has_table_privilege('mercato_anon', 'api.accounts', 'SELECT'), 'anonymous callers read no view');
SELECT ok(NOT has_table_privilege('mercato_service', 'api.bids', 'SELECT'), 'the back office does not read bids');
SELECT identity.register_user('kc|av-p', 'PROVIDER', 'p');
SELECT set_config('request.jwt.claims', '{"sub": "kc|av-p", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT api.register_provider('COMPANY', 'AV');
SELECT api.add_vehicle('AV-1', 'SEDAN', 4);
SELECT results_eq($$SELECT plate_number FROM api.vehicles$$, $$VALUES ('AV-1')$$,
                  'through a view a provider sees exactly what the table''s policy lets it see');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
