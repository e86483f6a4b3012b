-- Verify mercato:functions/identity/oauth on pg
-- Existence and privileges only: no API role executes these (they reach them through api.*).

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['identity.require_service(text)'::regprocedure,
                    'identity.link_oauth_account(bigint, text, text, text)'::regprocedure,
                    'identity.unlink_oauth_account(bigint)'::regprocedure,
                    'identity.sign_in_oauth(text, text, text)'::regprocedure,
                    'identity.my_oauth_accounts()'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
