-- Verify mercato:functions/api/oauth on pg
-- Existence and privileges only.

BEGIN;

-- the app server only
SELECT 1 / (pg_catalog.has_function_privilege('mercato_service', f, 'EXECUTE')
            AND NOT pg_catalog.has_function_privilege('mercato_user', f, 'EXECUTE')
            AND NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.link_oauth_account(bigint, core.name_text, core.name_text, core.name_text)'::regprocedure,
                    'api.sign_in_oauth(core.name_text, core.name_text, core.name_text)'::regprocedure]) AS f;
-- the user itself and the back office
SELECT 1 / (pg_catalog.has_function_privilege('mercato_user', 'api.unlink_oauth_account(bigint)', 'EXECUTE')
            AND pg_catalog.has_function_privilege('mercato_service', 'api.unlink_oauth_account(bigint)', 'EXECUTE')
            AND NOT pg_catalog.has_function_privilege('mercato_anon', 'api.unlink_oauth_account(bigint)', 'EXECUTE'))::int;
-- signed-in users only
SELECT 1 / (pg_catalog.has_function_privilege('mercato_user', 'api.my_oauth_accounts()', 'EXECUTE')
            AND NOT pg_catalog.has_function_privilege('mercato_service', 'api.my_oauth_accounts()', 'EXECUTE')
            AND NOT pg_catalog.has_function_privilege('mercato_anon', 'api.my_oauth_accounts()', 'EXECUTE'))::int;

ROLLBACK;
