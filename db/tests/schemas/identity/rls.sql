-- Tests for schemas/identity/rls: a user reads its own tenant, user account and role assignments, the organizations it
-- is a member of and their active members; the back office all.
BEGIN;
SELECT plan(12);

SELECT identity.create_tenant('rls-t1', 'Tenant one');
SELECT identity.create_tenant('rls-t2', 'Tenant two');
CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_service;
INSERT INTO ids SELECT 'a', identity.register_user('kc|idr-a', 'BUSINESS', 'A', p_tenant_id => (SELECT id FROM identity.tenant WHERE code = 'rls-t1'));
INSERT INTO ids SELECT 'b', identity.register_user('kc|idr-b', 'BUSINESS', 'B', p_tenant_id => (SELECT id FROM identity.tenant WHERE code = 'rls-t2'));

CREATE TEMP TABLE org (k text PRIMARY KEY, v bigint);   -- the organization tests' ids (ids: the two users)
GRANT ALL ON org TO mercato_user, mercato_service;
INSERT INTO org SELECT k, v FROM ids;
INSERT INTO org SELECT 'c', identity.register_user('kc|idr-c', 'STAFF', 'C', p_tenant_id => (SELECT id FROM identity.tenant WHERE code = 'rls-t1'));
INSERT INTO org SELECT 'd', identity.register_user('kc|idr-d', 'STAFF', 'D', p_tenant_id => (SELECT id FROM identity.tenant WHERE code = 'rls-t1'));
-- a's organization has c as STAFF and d, removed; b's organization (tenant two) has b only
INSERT INTO org SELECT 'org_a', identity.open_organization('BUSINESS', (SELECT id FROM identity.tenant WHERE code = 'rls-t1'), 'A plc', (SELECT v FROM org WHERE k = 'a'));
INSERT INTO org SELECT 'org_b', identity.open_organization('BUSINESS', (SELECT id FROM identity.tenant WHERE code = 'rls-t2'), 'B plc', (SELECT v FROM org WHERE k = 'b'));
SELECT identity.add_member((SELECT v FROM org WHERE k = 'org_a'), (SELECT v FROM org WHERE k = 'c'), NULL, 'STAFF');
SELECT identity.add_member((SELECT v FROM org WHERE k = 'org_a'), (SELECT v FROM org WHERE k = 'd'), NULL, 'STAFF');
SELECT identity.remove_member((SELECT v FROM org WHERE k = 'org_a'), (SELECT v FROM org WHERE k = 'd'));

SELECT tests.as_user('kc|idr-c');
SELECT results_eq($$SELECT id FROM identity.organization$$, $$SELECT v FROM org WHERE k = 'org_a'$$,
                  'a member reads the organizations it belongs to only');
SELECT results_eq($$SELECT user_id, role FROM identity.membership ORDER BY user_id$$,
                  $$SELECT v, r FROM org JOIN (VALUES ('a', 'OWNER'), ('c', 'STAFF')) x(k, r) USING (k) ORDER BY v$$,
                  'and its co-members (active ones), no one else''s memberships');
RESET ROLE;
SELECT tests.as_user('kc|idr-d');
SELECT is((SELECT count(*)::int FROM identity.organization) + (SELECT count(*)::int FROM identity.membership), 0,
          'a removed member reads neither the organization nor its members');
RESET ROLE;
SELECT tests.as_user('kc|idr-b');
SELECT results_eq($$SELECT organization_id FROM identity.membership$$, $$SELECT v FROM org WHERE k = 'org_b'$$,
                  'another tenant''s member sees its own organization only');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT is((SELECT count(*)::int FROM identity.membership WHERE organization_id IN (SELECT v FROM org WHERE k LIKE 'org\_%')), 4,
          'the back office reads every membership, removed ones included');
RESET ROLE;
SET LOCAL ROLE mercato_anon;
SELECT throws_ok($$SELECT 1 FROM identity.organization$$, '42501', NULL, 'anonymous callers read no organization');
RESET ROLE;

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
