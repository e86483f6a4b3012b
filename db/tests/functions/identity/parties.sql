-- Tests for functions/identity/parties: registration, who may do what, vehicles, insurance coverage, top-up.
BEGIN;
SELECT plan(31);

SELECT identity.register_user('kc|pt-biz', 'BUSINESS', 'Selam');
SELECT identity.register_user('kc|pt-prov', 'PROVIDER', 'Abebe');
SELECT identity.register_user('kc|pt-prov2', 'PROVIDER', 'Tana');
SELECT identity.register_user('kc|pt-admin', 'ADMIN', 'Admin');
SELECT identity.assign_role((SELECT id FROM identity.user_account WHERE auth_subject = 'kc|pt-admin'), 'PLATFORM_ADMIN');
CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
-- identity.current_business / current_provider are internal (API roles reach them through SECURITY DEFINER functions);
-- granted in this rolled-back transaction only, to read the caller's own party as that caller.
GRANT EXECUTE ON FUNCTION identity.current_business(), identity.current_provider() TO mercato_user;

-- registration
SELECT tests.as_user('kc|pt-biz');
INSERT INTO ids SELECT 'biz', api.register_business('Selam Logistics PLC', 'LOGISTICS', 'TIN-0001');
SELECT throws_like($$SELECT api.register_business('Again', 'LOGISTICS')$$, 'IDENTITY_ALREADY_REGISTERED:%', 'one business per user');
SELECT throws_like($$SELECT api.register_provider('COMPANY', 'Nope')$$, 'IDENTITY_WRONG_USER_TYPE:%', 'a business user is not a provider');
SELECT throws_like($$SELECT api.set_business_kyb((SELECT v FROM ids WHERE k = 'biz'), 'VERIFIED')$$,
                   'IDENTITY_PERMISSION_DENIED:%', 'a business cannot verify itself');
SELECT is((identity.current_business()).kyb_status, 'PENDING_KYB', 'a new business awaits KYB');
RESET ROLE;
SELECT is((SELECT a.owner_type || ':' || a.purpose || ':' || a.currency FROM ledger.account a
             JOIN identity.business b ON b.wallet_account_id = a.id WHERE b.id = (SELECT v FROM ids WHERE k = 'biz')),
          'BUSINESS:MAIN:ETB', 'registration opens the business wallet in the marketplace currency');

SELECT tests.as_user('kc|pt-prov');
SELECT throws_like($$SELECT api.register_provider('FLEET', 'Abebe Cars')$$, 'IDENTITY_PARTY_INVALID:%', 'provider types are checked');
SELECT throws_like($$SELECT api.register_provider('COMPANY', '   ')$$, 'IDENTITY_PARTY_INVALID:%', 'a name is required');
INSERT INTO ids SELECT 'prov', api.register_provider('COMPANY', 'Abebe Cars', 'TIN-0002');
SELECT is((identity.current_provider()).trust_score::int, 50, 'a new provider starts at TRUST_SCORE_INITIAL');
SELECT is((identity.current_provider()).tier_code, 'BRONZE', 'and in the default tier');

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
SELECT ok(NOT identity.vehicle_insured((SELECT v FROM ids WHERE k = 'car'), current_date, current_date + 30),
          'unverified policies cover nothing');
SELECT tests.as_user('kc|pt-admin');
SELECT api.verify_insurance(v, 'VERIFIED') FROM ids WHERE k IN ('ins1', 'ins2', 'ins3');
SELECT api.set_vehicle_status((SELECT v FROM ids WHERE k = 'car'), 'ACTIVE');
SELECT api.set_business_kyb((SELECT v FROM ids WHERE k = 'biz'), 'VERIFIED');
SELECT api.set_provider_verification((SELECT v FROM ids WHERE k = 'prov'), 'VERIFIED');
SELECT throws_like($$SELECT api.set_provider_verification(999999999, 'VERIFIED')$$, 'IDENTITY_UNKNOWN_PROVIDER:%', 'unknown provider');
SELECT is((SELECT count(*)::int FROM api.expiring_insurance(12)), 1, 'an admin sees every policy expiring within 12 days');
RESET ROLE;
SELECT ok(identity.vehicle_insured((SELECT v FROM ids WHERE k = 'car'), current_date, current_date + 30),
          'two consecutive verified policies cover the month together');
SELECT ok(NOT identity.vehicle_insured((SELECT v FROM ids WHERE k = 'car'), current_date, current_date + 60),
          'a gap between policies leaves the period uninsured');
SELECT ok(identity.vehicle_insured((SELECT v FROM ids WHERE k = 'car'), current_date + 50, current_date + 60),
          'a period inside the third policy is insured');
SELECT tests.as_user('kc|pt-prov');
SELECT results_eq($$SELECT company_name, days_left FROM api.expiring_insurance(12)$$,
                  $$VALUES ('Nyala', 9)$$, 'the provider lists its own policy expiring within 12 days');
SELECT lives_ok($$SELECT api.set_vehicle_status((SELECT v FROM ids WHERE k = 'car'), 'RETIRED')$$,
                'a provider may retire its own vehicle');
RESET ROLE;
SELECT tests.as_user('kc|pt-prov2');
INSERT INTO ids SELECT 'prov2', api.register_provider('INDIVIDUAL', 'Tana Fleet');
SELECT throws_like($$SELECT api.set_vehicle_status((SELECT v FROM ids WHERE k = 'car'), 'RETIRED')$$,
                   'IDENTITY_UNKNOWN_VEHICLE:%', 'another provider''s vehicle is unknown to you');
SELECT throws_like($$SELECT api.add_vehicle_insurance((SELECT v FROM ids WHERE k = 'car'), 'COMPREHENSIVE', 'X',
    current_date, current_date + 1, 'https://x')$$, 'IDENTITY_UNKNOWN_VEHICLE:%', 'nor can you insure it');
SELECT is((SELECT count(*)::int FROM api.expiring_insurance(365)), 0, 'nor see its policies');
RESET ROLE;

-- top-up (back office)
SELECT tests.as_user('kc|pt-biz');
SELECT throws_like($$SELECT api.top_up_business((SELECT v FROM ids WHERE k = 'biz'), 100, 'topup-1')$$,
                   'IDENTITY_PERMISSION_DENIED:%', 'a business cannot mint money');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT ok(api.top_up_business((SELECT v FROM ids WHERE k = 'biz'), 5000, 'topup-1') > 0, 'the back office tops a wallet up');
SELECT is(api.top_up_business((SELECT v FROM ids WHERE k = 'biz'), 5000, 'topup-1'),
          (SELECT id FROM api.transactions WHERE reference = 'topup-1'), 'idempotently');
RESET ROLE;
SELECT is((SELECT balance FROM ledger.account_balance((SELECT wallet_account_id FROM identity.business WHERE id = (SELECT v FROM ids WHERE k = 'biz')))),
          5000::numeric, 'once');

SELECT * FROM finish();
ROLLBACK;
