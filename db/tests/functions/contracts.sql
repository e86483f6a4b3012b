-- Tests for functions/contracts: contract from award, snapshots and their immutability, commission terms at award
-- time, activation into escrow, assignments, early return, termination, completion and contracts.check().
BEGIN;
-- The fixtures below load awarded RFQs with their bids directly (the marketplace has its own tests).
SET LOCAL mercato.bulk_load = on;
SELECT plan(94);

-- Fixtures (as the owner): parties, wallets, vehicles, RFQs with bids and awards --------------------------
CREATE FUNCTION pg_temp.rfq(p_business bigint, p_start date, p_end date, p_awarded_at timestamptz,
                            p_status text DEFAULT 'AWARDED')
RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO marketplace.rfq (business_id, title, currency, start_date, end_date, bid_deadline, status, published_at, awarded_at)
    VALUES (p_business, 'fleet', 'ETB', p_start, p_end, p_start::timestamptz - interval '2 days', p_status,
            now() - interval '3 days', CASE WHEN p_status = 'AWARDED' THEN p_awarded_at END)
    RETURNING id $$;
CREATE FUNCTION pg_temp.award(p_rfq bigint, p_line_no int, p_type text, p_engine text, p_qty int, p_provider bigint,
                              p_price numeric, p_awarded_at timestamptz DEFAULT now() - interval '1 day')
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_line bigint; v_bid bigint; v_award bigint;
BEGIN
    INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, engine_type, quantity_required)
    VALUES (p_rfq, p_line_no, p_type, p_engine, p_qty) RETURNING id INTO v_line;
    INSERT INTO marketplace.bid (rfq_id, provider_id, status) VALUES (p_rfq, p_provider, 'AWARDED')
    ON CONFLICT (rfq_id, provider_id) DO NOTHING;
    SELECT id INTO v_bid FROM marketplace.bid WHERE rfq_id = p_rfq AND provider_id = p_provider;
    INSERT INTO marketplace.bid_line (bid_id, rfq_line_id, unit_price, quantity_offered) VALUES (v_bid, v_line, p_price, p_qty);
    INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price, awarded_at)
    VALUES (p_rfq, v_line, v_bid, p_provider, p_qty, p_price, p_awarded_at) RETURNING id INTO v_award;
    RETURN v_award;
END $$;
CREATE FUNCTION pg_temp.vehicle(p_provider bigint, p_plate text, p_type text, p_engine text, p_status text,
                                p_from date, p_to date)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v bigint;
BEGIN
    INSERT INTO fleet.vehicle (provider_id, plate_number, vehicle_type, engine_type, seat_count, status)
    VALUES (p_provider, p_plate, p_type, p_engine, 4, p_status) RETURNING id INTO v;
    IF p_from IS NOT NULL THEN
        INSERT INTO fleet.vehicle_insurance (vehicle_id, insurance_type, company_name, coverage_start, coverage_end,
                                                certificate_url, status)
        VALUES (v, 'COMPREHENSIVE', 'Nyala Insurance', p_from, p_to, 'https://example.test/cert', 'VERIFIED');
    END IF;
    RETURN v;
END $$;
CREATE FUNCTION pg_temp.n_checks_failing() RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM contracts.check() WHERE NOT ok $$;

CREATE TEMP TABLE f (k text PRIMARY KEY, v bigint);
CREATE FUNCTION pg_temp.id(p_k text) RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT v FROM f WHERE k = p_k $$;
CREATE FUNCTION pg_temp.put(p_k text, p_v bigint) RETURNS bigint LANGUAGE sql AS $$
    INSERT INTO f VALUES (p_k, p_v) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v RETURNING v $$;
GRANT SELECT ON f TO mercato_user;
GRANT EXECUTE ON FUNCTION pg_temp.id(text) TO mercato_user;

DO $$
DECLARE v bigint;
BEGIN
    PERFORM pg_temp.put('bank', ledger.open_account('PLATFORM', 'bank', 'CLEARING', 'ETB', true));
    PERFORM pg_temp.put('w_b1', ledger.open_account('BUSINESS', 'b1', 'MAIN', 'ETB'));
    PERFORM pg_temp.put('w_b2', ledger.open_account('BUSINESS', 'b2', 'MAIN', 'ETB'));
    PERFORM pg_temp.put('w_p1', ledger.open_account('PROVIDER', 'p1', 'MAIN', 'ETB'));
    PERFORM pg_temp.put('w_p2', ledger.open_account('PROVIDER', 'p2', 'MAIN', 'ETB'));
    INSERT INTO parties.business (user_id, name, business_type, kyb_status, wallet_account_id)
    VALUES (identity.register_user('biz-1', 'BUSINESS', 'Biz One'), 'Biz One', 'NGO', 'VERIFIED', pg_temp.id('w_b1'))
    RETURNING id INTO v;
    PERFORM pg_temp.put('b1', v);
    INSERT INTO parties.business (user_id, name, business_type, kyb_status, wallet_account_id)
    VALUES (identity.register_user('biz-2', 'BUSINESS', 'Biz Two'), 'Biz Two', 'NGO', 'VERIFIED', pg_temp.id('w_b2'))
    RETURNING id INTO v;
    PERFORM pg_temp.put('b2', v);
    INSERT INTO parties.provider (user_id, provider_type, name, verification_status, wallet_account_id)
    VALUES (identity.register_user('prov-1', 'PROVIDER', 'Prov One'), 'COMPANY', 'Prov One', 'VERIFIED', pg_temp.id('w_p1'))
    RETURNING id INTO v;
    PERFORM pg_temp.put('p1', v);
    INSERT INTO parties.provider (user_id, provider_type, name, verification_status, wallet_account_id)
    VALUES (identity.register_user('prov-2', 'PROVIDER', 'Prov Two'), 'INDIVIDUAL', 'Prov Two', 'VERIFIED', pg_temp.id('w_p2'))
    RETURNING id INTO v;
    PERFORM pg_temp.put('p2', v);
    PERFORM pg_temp.put('admin', identity.register_user('root-1', 'ADMIN', 'Root'));
    PERFORM identity.assign_role(pg_temp.id('admin'), 'PLATFORM_ADMIN');

    -- Contract A: 30 days from 10 days ago. Line 1: 2 sedans from P1 at 100.00; line 2: 1 diesel SUV from P2 at 250.50.
    PERFORM pg_temp.put('rfq_a', pg_temp.rfq(pg_temp.id('b1'), current_date - 10, current_date + 19, now() - interval '1 day'));
    PERFORM pg_temp.put('award_a1', pg_temp.award(pg_temp.id('rfq_a'), 1, 'SEDAN', NULL, 2, pg_temp.id('p1'), 100.00));
    PERFORM pg_temp.put('award_a2', pg_temp.award(pg_temp.id('rfq_a'), 2, 'SUV', 'DIESEL', 1, pg_temp.id('p2'), 250.50));
    -- An RFQ still published (not awarded).
    PERFORM pg_temp.put('rfq_open', pg_temp.rfq(pg_temp.id('b1'), current_date + 30, current_date + 40, NULL, 'PUBLISHED'));

    -- Vehicles of P1 (sedans unless said) and P2.
    PERFORM pg_temp.put('v1', pg_temp.vehicle(pg_temp.id('p1'), 'AA-1', 'SEDAN', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60));
    PERFORM pg_temp.put('v2_partly', pg_temp.vehicle(pg_temp.id('p1'), 'AA-2', 'SEDAN', 'PETROL', 'ACTIVE', current_date - 60, current_date + 5));
    PERFORM pg_temp.put('v3_uninsured', pg_temp.vehicle(pg_temp.id('p1'), 'AA-3', 'SEDAN', 'PETROL', 'ACTIVE', NULL, NULL));
    PERFORM pg_temp.put('v4_suv', pg_temp.vehicle(pg_temp.id('p1'), 'AA-4', 'SUV', 'DIESEL', 'ACTIVE', current_date - 60, current_date + 60));
    PERFORM pg_temp.put('v5_review', pg_temp.vehicle(pg_temp.id('p1'), 'AA-5', 'SEDAN', 'PETROL', 'UNDER_REVIEW', current_date - 60, current_date + 60));
    PERFORM pg_temp.put('v6', pg_temp.vehicle(pg_temp.id('p1'), 'AA-6', 'SEDAN', 'HYBRID', 'ACTIVE', current_date - 60, current_date + 60));
    PERFORM pg_temp.put('v7', pg_temp.vehicle(pg_temp.id('p1'), 'AA-7', 'SEDAN', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60));
    PERFORM pg_temp.put('v8', pg_temp.vehicle(pg_temp.id('p1'), 'AA-8', 'SEDAN', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60));
    PERFORM pg_temp.put('v_suv_diesel', pg_temp.vehicle(pg_temp.id('p2'), 'BB-1', 'SUV', 'DIESEL', 'ACTIVE', current_date - 60, current_date + 60));
    PERFORM pg_temp.put('v_suv_petrol', pg_temp.vehicle(pg_temp.id('p2'), 'BB-2', 'SUV', 'PETROL', 'ACTIVE', current_date - 60, current_date + 60));
    -- Insurance of v7 is split over two consecutive policies: still covered.
    INSERT INTO fleet.vehicle_insurance (vehicle_id, insurance_type, company_name, coverage_start, coverage_end, certificate_url, status)
    VALUES (pg_temp.id('v2_partly'), 'THIRD_PARTY', 'Other', current_date + 7, current_date + 90, 'https://example.test/c2', 'VERIFIED');

    PERFORM ledger.transfer('fund-b1', pg_temp.id('bank'), pg_temp.id('w_b1'), 13000);
    PERFORM ledger.transfer('fund-b2', pg_temp.id('bank'), pg_temp.id('w_b2'), 100000);
END
$$;
CREATE FUNCTION pg_temp.line(p_award text) RETURNS contracts.contract_line LANGUAGE sql STABLE AS $$
    SELECT * FROM contracts.contract_line WHERE award_id = pg_temp.id(p_award) $$;
CREATE FUNCTION pg_temp.held(p_account text) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT held FROM ledger.account_balance(pg_temp.id(p_account)) $$;
CREATE FUNCTION pg_temp.hold_amount(p_award text) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT h.amount FROM ledger.hold h WHERE h.id = (pg_temp.line(p_award)).hold_id AND h.status = 'OPEN' $$;

SELECT is_definer('contracts', 'create_contract', ARRAY['bigint'], 'create_contract is SECURITY DEFINER');
SELECT volatility_is('contracts', 'get_contract', ARRAY['bigint'], 'stable', 'reads are STABLE');

-- Creating the contract -----------------------------------------------------------------------------
SELECT set_config('request.jwt.claims', '{"sub": "biz-2", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT throws_like($$SELECT api.create_contract(pg_temp.id('rfq_a'))$$, 'CONTRACTS_FORBIDDEN:%',
                   'another business cannot make the contract');
SELECT set_config('request.jwt.claims', '{"sub": "biz-1", "role": "mercato_user"}', true);
SELECT throws_ok($$SELECT api.create_contract(pg_temp.id('rfq_open'))$$, 'PT409', NULL, 'a published RFQ is not awarded (409)');
SELECT throws_like($$SELECT api.create_contract(pg_temp.id('rfq_open'))$$, 'CONTRACTS_RFQ_NOT_AWARDED:%', 'with its code');
SELECT throws_like($$SELECT api.create_contract(-1)$$, 'CONTRACTS_UNKNOWN_RFQ:%', 'unknown RFQ');
SELECT lives_ok($$SELECT api.create_contract(pg_temp.id('rfq_a'))$$, 'the business owner makes the contract');
RESET ROLE;
SELECT pg_temp.put('ca', (SELECT id FROM contracts.contract WHERE rfq_id = pg_temp.id('rfq_a')));
SELECT is((contracts.create_contract(pg_temp.id('rfq_a'))).id, pg_temp.id('ca'), 'a second call returns the same contract');
SELECT is((SELECT count(*) FROM contracts.contract WHERE rfq_id = pg_temp.id('rfq_a')), 1::bigint, 'one contract per RFQ');
SELECT results_eq($$SELECT status, total_amount, start_date, end_date, business_wallet_account_id FROM contracts.contract WHERE id = pg_temp.id('ca')$$,
                  $$VALUES ('PENDING_ACTIVATION'::text, 13515.0000::numeric(20,4), current_date - 10, current_date + 19, pg_temp.id('w_b1'))$$,
                  'pending, total = sum of quantity x price x 30 days, the business wallet');
SELECT results_eq($$SELECT days, quantity, unit_price, total_amount, provider_id, vehicle_type, engine_type
                      FROM contracts.contract_line WHERE contract_id = pg_temp.id('ca') ORDER BY id$$,
                  $$VALUES (30, 2, 100.0000::numeric(20,4), 6000.0000::numeric(20,4), pg_temp.id('p1'), 'SEDAN'::text, NULL::text),
                           (30, 1, 250.5000::numeric(20,4), 7515.0000::numeric(20,4), pg_temp.id('p2'), 'SUV', 'DIESEL')$$,
                  'one line per award: days = end - start + 1, total = quantity x unit_price x days');
SELECT results_eq($$SELECT provider_id, tier_code, commission_rate, commission_min, commission_max, wallet_account_id
                      FROM contracts.party_provider WHERE contract_id = pg_temp.id('ca') ORDER BY provider_id$$,
                  $$VALUES (pg_temp.id('p1'), 'BRONZE'::text, 0.10000::numeric(6,5), 50.0000::numeric(20,4), 50000.0000::numeric(20,4), pg_temp.id('w_p1')),
                           (pg_temp.id('p2'), 'BRONZE', 0.10000::numeric(6,5), 50.0000::numeric(20,4), 50000.0000::numeric(20,4), pg_temp.id('w_p2'))$$,
                  'each provider''s tier and commission terms are snapshotted');
SELECT results_eq($$SELECT business_id, name, kyb_status, tier_code FROM contracts.party_business WHERE contract_id = pg_temp.id('ca')$$,
                  $$VALUES (pg_temp.id('b1'), 'Biz One'::text, 'VERIFIED'::text, 'STANDARD'::text)$$, 'the business is snapshotted');
SELECT is(pg_temp.n_checks_failing(), 0::bigint, 'check() is clean after creation');

-- Snapshot immutability -------------------------------------------------------------------------------
UPDATE parties.provider SET name = 'Renamed', tier_code = 'GOLD' WHERE id = pg_temp.id('p1');
SELECT is((SELECT name || '/' || tier_code FROM contracts.party_provider WHERE contract_id = pg_temp.id('ca') AND provider_id = pg_temp.id('p1')),
          'Prov One/BRONZE', 'later changes of the provider do not reach the snapshot');
SELECT throws_like($$UPDATE contracts.party_provider SET commission_rate = 0.01 WHERE contract_id = pg_temp.id('ca')$$,
                   'CONTRACTS_IMMUTABLE:%', 'a provider snapshot cannot be updated, even by the owner');
SELECT throws_ok($$DELETE FROM contracts.party_business WHERE contract_id = pg_temp.id('ca')$$, 'PT403', NULL,
                 'a business snapshot cannot be deleted');
SELECT throws_like($$UPDATE contracts.contract_line SET unit_price = 1 WHERE contract_id = pg_temp.id('ca')$$,
                   'CONTRACTS_IMMUTABLE:%', 'line terms cannot change');
SELECT throws_like($$UPDATE contracts.contract SET total_amount = 1 WHERE id = pg_temp.id('ca')$$,
                   'CONTRACTS_IMMUTABLE:%', 'contract terms cannot change');
SELECT throws_like($$UPDATE contracts.contract SET status = 'COMPLETED' WHERE id = pg_temp.id('ca')$$,
                   'CONTRACTS_INVALID_STATE:%', 'status transitions are guarded');
SELECT throws_like($$DELETE FROM contracts.contract_line WHERE contract_id = pg_temp.id('ca')$$,
                   'CONTRACTS_IMMUTABLE:%', 'lines are never deleted');
SELECT is((SELECT count(*) FROM information_schema.role_table_grants
            WHERE table_schema = 'contracts' AND grantee IN ('mercato_user', 'mercato_service', 'mercato_anon')
              AND privilege_type IN ('INSERT', 'UPDATE', 'DELETE')), 0::bigint, 'no application role writes contracts tables');

-- Commission terms in force at award time survive a later COMMISSION_STRATEGY version ------------------------
SELECT lives_ok($$SELECT masterdata.add_policy_version('COMMISSION_STRATEGY', now(), '{"rows": "masterdata.commission_rule"}', 'v2')$$,
                'a new commission version from now on');
INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount)
SELECT (masterdata.policy_in_force('COMMISSION_STRATEGY', now())).id, t.code, 'ETB', 0.2, 10, 1000 FROM masterdata.provider_tier t;
UPDATE parties.provider SET tier_code = 'BRONZE' WHERE id = pg_temp.id('p1');
SELECT pg_temp.put('rfq_b', pg_temp.rfq(pg_temp.id('b2'), current_date + 40, current_date + 49, now() + interval '1 second'));
SELECT pg_temp.put('award_b1', pg_temp.award(pg_temp.id('rfq_b'), 1, 'SEDAN', NULL, 1, pg_temp.id('p1'), 10.00, now() + interval '1 second'));
SELECT pg_temp.put('cb', (contracts.create_contract(pg_temp.id('rfq_b'))).id);
SELECT is((SELECT commission_rate FROM contracts.party_provider WHERE contract_id = pg_temp.id('cb')), 0.20000::numeric(6,5),
          'a contract awarded after the new version takes its rate');
SELECT is((SELECT commission_rate FROM contracts.party_provider WHERE contract_id = pg_temp.id('ca') AND provider_id = pg_temp.id('p1')),
          0.10000::numeric(6,5), 'the earlier contract keeps the rate in force at its award time');
SELECT isnt((SELECT commission_policy_version_id FROM contracts.contract WHERE id = pg_temp.id('ca')),
            (SELECT commission_policy_version_id FROM contracts.contract WHERE id = pg_temp.id('cb')), 'and records its own version');
SELECT is(contracts.provider_tier_at(pg_temp.id('p1'), now()), 'BRONZE', 'tier at an instant without history is the current tier');

-- Activation into escrow ----------------------------------------------------------------------------
SELECT set_config('request.jwt.claims', '{"sub": "biz-2", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT throws_like($$SELECT api.activate_contract(pg_temp.id('ca'))$$, 'CONTRACTS_FORBIDDEN:%', 'only the business owner activates');
SELECT set_config('request.jwt.claims', '{"sub": "biz-1", "role": "mercato_user"}', true);
SELECT throws_ok($$SELECT api.activate_contract(pg_temp.id('ca'))$$, 'PT402', NULL, 'not enough funds: 402');
SELECT throws_like($$SELECT api.activate_contract(pg_temp.id('ca'))$$, 'CONTRACTS_INSUFFICIENT_FUNDS:%', 'with its own code');
RESET ROLE;
SELECT is((SELECT status FROM contracts.contract WHERE id = pg_temp.id('ca')), 'PENDING_ACTIVATION', 'the refused activation changed no status');
SELECT is(pg_temp.held('w_b1'), 0::numeric, 'held nothing');
SELECT is((SELECT count(*) FROM ledger.hold WHERE account_id = pg_temp.id('w_b1')), 0::bigint, 'created no hold');
SELECT is((SELECT sum(escrowed) FROM contracts.contract_line WHERE contract_id = pg_temp.id('ca')), 0::numeric, 'escrowed nothing');
SELECT lives_ok($$SELECT ledger.transfer('fund-b1-more', pg_temp.id('bank'), pg_temp.id('w_b1'), 1000)$$, 'top up to 14000');
SELECT set_config('request.jwt.claims', '{"sub": "biz-1", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT is((api.activate_contract(pg_temp.id('ca'))).status, 'ACTIVE', 'the owner activates');
SELECT is((api.activate_contract(pg_temp.id('ca'))).status, 'ACTIVE', 'activating again is a no-op');
RESET ROLE;
SELECT is(pg_temp.held('w_b1'), 13515::numeric, 'the full amount is held on the business wallet, once');
SELECT results_eq($$SELECT escrowed, h.amount, h.status::text FROM contracts.contract_line l JOIN ledger.hold h ON h.id = l.hold_id
                     WHERE l.contract_id = pg_temp.id('ca') ORDER BY l.id$$,
                  $$VALUES (6000.0000::numeric(20,4), 6000.0000::numeric, 'OPEN'), (7515.0000::numeric(20,4), 7515.0000::numeric, 'OPEN')$$,
                  'one open hold per line for its total');
SELECT is(pg_temp.n_checks_failing(), 0::bigint, 'check() is clean after activation');

-- Assignments -----------------------------------------------------------------------------------
-- Line 1's first vehicle was handed over 10 days ago (as delivery would have recorded it).
INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period, status, started_on)
SELECT l.id, l.contract_id, l.provider_id, pg_temp.id('v1'), daterange(current_date - 10, current_date + 20), 'ACTIVE', current_date - 10
  FROM contracts.contract_line l WHERE l.award_id = pg_temp.id('award_a1');
INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period, status, started_on)
SELECT l.id, l.contract_id, l.provider_id, pg_temp.id('v_suv_diesel'), daterange(current_date - 10, current_date + 20), 'ACTIVE', current_date - 10
  FROM contracts.contract_line l WHERE l.award_id = pg_temp.id('award_a2');
SELECT pg_temp.put('l1', (pg_temp.line('award_a1')).id);
SELECT pg_temp.put('l2', (pg_temp.line('award_a2')).id);

SELECT set_config('request.jwt.claims', '{"sub": "prov-2", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l1'), pg_temp.id('v7'))$$, 'CONTRACTS_FORBIDDEN:%',
                   'another provider cannot assign to the line');
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l2'), pg_temp.id('v_suv_petrol'))$$, 'CONTRACTS_VEHICLE_TYPE_MISMATCH:%',
                   'the engine must match when the line names one');
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l2'), pg_temp.id('v4_suv'))$$, 'CONTRACTS_UNKNOWN_VEHICLE:%',
                   'a vehicle of another provider is unknown here');
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l2'), pg_temp.id('v_suv_diesel'))$$, 'CONTRACTS_LINE_FULL:%',
                   'the line already has its one vehicle');
SELECT set_config('request.jwt.claims', '{"sub": "prov-1", "role": "mercato_user"}', true);
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l1'), pg_temp.id('v3_uninsured'))$$, 'CONTRACTS_VEHICLE_UNINSURED:%',
                   'an uninsured vehicle is refused');
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l1'), pg_temp.id('v2_partly'))$$, 'CONTRACTS_VEHICLE_UNINSURED:%',
                   'a vehicle insured for part of the period (a gap of one day) is refused');
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l1'), pg_temp.id('v4_suv'))$$, 'CONTRACTS_VEHICLE_TYPE_MISMATCH:%',
                   'an SUV is not a sedan');
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l1'), pg_temp.id('v5_review'))$$, 'CONTRACTS_VEHICLE_INACTIVE:%',
                   'a vehicle under review is refused');
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l1'), pg_temp.id('v1'))$$, 'CONTRACTS_VEHICLE_DOUBLE_BOOKED:%',
                   'a vehicle already on the line cannot be booked twice');
SELECT lives_ok($$SELECT pg_temp.id('v6')$$, 'no engine named on the line: any engine fits');
SELECT is((api.assign_vehicle(pg_temp.id('l1'), pg_temp.id('v6'))).status, 'PENDING_DELIVERY', 'the provider assigns a vehicle');
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('l1'), pg_temp.id('v7'))$$, 'CONTRACTS_LINE_FULL:%',
                   'at most quantity live assignments');
RESET ROLE;
SELECT is((SELECT period FROM contracts.assignment WHERE vehicle_id = pg_temp.id('v6')), daterange(current_date, current_date + 20),
          'the assignment runs from today to the end date');
SELECT is(pg_temp.n_checks_failing(), 0::bigint, 'check() is clean after assignments');

-- Double booking across two contracts (contract C overlaps A).
SELECT pg_temp.put('rfq_c', pg_temp.rfq(pg_temp.id('b2'), current_date + 5, current_date + 15, now() - interval '1 day'));
SELECT pg_temp.put('award_c1', pg_temp.award(pg_temp.id('rfq_c'), 1, 'SEDAN', NULL, 1, pg_temp.id('p1'), 50.00));
SELECT pg_temp.put('cc', (contracts.create_contract(pg_temp.id('rfq_c'))).id);
SELECT is((contracts.activate_contract(pg_temp.id('cc'))).status, 'ACTIVE', 'contract C is active');
SELECT pg_temp.put('lc', (pg_temp.line('award_c1')).id);
SELECT set_config('request.jwt.claims', '{"sub": "prov-1", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT throws_ok($$SELECT api.assign_vehicle(pg_temp.id('lc'), pg_temp.id('v6'))$$, 'PT409', NULL,
                 'a vehicle booked on A cannot be booked on the overlapping C (409)');
SELECT throws_like($$SELECT api.assign_vehicle(pg_temp.id('lc'), pg_temp.id('v6'))$$, 'CONTRACTS_VEHICLE_DOUBLE_BOOKED:%',
                   'with its own code instead of 23P01');
SELECT is((api.assign_vehicle(pg_temp.id('lc'), pg_temp.id('v7'))).status, 'PENDING_DELIVERY', 'a free vehicle can be');
RESET ROLE;

-- Cancelling before delivery frees the vehicle. The open slot can still earn from today, but the 10 days it never
-- had a vehicle (days -10..-1, 10 x 100.00) can no longer be earned: they are released.
SELECT pg_temp.put('a_v6', (SELECT id FROM contracts.assignment WHERE vehicle_id = pg_temp.id('v6')));
SELECT set_config('request.jwt.claims', '{"sub": "biz-1", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT is((api.cancel_assignment(pg_temp.id('a_v6'), 'plans changed')).status,
          'CANCELLED', 'the business cancels a pending assignment');
RESET ROLE;
SELECT throws_like($$SELECT contracts.cancel_assignment((SELECT id FROM contracts.assignment WHERE vehicle_id = pg_temp.id('v1')))$$,
                   'CONTRACTS_INVALID_STATE:%', 'a delivered assignment cannot be cancelled');
SELECT is((pg_temp.line('award_a1')).released, 1000::numeric(20,4), 'cancelling released the 1000.00 the empty slot can no longer earn');
SELECT is(pg_temp.hold_amount('award_a1'), 5000::numeric, 'the line''s new hold holds the rest');
SELECT is(pg_temp.n_checks_failing(), 0::bigint, 'check() is clean after a cancellation');

-- Early return ----------------------------------------------------------------------------------
-- Line 1 (2 x 100.00 x 30 days = 6000): v1 was returned 3 days ago (as delivery records it): it earned days
-- -10..-4 (700); its slot had no vehicle for 3 days (300 lost); both slots can still earn today..end (2 x 20 x 100).
UPDATE contracts.assignment SET status = 'RETURNED', ended_on = current_date - 3 WHERE vehicle_id = pg_temp.id('v1');
SELECT is(contracts.release_unearned(pg_temp.id('ca')), 300::numeric, 'early return releases exactly the unearnable 300.00');
SELECT is(pg_temp.hold_amount('award_a1'), 4700::numeric, 'the line''s new hold holds the rest');
SELECT is((pg_temp.line('award_a1')).released, 1300::numeric(20,4), 'released is recorded');
SELECT is(pg_temp.held('w_b1'), 12215::numeric, 'and the business has it available again');
SELECT is(contracts.release_unearned(pg_temp.id('ca')), 0::numeric, 'releasing again releases nothing');
SELECT is(pg_temp.n_checks_failing(), 0::bigint, 'check() is clean after an early return');
SELECT throws_like($$UPDATE contracts.assignment SET status = 'ACTIVE', started_on = current_date - 1 WHERE vehicle_id = pg_temp.id('v7')$$,
                   'CONTRACTS_INVALID_STATE:%', 'a handover cannot be back-dated');

-- Termination -----------------------------------------------------------------------------------
SELECT set_config('request.jwt.claims', '{"sub": "biz-2", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT throws_like($$SELECT api.terminate_contract(pg_temp.id('ca'), 'no')$$, 'CONTRACTS_FORBIDDEN:%', 'only its business terminates');
SELECT set_config('request.jwt.claims', '{"sub": "biz-1", "role": "mercato_user"}', true);
SELECT throws_like($$SELECT api.terminate_contract(pg_temp.id('ca'), ' ')$$, 'CORE_INVALID_ARGUMENT:%', 'a reason is required');
SELECT is((api.terminate_contract(pg_temp.id('ca'), 'project ended')).status, 'TERMINATED', 'the business terminates');
RESET ROLE;
SELECT results_eq($$SELECT status, ended_on FROM contracts.assignment WHERE contract_id = pg_temp.id('ca') ORDER BY id$$,
                  $$VALUES ('RETURNED'::text, current_date - 3), ('RETURNED', current_date), ('CANCELLED', NULL::date)$$,
                  'live assignments ended today');
-- Line 1 keeps v1's 7 earned days (700), line 2 its SUV's 10 days (2505.00): earned, not yet settled.
SELECT is(pg_temp.hold_amount('award_a1'), 700::numeric, 'line 1 holds only what it earned');
SELECT is(pg_temp.hold_amount('award_a2'), 2505::numeric, 'line 2 holds only what it earned');
SELECT is(pg_temp.held('w_b1'), 3205::numeric, 'everything else went back to the business');
SELECT is(pg_temp.n_checks_failing(), 0::bigint, 'check() is clean after termination');
SELECT throws_like($$SELECT contracts.terminate_contract(pg_temp.id('ca'), 'again')$$, 'CONTRACTS_INVALID_STATE:%', 'a contract ends once');
SELECT throws_like($$SELECT contracts.assign_vehicle(pg_temp.id('l1'), pg_temp.id('v8'))$$, 'CONTRACTS_INVALID_STATE:%',
                   'no assignments on a terminated contract');

-- Completion, cancellation, reads ---------------------------------------------------------------------
SELECT throws_like($$SELECT contracts.complete_contract(pg_temp.id('cc'))$$, 'CONTRACTS_INVALID_STATE:%', 'not before the end date');
SELECT is((contracts.cancel_contract(pg_temp.id('cb'), 'not needed')).status, 'CANCELLED', 'an unactivated contract can be cancelled');
SELECT throws_like($$SELECT contracts.activate_contract(pg_temp.id('cb'))$$, 'CONTRACTS_INVALID_STATE:%', 'and no longer activated');
SELECT set_config('request.jwt.claims', '{"sub": "prov-2", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT is(jsonb_array_length(api.contract(pg_temp.id('ca')) -> 'lines'), 1, 'a provider sees only its own lines');
SELECT is((SELECT count(*) FROM api.contracts()), 1::bigint, 'and lists only contracts it is party to');
SELECT throws_like($$SELECT api.contract(pg_temp.id('cc'))$$, 'CONTRACTS_FORBIDDEN:%', 'not others');
SELECT set_config('request.jwt.claims', '{"sub": "biz-1", "role": "mercato_user"}', true);
SELECT is(jsonb_array_length(api.contract(pg_temp.id('ca')) -> 'lines'), 2, 'the business sees every line');
SELECT set_config('request.jwt.claims', '{"sub": "root-1", "role": "mercato_user"}', true);
SELECT is((SELECT count(*) FROM api.contracts()), 3::bigint, 'an admin lists all contracts');
RESET ROLE;
SELECT is((SELECT count(*) FROM audit.event WHERE module = 'contracts' AND entity_type = 'contract' AND entity_id = pg_temp.id('ca')::text
              AND action IN ('CREATED', 'ACTIVATED', 'UNEARNED_RELEASED', 'TERMINATED')), 6::bigint, 'domain events are recorded');

-- check() detects corruption ------------------------------------------------------------------------
UPDATE contracts.contract_line SET released = released + 1 WHERE id = pg_temp.id('l2');
SELECT ok(NOT (SELECT ok FROM contracts.check() WHERE check_name = 'hold_equals_escrow_remainder'),
          'check() reports a line whose hold no longer equals its remainder');
SELECT is((SELECT violations FROM contracts.check() WHERE check_name = 'hold_equals_escrow_remainder'), 1::bigint, 'exactly that line');

-- references: one builder (ledger.build_reference), the formats already posted unchanged
SELECT is(ledger.build_reference('contract-line', 12, 'hold', '450', '0'), 'contract-line:12:hold:450:0', 'entity:id:step:parts');
SELECT is(contracts.hold_reference(12, 450.0000, 0.0000), 'contract-line:12:hold:450:0', 'a line''s hold reference, trimmed');
SELECT is(settlement.run_reference('2026-11-01', '2026-11-30', 7, 'ETB'), 'period:2026-11-01:2026-11-30:provider:7:ETB',
          'a period run''s cycle reference');

SELECT * FROM finish();
ROLLBACK;
