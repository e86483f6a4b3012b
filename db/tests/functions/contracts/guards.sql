-- Tests for functions/contracts/guards: snapshots, a contract's and a line's terms never change and are never deleted,
-- status moves only forward, a handover is never back-dated — whoever writes, the owner included.
BEGIN;
SELECT plan(9);

SELECT tests.put(k, v) FROM tests.contracts_world();
SELECT tests.put('ca', (contracts.create_contract(tests.id('rfq_a'))).id);

-- Snapshot immutability -------------------------------------------------------------------------------
UPDATE parties.provider SET name = 'Renamed', tier_code = 'GOLD' WHERE id = tests.id('p1');
SELECT is((SELECT name || '/' || tier_code FROM contracts.party_provider WHERE contract_id = tests.id('ca') AND provider_id = tests.id('p1')),
          'Prov One/BRONZE', 'later changes of the provider do not reach the snapshot');
SELECT throws_like($$UPDATE contracts.party_provider SET commission_rate = 0.01 WHERE contract_id = tests.id('ca')$$,
                   'CONTRACTS_IMMUTABLE:%', 'a provider snapshot cannot be updated, even by the owner');
SELECT throws_ok($$DELETE FROM contracts.party_business WHERE contract_id = tests.id('ca')$$, 'PT403', NULL,
                 'a business snapshot cannot be deleted');
SELECT throws_like($$UPDATE contracts.contract_line SET unit_price = 1 WHERE contract_id = tests.id('ca')$$,
                   'CONTRACTS_IMMUTABLE:%', 'line terms cannot change');
SELECT throws_like($$UPDATE contracts.contract SET total_amount = 1 WHERE id = tests.id('ca')$$,
                   'CONTRACTS_IMMUTABLE:%', 'contract terms cannot change');
SELECT throws_like($$UPDATE contracts.contract SET status = 'COMPLETED' WHERE id = tests.id('ca')$$,
                   'CONTRACTS_INVALID_STATE:%', 'status transitions are guarded');
SELECT throws_like($$DELETE FROM contracts.contract_line WHERE contract_id = tests.id('ca')$$,
                   'CONTRACTS_IMMUTABLE:%', 'lines are never deleted');
SELECT is((SELECT count(*) FROM information_schema.role_table_grants
            WHERE table_schema = 'contracts' AND grantee IN ('mercato_user', 'mercato_service', 'mercato_anon')
              AND privilege_type IN ('INSERT', 'UPDATE', 'DELETE')), 0::bigint, 'no application role writes contracts tables');

-- Assignments: the escrow bound relies on a handover never being back-dated. Contract A activated, a sedan assigned.
SELECT ledger.transfer('fund-b1-more', tests.id('bank'), tests.id('w_b1'), 1000);
SELECT tests.active_contract(tests.id('rfq_a'));
SELECT tests.put('l1', (SELECT id FROM contracts.contract_line WHERE award_id = tests.id('award_a1')));
SELECT tests.as_user('prov-1');
SELECT tests.put('a_v7', (api.assign_vehicle(tests.id('l1'), tests.id('v7'))).id);
RESET ROLE;
SELECT throws_like($$UPDATE contracts.assignment SET status = 'ACTIVE', started_on = current_date - 1 WHERE id = tests.id('a_v7')$$,
                   'CONTRACTS_INVALID_STATE:%', 'a handover cannot be back-dated');

SELECT * FROM finish();
ROLLBACK;
