-- Tests for functions/fleet/vehicles: vehicles, their review, insurance coverage, expiring policies.
BEGIN;
SELECT plan(18);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
-- a business, two providers (the second to be a stranger to the first one's vehicles), a marketplace admin
INSERT INTO ids SELECT 'biz', tests.new_business('kc|pt-biz', 'Selam Logistics PLC', p_verified => false);
INSERT INTO ids SELECT 'prov', tests.new_provider('kc|pt-prov', 'Abebe Cars', p_verified => false);
SELECT identity.assign_role(identity.register_user('kc|pt-admin', 'ADMIN', 'Admin'), 'PLATFORM_ADMIN');
SELECT tests.as_user('kc|pt-prov');

-- vehicles
INSERT INTO ids SELECT 'car', api.add_vehicle(' aa  12345 ', 'SEDAN', 4, 'PETROL', 'Toyota', 'Corolla', ARRAY['vip']);
SELECT is((SELECT plate_number FROM api.my_vehicles()), 'AA 12345', 'plates are normalised');
SELECT throws_like($$SELECT api.add_vehicle('AA 12345', 'SUV', 7)$$, 'IDENTITY_PLATE_TAKEN:%', 'a plate is registered once');
SELECT throws_ok($$SELECT api.add_vehicle('AA 12345', 'SUV', 7)$$, 'PT409', NULL, 'as a 409');
SELECT throws_like($$SELECT api.add_vehicle('BB 1', 'SPACESHIP', 2)$$, 'MASTERDATA_UNKNOWN_LOOKUP:%', 'vehicle types are lookups');
SELECT throws_like($$SELECT api.add_vehicle('BB 1', 'SEDAN', 0)$$, 'IDENTITY_PARTY_INVALID:%', 'seats are counted');
SELECT throws_like($$SELECT api.set_vehicle_status((SELECT v FROM ids WHERE k = 'car'), 'ACTIVE')$$,
                   'IDENTITY_PERMISSION_DENIED:%', 'a provider cannot approve its own vehicle');
-- insurance: two consecutive policies cover a period together; a gap does not
INSERT INTO ids SELECT 'ins1', api.add_vehicle_insurance((SELECT v FROM ids WHERE k = 'car'), 'COMPREHENSIVE', 'Nyala',
    current_date, current_date + 9, 'https://docs.example/1.pdf');
INSERT INTO ids SELECT 'ins2', api.add_vehicle_insurance((SELECT v FROM ids WHERE k = 'car'), 'COMPREHENSIVE', 'Awash',
    current_date + 10, current_date + 40, 'https://docs.example/2.pdf');
INSERT INTO ids SELECT 'ins3', api.add_vehicle_insurance((SELECT v FROM ids WHERE k = 'car'), 'THIRD_PARTY', 'Nib',
    current_date + 45, current_date + 90, 'https://docs.example/3.pdf');
SELECT throws_like($$SELECT api.add_vehicle_insurance((SELECT v FROM ids WHERE k = 'car'), 'COMPREHENSIVE', 'X',
    current_date, current_date - 1, 'https://x')$$, 'IDENTITY_PARTY_INVALID:%', 'coverage must not end before it starts');
RESET ROLE;
SELECT ok(NOT fleet.vehicle_insured((SELECT v FROM ids WHERE k = 'car'), current_date, current_date + 30),
          'unverified policies cover nothing');
SELECT tests.as_user('kc|pt-admin');
SELECT api.verify_insurance(v, 'VERIFIED') FROM ids WHERE k IN ('ins1', 'ins2', 'ins3');
SELECT api.set_vehicle_status((SELECT v FROM ids WHERE k = 'car'), 'ACTIVE');
SELECT api.set_business_kyb((SELECT v FROM ids WHERE k = 'biz'), 'VERIFIED');
SELECT api.set_provider_verification((SELECT v FROM ids WHERE k = 'prov'), 'VERIFIED');
SELECT throws_like($$SELECT api.set_provider_verification(999999999, 'VERIFIED')$$, 'IDENTITY_UNKNOWN_PROVIDER:%', 'unknown provider');
SELECT is((SELECT count(*)::int FROM api.expiring_insurance(12)), 1, 'an admin sees every policy expiring within 12 days');
RESET ROLE;
SELECT ok(fleet.vehicle_insured((SELECT v FROM ids WHERE k = 'car'), current_date, current_date + 30),
          'two consecutive verified policies cover the month together');
SELECT ok(NOT fleet.vehicle_insured((SELECT v FROM ids WHERE k = 'car'), current_date, current_date + 60),
          'a gap between policies leaves the period uninsured');
SELECT ok(fleet.vehicle_insured((SELECT v FROM ids WHERE k = 'car'), current_date + 50, current_date + 60),
          'a period inside the third policy is insured');
SELECT tests.as_user('kc|pt-prov');
SELECT results_eq($$SELECT company_name, days_left FROM api.expiring_insurance(12)$$,
                  $$VALUES ('Nyala', 9)$$, 'the provider lists its own policy expiring within 12 days');
SELECT lives_ok($$SELECT api.set_vehicle_status((SELECT v FROM ids WHERE k = 'car'), 'RETIRED')$$,
                'a provider may retire its own vehicle');
RESET ROLE;
INSERT INTO ids SELECT 'prov2', tests.new_provider('kc|pt-prov2', 'Tana Fleet', p_verified => false);
SELECT tests.as_user('kc|pt-prov2');
SELECT throws_like($$SELECT api.set_vehicle_status((SELECT v FROM ids WHERE k = 'car'), 'RETIRED')$$,
                   'IDENTITY_UNKNOWN_VEHICLE:%', 'another provider''s vehicle is unknown to you');
SELECT throws_like($$SELECT api.add_vehicle_insurance((SELECT v FROM ids WHERE k = 'car'), 'COMPREHENSIVE', 'X',
    current_date, current_date + 1, 'https://x')$$, 'IDENTITY_UNKNOWN_VEHICLE:%', 'nor can you insure it');
SELECT is((SELECT count(*)::int FROM api.expiring_insurance(365)), 0, 'nor see its policies');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
