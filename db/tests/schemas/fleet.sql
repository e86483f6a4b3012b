-- Tests for schemas/fleet: constraints of vehicles and insurance.
BEGIN;
SELECT plan(5);

SELECT has_table('fleet', 'vehicle_insurance', 'vehicle insurance');
SELECT identity.register_user('kc|sp-p', 'PROVIDER', 'P');
INSERT INTO parties.provider (user_id, provider_type, name) SELECT id, 'COMPANY', 'P plc' FROM identity.user_account WHERE auth_subject = 'kc|sp-p';
INSERT INTO fleet.vehicle (provider_id, plate_number, vehicle_type, seat_count)
SELECT id, 'AA 1234', 'SEDAN', 4 FROM parties.provider WHERE name = 'P plc';
SELECT throws_ok($$INSERT INTO fleet.vehicle (provider_id, plate_number, vehicle_type, seat_count)
                   SELECT id, 'AA 1234', 'SUV', 7 FROM parties.provider WHERE name = 'P plc'$$, '23505', NULL,
                 'plates are unique');
SELECT throws_ok($$INSERT INTO fleet.vehicle (provider_id, plate_number, vehicle_type, seat_count)
                   SELECT id, 'aa 9', 'SUV', 7 FROM parties.provider WHERE name = 'P plc'$$, '23514', NULL,
                 'plates are stored normalised (upper case)');
SELECT throws_ok($$INSERT INTO fleet.vehicle_insurance (vehicle_id, insurance_type, company_name, coverage_start, coverage_end, certificate_url)
                   SELECT id, 'COMPREHENSIVE', 'Nyala', '2026-02-01', '2026-01-01', 'https://x' FROM fleet.vehicle$$,
                 '23514', NULL, 'coverage cannot end before it starts');
SET LOCAL ROLE mercato_service;
SELECT throws_ok($$UPDATE fleet.vehicle SET status = 'ACTIVE'$$, '42501', NULL, 'nor write them, not even the service role');
RESET ROLE;


SELECT * FROM finish();
ROLLBACK;
