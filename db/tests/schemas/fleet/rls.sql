-- Tests for schemas/fleet/rls: a provider reads its own vehicles and their insurance, an admin every one, others none.
BEGIN;
SELECT plan(5);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
SELECT identity.register_user(s, t, s) FROM (VALUES ('kc|fr-biz', 'BUSINESS'), ('kc|fr-p1', 'PROVIDER'),
    ('kc|fr-p2', 'PROVIDER'), ('kc|fr-admin', 'ADMIN')) x(s, t);
SELECT identity.assign_role((SELECT id FROM identity.user_account WHERE auth_subject = 'kc|fr-admin'), 'PLATFORM_ADMIN');
SELECT tests.as_user('kc|fr-biz'); SELECT api.register_business('Own', 'RETAIL'); RESET ROLE;
SELECT tests.as_user('kc|fr-p1'); SELECT api.register_provider('COMPANY', 'P1');
INSERT INTO ids SELECT 'car1', api.add_vehicle('FR-1', 'SEDAN', 4);
INSERT INTO ids SELECT 'ins1', api.add_vehicle_insurance((SELECT v FROM ids WHERE k = 'car1'), 'COMPREHENSIVE', 'Nyala',
    current_date, current_date + 30, 'https://docs.example/1.pdf');
RESET ROLE;
SELECT tests.as_user('kc|fr-p2'); SELECT api.register_provider('COMPANY', 'P2');
INSERT INTO ids SELECT 'car2', api.add_vehicle('FR-2', 'SEDAN', 4); RESET ROLE;

SELECT tests.as_user('kc|fr-p1');
SELECT results_eq($$SELECT id FROM fleet.vehicle$$, $$SELECT v FROM ids WHERE k = 'car1'$$, 'a provider reads its own vehicles only');
SELECT results_eq($$SELECT id FROM fleet.vehicle_insurance$$, $$SELECT v FROM ids WHERE k = 'ins1'$$, 'and their insurance');
RESET ROLE;
SELECT tests.as_user('kc|fr-p2');
SELECT is((SELECT count(*)::int FROM fleet.vehicle_insurance), 0, 'another provider sees no policy of it');
RESET ROLE;
SELECT tests.as_user('kc|fr-biz');
SELECT is((SELECT count(*)::int FROM fleet.vehicle), 0, 'a business reads no vehicle table row');
RESET ROLE;
SELECT tests.as_user('kc|fr-admin');
SELECT is((SELECT count(*)::int FROM fleet.vehicle WHERE id IN (SELECT v FROM ids)), 2, 'a marketplace admin reads every vehicle');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
