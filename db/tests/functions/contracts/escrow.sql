-- Tests for functions/contracts/escrow: activation into escrow (one hold per line, all or nothing), the release of
-- what a contract can no longer earn after an early return, and the references of a line's hold chain.
BEGIN;
SELECT plan(21);

SELECT tests.put(k, v) FROM tests.contracts_world();
SELECT tests.put('ca', (contracts.create_contract(tests.id('rfq_a'))).id);
SELECT tests.put('l' || row_number() OVER (ORDER BY id), id) FROM contracts.contract_line WHERE contract_id = tests.id('ca');

-- Activation into escrow ----------------------------------------------------------------------------
SELECT tests.as_user('biz-2');
SELECT throws_like($$SELECT api.activate_contract(tests.id('ca'))$$, 'CONTRACTS_FORBIDDEN:%', 'only the business owner activates');
SELECT tests.as_user('biz-1');
SELECT throws_ok($$SELECT api.activate_contract(tests.id('ca'))$$, 'PT402', NULL, 'not enough funds: 402');
SELECT throws_like($$SELECT api.activate_contract(tests.id('ca'))$$, 'CONTRACTS_INSUFFICIENT_FUNDS:%', 'with its own code');
RESET ROLE;
SELECT is((SELECT status FROM contracts.contract WHERE id = tests.id('ca')), 'PENDING_ACTIVATION', 'the refused activation changed no status');
SELECT is(tests.held(tests.id('w_b1')), 0::numeric, 'held nothing');
SELECT is((SELECT count(*) FROM ledger.hold WHERE account_id = tests.id('w_b1')), 0::bigint, 'created no hold');
SELECT is((SELECT sum(escrowed) FROM contracts.contract_line WHERE contract_id = tests.id('ca')), 0::numeric, 'escrowed nothing');
SELECT lives_ok($$SELECT ledger.transfer('fund-b1-more', tests.id('bank'), tests.id('w_b1'), 1000)$$, 'top up to 14000');
SELECT tests.as_user('biz-1');
SELECT is((api.activate_contract(tests.id('ca'))).status, 'ACTIVE', 'the owner activates');
SELECT is((api.activate_contract(tests.id('ca'))).status, 'ACTIVE', 'activating again is a no-op');
RESET ROLE;
SELECT is(tests.held(tests.id('w_b1')), 13515::numeric, 'the full amount is held on the business wallet, once');
SELECT results_eq($$SELECT escrowed, h.amount, h.status::text FROM contracts.contract_line l JOIN ledger.hold h ON h.id = l.hold_id
                     WHERE l.contract_id = tests.id('ca') ORDER BY l.id$$,
                  $$VALUES (6000.0000::numeric(20,4), 6000.0000::numeric, 'OPEN'), (7515.0000::numeric(20,4), 7515.0000::numeric, 'OPEN')$$,
                  'one open hold per line for its total');
SELECT is(tests.failing_checks(), 0::bigint, 'check() is clean after activation');

-- Early return ----------------------------------------------------------------------------------
-- Line 1 (2 x 100.00 x 30 days = 6000): v1 was handed over on the first day, line 2's SUV too; line 1's second slot
-- never had a vehicle, so its 10 days gone (1000.00) were released (as cancelling a pending assignment does).
SELECT tests.delivered_assignment(tests.id('l1'), tests.id('v1'), current_date - 10);
SELECT tests.delivered_assignment(tests.id('l2'), tests.id('v_suv_diesel'), current_date - 10);
SELECT contracts.release_unearned(tests.id('ca'));
-- v1 was returned 3 days ago (as delivery records it): it earned days -10..-4 (700); its slot had no vehicle for 3
-- days (300 lost); both slots can still earn today..end (2 x 20 x 100).
UPDATE contracts.assignment SET status = 'RETURNED', ended_on = current_date - 3 WHERE vehicle_id = tests.id('v1');
SELECT is(contracts.release_unearned(tests.id('ca')), 300::numeric, 'early return releases exactly the unearnable 300.00');
SELECT is(tests.line_hold(tests.id('l1')), 4700::numeric, 'the line''s new hold holds the rest');
SELECT is((SELECT released FROM contracts.contract_line WHERE id = tests.id('l1')), 1300::numeric(20,4), 'released is recorded');
SELECT is(tests.held(tests.id('w_b1')), 12215::numeric, 'and the business has it available again');
SELECT is(contracts.release_unearned(tests.id('ca')), 0::numeric, 'releasing again releases nothing');
SELECT is(tests.failing_checks(), 0::bigint, 'check() is clean after an early return');

-- references: one builder (ledger.build_reference), the formats already posted unchanged
SELECT is(ledger.build_reference('contract-line', 12, 'hold', '450', '0'), 'contract-line:12:hold:450:0', 'entity:id:step:parts');
SELECT is(contracts.hold_reference(12, 450.0000, 0.0000), 'contract-line:12:hold:450:0', 'a line''s hold reference, trimmed');

SELECT * FROM finish();
ROLLBACK;
