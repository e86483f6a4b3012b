-- Verify mercato:functions/identity on pg
-- Existence and privileges only: each statement raises when one piece is missing (its cast fails) or wrongly granted
-- (division by zero).

BEGIN;

SELECT 'identity.actor'::regtype;
-- the rework: current_actor checks the token's "iat" against tokens_valid_after and its session ("sid")
SELECT 1 / (position('tokens_valid_after' IN prosrc) > 0 AND position('identity.session' IN prosrc) > 0)::int
  FROM pg_catalog.pg_proc WHERE oid = 'identity.current_actor()'::regprocedure;
-- who is calling: readable by the roles whose policies ask it
SELECT 1 / (pg_catalog.has_function_privilege(r, f, 'EXECUTE')
            AND NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['identity.current_actor()'::regprocedure, 'identity.current_user_id()'::regprocedure]) AS f,
       unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
-- everything else: no API role
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['identity.claims()'::regprocedure,
                    'identity.caller_role()'::regprocedure,
                    'identity.is_service()'::regprocedure,
                    'identity.require_user()'::regprocedure,
                    'identity.has_permission(bigint, text, bigint)'::regprocedure,
                    'identity.require_permission(text, bigint)'::regprocedure,
                    'identity.create_tenant(text, text, jsonb)'::regprocedure,
                    'identity.register_user(text, text, text, bigint, text, text)'::regprocedure,
                    'identity.set_user_status(bigint, text)'::regprocedure,
                    'identity.assign_role(bigint, text, bigint)'::regprocedure,
                    'identity.revoke_role(bigint, text, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
