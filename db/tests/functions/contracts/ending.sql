-- Tests for functions/contracts/ending: early termination (live assignments end today, everything not earned goes
-- back) and completion (not before the end date); the domain events of a contract's whole life.
BEGIN;
SELECT plan(12);

SELECT tests.put(k, v) FROM tests.contracts_world(true);
-- Contract A's life so far: a sedan assigned and cancelled before delivery (its slot's 10 days gone are released),
-- then v1 returned 3 days ago (the 3 days its slot stayed empty are released).
SELECT tests.as_user('prov-1');
SELECT tests.put('a_v6', (api.assign_vehicle(tests.id('l1'), tests.id('v6'))).id);
SELECT tests.as_user('biz-1');
SELECT api.cancel_assignment(tests.id('a_v6'), 'plans changed');
RESET ROLE;
UPDATE contracts.assignment SET status = 'RETURNED', ended_on = current_date - 3 WHERE id = tests.id('a_v1');
SELECT contracts.release_unearned(tests.id('ca'));
-- Contract C (biz-2, one sedan of P1 from 5 days ahead) is active.
SELECT tests.put('rfq_c', rfq_id) FROM tests.awarded_rfq(tests.id('b2'), current_date + 5, current_date + 15,
    jsonb_build_array(jsonb_build_object('vehicle_type', 'SEDAN', 'quantity', 1, 'provider_id', tests.id('p1'), 'unit_price', 50.00)));
SELECT tests.put('cc', tests.active_contract(tests.id('rfq_c')));

-- Termination -----------------------------------------------------------------------------------
SELECT tests.as_user('biz-2');
SELECT throws_like($$SELECT api.terminate_contract(tests.id('ca'), 'no')$$, 'CONTRACTS_FORBIDDEN:%', 'only its business terminates');
SELECT tests.as_user('biz-1');
SELECT throws_like($$SELECT api.terminate_contract(tests.id('ca'), ' ')$$, 'CORE_INVALID_ARGUMENT:%', 'a reason is required');
SELECT is((api.terminate_contract(tests.id('ca'), 'project ended')).status, 'TERMINATED', 'the business terminates');
RESET ROLE;
SELECT results_eq($$SELECT status, ended_on FROM contracts.assignment WHERE contract_id = tests.id('ca') ORDER BY id$$,
                  $$VALUES ('RETURNED'::text, current_date - 3), ('RETURNED', current_date), ('CANCELLED', NULL::date)$$,
                  'live assignments ended today');
-- Line 1 keeps v1's 7 earned days (700), line 2 its SUV's 10 days (2505.00): earned, not yet settled.
SELECT is(tests.line_hold(tests.id('l1')), 700::numeric, 'line 1 holds only what it earned');
SELECT is(tests.line_hold(tests.id('l2')), 2505::numeric, 'line 2 holds only what it earned');
SELECT is(tests.held(tests.id('w_b1')), 3205::numeric, 'everything else went back to the business');
SELECT is(tests.failing_checks(), 0::bigint, 'check() is clean after termination');
SELECT throws_like($$SELECT contracts.terminate_contract(tests.id('ca'), 'again')$$, 'CONTRACTS_INVALID_STATE:%', 'a contract ends once');
SELECT throws_like($$SELECT contracts.assign_vehicle(tests.id('l1'), tests.id('v8'))$$, 'CONTRACTS_INVALID_STATE:%',
                   'no assignments on a terminated contract');

-- Completion ----------------------------------------------------------------------------------------
SELECT throws_like($$SELECT contracts.complete_contract(tests.id('cc'))$$, 'CONTRACTS_INVALID_STATE:%', 'not before the end date');

SELECT is((SELECT count(*) FROM audit.event WHERE module = 'contracts' AND entity_type = 'contract' AND entity_id = tests.id('ca')::text
              AND action IN ('CREATED', 'ACTIVATED', 'UNEARNED_RELEASED', 'TERMINATED')), 6::bigint, 'domain events are recorded');

SELECT * FROM finish();
ROLLBACK;
