-- Verify mercato:functions/identity/roles on pg
-- Existence and privileges only: each statement raises when one piece is missing (its cast fails), disabled or wrongly
-- granted (division by zero).

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = g.fn AND t.tgenabled <> 'D')::int
  FROM (VALUES ('role_guard', 'identity.role'::regclass, 'identity.role_guard_trg()'::regprocedure),
               ('role_assignment_role', 'identity.role_assignment'::regclass,
                'identity.role_assignment_role_trg()'::regprocedure)) AS g(name, rel, fn);
-- the replaced functions of functions/identity@v0.1.0: retired roles grant nothing, codes resolve per tenant
SELECT 1 / (position('status' IN pg_catalog.pg_get_functiondef('identity.has_permission(bigint, text, bigint)'::regprocedure)) > 0)::int;
SELECT 1 / (position('identity.resolve_role' IN prosrc) > 0)::int
  FROM pg_catalog.pg_proc
 WHERE oid IN ('identity.assign_role(bigint, text, bigint)'::regprocedure, 'identity.revoke_role(bigint, text, bigint)'::regprocedure);
-- no API role executes any of them (the api wrappers do)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['identity.role_guard_trg()'::regprocedure,
                    'identity.role_assignment_role_trg()'::regprocedure,
                    'identity.role_admin_tenant(bigint, text[])'::regprocedure,
                    'identity.resolve_role(text, bigint)'::regprocedure,
                    'identity.lock_custom_role(text, bigint)'::regprocedure,
                    'identity.put_role_permissions(bigint, bigint, text[])'::regprocedure,
                    'identity.create_role(text, text, text, text[], bigint)'::regprocedure,
                    'identity.set_role_permissions(text, text[], bigint)'::regprocedure,
                    'identity.retire_role(text, bigint)'::regprocedure,
                    'identity.list_roles(bigint)'::regprocedure,
                    'identity.list_permissions()'::regprocedure,
                    'identity.user_roles(bigint)'::regprocedure,
                    'identity.has_permission(bigint, text, bigint)'::regprocedure,
                    'identity.assign_role(bigint, text, bigint)'::regprocedure,
                    'identity.revoke_role(bigint, text, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
