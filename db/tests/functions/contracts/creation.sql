-- Tests for functions/contracts/creation: the contract from an awarded RFQ, its snapshots and lines, the commission
-- terms in force at award time, and cancelling before activation.
BEGIN;
SELECT plan(21);

SELECT tests.put(k, v) FROM tests.contracts_world();
-- An RFQ still published (not awarded), through the api as its business.
SELECT tests.as_user('biz-1');
SELECT tests.put('rfq_open', api.create_rfq('fleet', current_date + 30, current_date + 40, now() + interval '2 days',
                                            '[{"vehicle_type": "SEDAN", "quantity": 1}]'));
SELECT api.publish_rfq(tests.id('rfq_open'));
RESET ROLE;

SELECT is_definer('contracts', 'create_contract', ARRAY['bigint'], 'create_contract is SECURITY DEFINER');

-- Creating the contract -----------------------------------------------------------------------------
SELECT tests.as_user('biz-2');
SELECT throws_like($$SELECT api.create_contract(tests.id('rfq_a'))$$, 'CONTRACTS_FORBIDDEN:%',
                   'another business cannot make the contract');
SELECT tests.as_user('biz-1');
SELECT throws_ok($$SELECT api.create_contract(tests.id('rfq_open'))$$, 'PT409', NULL, 'a published RFQ is not awarded (409)');
SELECT throws_like($$SELECT api.create_contract(tests.id('rfq_open'))$$, 'CONTRACTS_RFQ_NOT_AWARDED:%', 'with its code');
SELECT throws_like($$SELECT api.create_contract(-1)$$, 'CONTRACTS_UNKNOWN_RFQ:%', 'unknown RFQ');
SELECT lives_ok($$SELECT api.create_contract(tests.id('rfq_a'))$$, 'the business owner makes the contract');
RESET ROLE;
SELECT tests.put('ca', (SELECT id FROM contracts.contract WHERE rfq_id = tests.id('rfq_a')));
SELECT is((contracts.create_contract(tests.id('rfq_a'))).id, tests.id('ca'), 'a second call returns the same contract');
SELECT is((SELECT count(*) FROM contracts.contract WHERE rfq_id = tests.id('rfq_a')), 1::bigint, 'one contract per RFQ');
SELECT results_eq($$SELECT status, total_amount, start_date, end_date, business_wallet_account_id FROM contracts.contract WHERE id = tests.id('ca')$$,
                  $$VALUES ('PENDING_ACTIVATION'::text, 13515.0000::numeric(20,4), current_date - 10, current_date + 19, tests.id('w_b1'))$$,
                  'pending, total = sum of quantity x price x 30 days, the business wallet');
SELECT results_eq($$SELECT days, quantity, unit_price, total_amount, provider_id, vehicle_type, engine_type
                      FROM contracts.contract_line WHERE contract_id = tests.id('ca') ORDER BY id$$,
                  $$VALUES (30, 2, 100.0000::numeric(20,4), 6000.0000::numeric(20,4), tests.id('p1'), 'SEDAN'::text, NULL::text),
                           (30, 1, 250.5000::numeric(20,4), 7515.0000::numeric(20,4), tests.id('p2'), 'SUV', 'DIESEL')$$,
                  'one line per award: days = end - start + 1, total = quantity x unit_price x days');
SELECT results_eq($$SELECT provider_id, tier_code, commission_rate, commission_min, commission_max, wallet_account_id
                      FROM contracts.party_provider WHERE contract_id = tests.id('ca') ORDER BY provider_id$$,
                  $$VALUES (tests.id('p1'), 'BRONZE'::text, 0.10000::numeric(6,5), 50.0000::numeric(20,4), 50000.0000::numeric(20,4), tests.id('w_p1')),
                           (tests.id('p2'), 'BRONZE', 0.10000::numeric(6,5), 50.0000::numeric(20,4), 50000.0000::numeric(20,4), tests.id('w_p2'))$$,
                  'each provider''s tier and commission terms are snapshotted');
SELECT results_eq($$SELECT commission_min_share FROM contracts.party_provider WHERE contract_id = tests.id('ca')$$,
                  $$VALUES (0.25000::numeric(6,5)), (0.25000)$$, 'and the most of a line the minimum may take (the rule''s share)');
SELECT results_eq($$SELECT business_id, name, kyb_status, tier_code FROM contracts.party_business WHERE contract_id = tests.id('ca')$$,
                  $$VALUES (tests.id('b1'), 'Biz One'::text, 'VERIFIED'::text, 'STANDARD'::text)$$, 'the business is snapshotted');
SELECT is(tests.failing_checks(), 0::bigint, 'check() is clean after creation');

-- Commission terms in force at award time survive a later COMMISSION_STRATEGY version ------------------------
SELECT lives_ok($$SELECT masterdata.add_policy_version('COMMISSION_STRATEGY', now(), '{"rows": "masterdata.commission_rule"}', 'v2')$$,
                'a new commission version from now on');
INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount)
SELECT (masterdata.policy_in_force('COMMISSION_STRATEGY', now())).id, t.code, 'ETB', 0.2, 10, 1000 FROM masterdata.provider_tier t;
SELECT tests.put('rfq_b', rfq_id) FROM tests.awarded_rfq(tests.id('b2'), current_date + 40, current_date + 49,
    jsonb_build_array(jsonb_build_object('vehicle_type', 'SEDAN', 'quantity', 1, 'provider_id', tests.id('p1'), 'unit_price', 10.00)),
    now() + interval '1 second');
SELECT tests.put('cb', (contracts.create_contract(tests.id('rfq_b'))).id);
SELECT is((SELECT commission_rate FROM contracts.party_provider WHERE contract_id = tests.id('cb')), 0.20000::numeric(6,5),
          'a contract awarded after the new version takes its rate');
SELECT is((SELECT commission_rate FROM contracts.party_provider WHERE contract_id = tests.id('ca') AND provider_id = tests.id('p1')),
          0.10000::numeric(6,5), 'the earlier contract keeps the rate in force at its award time');
SELECT isnt((SELECT commission_policy_version_id FROM contracts.contract WHERE id = tests.id('ca')),
            (SELECT commission_policy_version_id FROM contracts.contract WHERE id = tests.id('cb')), 'and records its own version');
SELECT is(contracts.provider_tier_at(tests.id('p1'), now()), 'BRONZE', 'tier at an instant without history is the current tier');

-- Cancellation before activation -----------------------------------------------------------------------
SELECT is((contracts.cancel_contract(tests.id('cb'), 'not needed')).status, 'CANCELLED', 'an unactivated contract can be cancelled');
SELECT throws_like($$SELECT contracts.activate_contract(tests.id('cb'))$$, 'CONTRACTS_INVALID_STATE:%', 'and no longer activated');

SELECT * FROM finish();
ROLLBACK;
