-- Tests for schemas/identity/rls: a user reads its own tenant, user account and role assignments; the back office all.
BEGIN;
SELECT plan(6);

SELECT identity.create_tenant('rls-t1', 'Tenant one');
SELECT identity.create_tenant('rls-t2', 'Tenant two');
CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_service;
INSERT INTO ids SELECT 'a', identity.register_user('kc|idr-a', 'BUSINESS', 'A', p_tenant_id => (SELECT id FROM identity.tenant WHERE code = 'rls-t1'));
INSERT INTO ids SELECT 'b', identity.register_user('kc|idr-b', 'BUSINESS', 'B', p_tenant_id => (SELECT id FROM identity.tenant WHERE code = 'rls-t2'));

SELECT tests.as_user('kc|idr-a');
SELECT results_eq($$SELECT display_name FROM identity.user_account$$, $$VALUES ('A'::text)$$, 'a user reads its own account only');
SELECT results_eq($$SELECT code FROM identity.tenant$$, $$VALUES ('rls-t1'::text)$$, 'and its own tenant only');
SELECT is((SELECT count(*)::int FROM identity.role_assignment), 0, 'and no one else''s role assignments');
SELECT throws_ok($$SELECT auth_subject FROM identity.user_account$$, '42501', NULL, 'the auth subject is sealed');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT is((SELECT count(*)::int FROM identity.user_account WHERE id IN (SELECT v FROM ids)), 2,
          'the back office reads every account');
RESET ROLE;
SET LOCAL ROLE mercato_anon;
SELECT throws_ok($$SELECT 1 FROM identity.user_account$$, '42501', NULL, 'anonymous callers read no user');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
