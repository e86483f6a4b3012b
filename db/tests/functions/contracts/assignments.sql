-- Tests for functions/contracts/assignments: who may assign which vehicle (type, engine, insurance, status,
-- quantity), no double booking within or across contracts, and cancelling before delivery.
BEGIN;
SELECT plan(23);

SELECT tests.put(k, v) FROM tests.contracts_world(true);

SELECT tests.as_user('prov-2');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l1'), tests.id('v7'))$$, 'CONTRACTS_FORBIDDEN:%',
                   'another provider cannot assign to the line');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l2'), tests.id('v_suv_petrol'))$$, 'CONTRACTS_VEHICLE_TYPE_MISMATCH:%',
                   'the engine must match when the line names one');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l2'), tests.id('v4_suv'))$$, 'CONTRACTS_UNKNOWN_VEHICLE:%',
                   'a vehicle of another provider is unknown here');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l2'), tests.id('v_suv_diesel'))$$, 'CONTRACTS_LINE_FULL:%',
                   'the line already has its one vehicle');
SELECT tests.as_user('prov-1');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l1'), tests.id('v3_uninsured'))$$, 'CONTRACTS_VEHICLE_UNINSURED:%',
                   'an uninsured vehicle is refused');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l1'), tests.id('v2_partly'))$$, 'CONTRACTS_VEHICLE_UNINSURED:%',
                   'a vehicle insured for part of the period (a gap of one day) is refused');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l1'), tests.id('v4_suv'))$$, 'CONTRACTS_VEHICLE_TYPE_MISMATCH:%',
                   'an SUV is not a sedan');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l1'), tests.id('v5_review'))$$, 'CONTRACTS_VEHICLE_INACTIVE:%',
                   'a vehicle under review is refused');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l1'), tests.id('v1'))$$, 'CONTRACTS_VEHICLE_DOUBLE_BOOKED:%',
                   'a vehicle already on the line cannot be booked twice');
SELECT lives_ok($$SELECT tests.id('v6')$$, 'no engine named on the line: any engine fits');
SELECT is((api.assign_vehicle(tests.id('l1'), tests.id('v6'))).status, 'PENDING_DELIVERY', 'the provider assigns a vehicle');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('l1'), tests.id('v7'))$$, 'CONTRACTS_LINE_FULL:%',
                   'at most quantity live assignments');
RESET ROLE;
SELECT is((SELECT period FROM contracts.assignment WHERE vehicle_id = tests.id('v6')), daterange(current_date, current_date + 20),
          'the assignment runs from today to the end date');
SELECT is(tests.failing_checks(), 0::bigint, 'check() is clean after assignments');

-- Double booking across two contracts (contract C overlaps A).
SELECT tests.put('rfq_c', rfq_id), tests.put('award_c1', award_id)
  FROM tests.awarded_rfq(tests.id('b2'), current_date + 5, current_date + 15,
                         jsonb_build_array(jsonb_build_object('vehicle_type', 'SEDAN', 'quantity', 1, 'provider_id', tests.id('p1'),
                                                              'unit_price', 50.00)));
SELECT tests.put('cc', (contracts.create_contract(tests.id('rfq_c'))).id);
SELECT is((contracts.activate_contract(tests.id('cc'))).status, 'ACTIVE', 'contract C is active');
SELECT tests.put('lc', (SELECT id FROM contracts.contract_line WHERE award_id = tests.id('award_c1')));
SELECT tests.as_user('prov-1');
SELECT throws_ok($$SELECT api.assign_vehicle(tests.id('lc'), tests.id('v6'))$$, 'PT409', NULL,
                 'a vehicle booked on A cannot be booked on the overlapping C (409)');
SELECT throws_like($$SELECT api.assign_vehicle(tests.id('lc'), tests.id('v6'))$$, 'CONTRACTS_VEHICLE_DOUBLE_BOOKED:%',
                   'with its own code instead of 23P01');
SELECT is((api.assign_vehicle(tests.id('lc'), tests.id('v7'))).status, 'PENDING_DELIVERY', 'a free vehicle can be');
RESET ROLE;

-- Cancelling before delivery frees the vehicle. The open slot can still earn from today, but the 10 days it never
-- had a vehicle (days -10..-1, 10 x 100.00) can no longer be earned: they are released.
SELECT tests.put('a_v6', (SELECT id FROM contracts.assignment WHERE vehicle_id = tests.id('v6')));
SELECT tests.as_user('biz-1');
SELECT is((api.cancel_assignment(tests.id('a_v6'), 'plans changed')).status,
          'CANCELLED', 'the business cancels a pending assignment');
RESET ROLE;
SELECT throws_like($$SELECT contracts.cancel_assignment(tests.id('a_v1'))$$,
                   'CONTRACTS_INVALID_STATE:%', 'a delivered assignment cannot be cancelled');
SELECT is((SELECT released FROM contracts.contract_line WHERE id = tests.id('l1')), 1000::numeric(20,4),
          'cancelling released the 1000.00 the empty slot can no longer earn');
SELECT is(tests.line_hold(tests.id('l1')), 5000::numeric, 'the line''s new hold holds the rest');
SELECT is(tests.failing_checks(), 0::bigint, 'check() is clean after a cancellation');

SELECT * FROM finish();
ROLLBACK;
