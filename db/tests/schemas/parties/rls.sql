-- Tests for schemas/parties/rls: who reads which party rows (and, through them, users and vehicles), through the tables.
BEGIN;
SELECT plan(19);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
SELECT identity.register_user(s, t, s) FROM (VALUES ('kc|ir-biz', 'BUSINESS'), ('kc|ir-biz2', 'BUSINESS'),
    ('kc|ir-p1', 'PROVIDER'), ('kc|ir-p2', 'PROVIDER'), ('kc|ir-admin', 'ADMIN')) x(s, t);
SELECT identity.assign_role((SELECT id FROM identity.user_account WHERE auth_subject = 'kc|ir-admin'), 'PLATFORM_ADMIN');
SELECT tests.as_user('kc|ir-biz'); INSERT INTO ids SELECT 'biz', api.register_business('Own', 'RETAIL'); RESET ROLE;
SELECT tests.as_user('kc|ir-biz2'); INSERT INTO ids SELECT 'biz2', api.register_business('Other', 'RETAIL'); RESET ROLE;
SELECT tests.as_user('kc|ir-p1'); INSERT INTO ids SELECT 'p1', api.register_provider('COMPANY', 'P1');
INSERT INTO ids SELECT 'car1', api.add_vehicle('IR-1', 'SEDAN', 4); RESET ROLE;
SELECT tests.as_user('kc|ir-p2'); INSERT INTO ids SELECT 'p2', api.register_provider('COMPANY', 'P2');
INSERT INTO ids SELECT 'car2', api.add_vehicle('IR-2', 'SEDAN', 4); RESET ROLE;

SELECT tests.as_user('kc|ir-biz');
SELECT results_eq($$SELECT id FROM parties.business$$, $$SELECT v FROM ids WHERE k = 'biz'$$, 'a business reads its own business row only');
SELECT is((SELECT count(*)::int FROM parties.provider), 0, 'and no provider');
SELECT is((SELECT count(*)::int FROM fleet.vehicle), 0, 'and no vehicle');
SELECT results_eq($$SELECT id FROM identity.user_account$$, $$SELECT user_id FROM parties.business WHERE id = (SELECT v FROM ids WHERE k = 'biz')$$,
                  'and its own user account only');
SELECT throws_ok($$SELECT 1 FROM identity.user_account WHERE auth_subject >= 'kc'$$, '42501', NULL,
                 'but not by subject: auth_subject is sealed (an index range probe would list everyone''s)');
SELECT throws_ok($$UPDATE parties.business SET kyb_status = 'VERIFIED'$$, '42501', NULL, 'it cannot set its own KYB');
RESET ROLE;

SELECT tests.as_user('kc|ir-p1');
SELECT results_eq($$SELECT id FROM parties.provider$$, $$SELECT v FROM ids WHERE k = 'p1'$$, 'a provider reads its own provider row');
SELECT results_eq($$SELECT id FROM fleet.vehicle$$, $$SELECT v FROM ids WHERE k = 'car1'$$, 'and its own vehicles only');
SELECT is((SELECT count(*)::int FROM parties.business), 0, 'and no business');
RESET ROLE;

-- a member of the business reads it like its owner, whatever its role; a provider's STAFF its provider's vehicles
SELECT identity.register_user(s, 'STAFF', s) FROM (VALUES ('kc|ir-staff'), ('kc|ir-driver')) x(s);
SELECT identity.add_member(b.organization_id, u.id, NULL, 'STAFF') FROM parties.business b, identity.user_account u
 WHERE b.id = (SELECT v FROM ids WHERE k = 'biz') AND u.auth_subject = 'kc|ir-staff';
SELECT identity.add_member(p.organization_id, u.id, NULL, 'STAFF') FROM parties.provider p, identity.user_account u
 WHERE p.id = (SELECT v FROM ids WHERE k = 'p1') AND u.auth_subject = 'kc|ir-driver';
SELECT tests.as_user('kc|ir-staff');
SELECT results_eq($$SELECT id FROM parties.business$$, $$SELECT v FROM ids WHERE k = 'biz'$$, 'a STAFF member reads its business');
RESET ROLE;
SELECT tests.as_user('kc|ir-driver');
SELECT results_eq($$SELECT id FROM fleet.vehicle$$, $$SELECT v FROM ids WHERE k = 'car1'$$, 'and a provider''s STAFF its vehicles');
RESET ROLE;
SELECT identity.remove_member(b.organization_id, u.id) FROM parties.business b, identity.user_account u
 WHERE b.id = (SELECT v FROM ids WHERE k = 'biz') AND u.auth_subject = 'kc|ir-staff';
SELECT tests.as_user('kc|ir-staff');
SELECT is((SELECT count(*)::int FROM parties.business), 0, 'a removed member reads it no more');
RESET ROLE;
SELECT set_config('request.jwt.claims', json_build_object('sub', 'kc|ir-driver', 'role', 'mercato_user', 'org', 999999999)::text, true);
SET LOCAL ROLE mercato_user;
SELECT is((SELECT count(*)::int FROM fleet.vehicle), 0, 'a forged "org" claim acts for nothing (row-level security: no rows, no error)');
RESET ROLE;

SELECT tests.as_user('kc|ir-admin');
SELECT is((SELECT count(*)::int FROM parties.business WHERE id IN (SELECT v FROM ids)), 2, 'a marketplace admin reads every business (KYB)');
SELECT is((SELECT count(*)::int FROM fleet.vehicle WHERE id IN (SELECT v FROM ids)), 2, 'and every vehicle');
SELECT is((SELECT count(*)::int FROM identity.user_account), 1, 'but only its own user account');
RESET ROLE;

SET LOCAL ROLE mercato_service;
SELECT is((SELECT count(*)::int FROM parties.provider WHERE id IN (SELECT v FROM ids)), 2, 'the back office reads all parties');
RESET ROLE;
SET LOCAL ROLE mercato_anon;
SELECT throws_ok($$SELECT 1 FROM parties.business$$, '42501', NULL, 'anonymous callers read no party table');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname IN ('identity', 'parties', 'fleet') AND NOT rowsecurity
            AND tablename NOT IN ('role', 'permission', 'role_permission')), 0,
          'every identity, parties and fleet table has row-level security on (roles and permissions are a catalogue)');

SELECT * FROM finish();
ROLLBACK;
