-- Verify mercato:functions/api/roles on pg
-- Existence and privileges only: users and the back office execute each wrapper, anonymous callers none.

BEGIN;

SELECT 1 / (pg_catalog.has_function_privilege('mercato_user', f, 'EXECUTE')
            AND pg_catalog.has_function_privilege('mercato_service', f, 'EXECUTE')
            AND NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.list_roles(bigint)'::regprocedure,
                    'api.list_permissions()'::regprocedure,
                    'api.create_role(core.name_text, core.name_text, core.long_text, core.text_list, bigint)'::regprocedure,
                    'api.set_role_permissions(core.name_text, core.text_list, bigint)'::regprocedure,
                    'api.retire_role(core.name_text, bigint)'::regprocedure,
                    'api.user_roles(bigint)'::regprocedure]) AS f;

ROLLBACK;
