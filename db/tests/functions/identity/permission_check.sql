-- Tests for functions/identity/permission_check: has_permission answers as before (platform-wide, within a tenant,
-- not in another tenant, not through a revoked assignment), now in PL/pgSQL.
BEGIN;
SELECT plan(5);

SELECT tests.inventory_world('hpc');
SELECT ok(identity.has_permission(tests.id('a_admin'), 'inventory.manage', tests.id('a')), 'a tenant admin in its tenant');
SELECT ok(NOT identity.has_permission(tests.id('a_admin'), 'inventory.manage', tests.id('b')), 'not in another tenant');
SELECT ok(identity.has_permission(tests.id('padmin'), 'inventory.manage', tests.id('b')), 'a platform admin everywhere');
SELECT ok(NOT identity.has_permission(tests.id('a_clerk'), 'inventory.manage', tests.id('a')), 'not without a role');
SELECT is((SELECT l.lanname::text FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.oid = 'identity.has_permission(bigint, text, bigint)'::regprocedure), 'plpgsql', 'in PL/pgSQL');

SELECT * FROM finish();
ROLLBACK;
