-- Tests for schemas/contracts/rls: the parties see a contract, a provider only its own lines and snapshot.
BEGIN;
SET LOCAL mercato.bulk_load = on;   -- the fixture loads an awarded RFQ and an active contract directly
SELECT plan(16);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
-- Business a rents one car from each of providers p1 and p2 under one ACTIVE contract (history loaded directly);
-- business b and provider p3 are strangers to it.
SELECT identity.register_user(s, t, s) FROM (VALUES ('kc|cr-a', 'BUSINESS'), ('kc|cr-b', 'BUSINESS'), ('kc|cr-p1', 'PROVIDER'),
    ('kc|cr-p2', 'PROVIDER'), ('kc|cr-p3', 'PROVIDER'), ('kc|cr-admin', 'ADMIN')) x(s, t);
SELECT identity.assign_role((SELECT id FROM identity.user_account WHERE auth_subject = 'kc|cr-admin'), 'PLATFORM_ADMIN');
SELECT tests.as_user('kc|cr-a'); INSERT INTO ids SELECT 'a', api.register_business('A', 'RETAIL'); RESET ROLE;
SELECT tests.as_user('kc|cr-b'); INSERT INTO ids SELECT 'b', api.register_business('B', 'RETAIL'); RESET ROLE;
SELECT tests.as_user('kc|cr-p1'); INSERT INTO ids SELECT 'p1', api.register_provider('COMPANY', 'P1');
INSERT INTO ids SELECT 'car1', api.add_vehicle('cr-1', 'SEDAN', 4); RESET ROLE;
SELECT tests.as_user('kc|cr-p2'); INSERT INTO ids SELECT 'p2', api.register_provider('COMPANY', 'P2');
INSERT INTO ids SELECT 'car2', api.add_vehicle('cr-2', 'SEDAN', 4); RESET ROLE;
SELECT tests.as_user('kc|cr-p3'); INSERT INTO ids SELECT 'p3', api.register_provider('COMPANY', 'P3'); RESET ROLE;
WITH r AS (
    INSERT INTO marketplace.rfq (business_id, title, currency, start_date, end_date, bid_deadline, status, published_at, awarded_at)
    VALUES ((SELECT v FROM ids WHERE k = 'a'), 'two cars', 'ETB', current_date - 5, current_date + 4, now() - interval '7 days',
            'AWARDED', now() - interval '8 days', now() - interval '6 days') RETURNING id)
INSERT INTO ids SELECT 'rfq', id FROM r;
WITH x AS (INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, quantity_required)
    VALUES ((SELECT v FROM ids WHERE k = 'rfq'), 1, 'SEDAN', 2) RETURNING id)
INSERT INTO ids SELECT 'rline', id FROM x;
WITH x AS (INSERT INTO contracts.contract (contract_number, rfq_id, business_id, currency, start_date, end_date, total_amount, status,
                                    commission_policy_version_id, business_wallet_account_id, activated_at)
    SELECT 'cr-K', (SELECT v FROM ids WHERE k = 'rfq'), b.id, 'ETB', current_date - 5, current_date + 4, 2000, 'ACTIVE',
           (masterdata.policy_in_force('COMMISSION_STRATEGY')).id, b.wallet_account_id, now()
      FROM parties.business b WHERE b.id = (SELECT v FROM ids WHERE k = 'a') RETURNING id)
INSERT INTO ids SELECT 'k', id FROM x;
INSERT INTO contracts.party_business (contract_id, business_id, name, kyb_status, tier_code, snapshot)
SELECT (SELECT v FROM ids WHERE k = 'k'), id, name, kyb_status, tier_code, '{}' FROM parties.business WHERE id = (SELECT v FROM ids WHERE k = 'a');
CREATE TEMP TABLE fixture_side (n int, provider text, car text);
INSERT INTO fixture_side VALUES (1, 'p1', 'car1'), (2, 'p2', 'car2');
DO $$
DECLARE s record; v_p bigint; v_bid bigint; v_award bigint; v_cl bigint; v_as bigint;
BEGIN
    FOR s IN SELECT * FROM fixture_side ORDER BY n LOOP
        v_p := (SELECT v FROM ids WHERE k = s.provider);
        INSERT INTO marketplace.bid (rfq_id, provider_id, status) VALUES ((SELECT v FROM ids WHERE k = 'rfq'), v_p, 'AWARDED') RETURNING id INTO v_bid;
        INSERT INTO marketplace.bid_line VALUES (v_bid, (SELECT v FROM ids WHERE k = 'rline'), 100, 1);
        INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price)
        VALUES ((SELECT v FROM ids WHERE k = 'rfq'), (SELECT v FROM ids WHERE k = 'rline'), v_bid, v_p, 1, 100) RETURNING id INTO v_award;
        INSERT INTO contracts.party_provider (contract_id, provider_id, name, provider_type, tier_code, trust_score, commission_rate,
                                              commission_min, wallet_account_id, snapshot)
        SELECT (SELECT v FROM ids WHERE k = 'k'), v_p, name, 'COMPANY', 'BRONZE', 50, 0.1, 0, wallet_account_id, '{}'
          FROM parties.provider WHERE id = v_p;
        INSERT INTO contracts.contract_line (contract_id, award_id, rfq_line_id, provider_id, vehicle_type, with_driver, quantity,
                                             unit_price, days, total_amount)
        VALUES ((SELECT v FROM ids WHERE k = 'k'), v_award, (SELECT v FROM ids WHERE k = 'rline'), v_p, 'SEDAN', false, 1, 100, 10, 1000)
        RETURNING id INTO v_cl;
        INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period, status, started_on)
        VALUES (v_cl, (SELECT v FROM ids WHERE k = 'k'), v_p, (SELECT v FROM ids WHERE k = s.car),
                daterange(current_date - 5, current_date + 4, '[]'), 'ACTIVE', current_date - 5) RETURNING id INTO v_as;
        INSERT INTO ids VALUES ('line_' || s.provider, v_cl), ('as_' || s.provider, v_as);
    END LOOP;
END $$;

SELECT tests.as_user('kc|cr-a');
SELECT is((SELECT count(*)::int FROM contracts.contract), 1, 'the business reads its contract');
SELECT isnt((SELECT total_amount FROM api.contracts WHERE id = (SELECT v FROM ids WHERE k = 'k')), NULL, 'with its total');
SELECT is((SELECT count(*)::int FROM contracts.visible_lines()) + (SELECT count(*)::int FROM contracts.assignment)
          + (SELECT count(*)::int FROM contracts.party_provider), 6, 'whole: both lines, both assignments, both providers'' snapshots');
RESET ROLE;
SELECT tests.as_user('kc|cr-p1');
SELECT is((SELECT count(*)::int FROM contracts.contract), 1, 'a provider reads the contract it is party to');
SELECT results_eq($$SELECT id FROM contracts.visible_lines()$$, $$SELECT v FROM ids WHERE k = 'line_p1'$$, 'but only its own line');
SELECT throws_ok($$SELECT 1 FROM contracts.contract_line$$, '42501', NULL, 'lines are sealed: no row filter to count the other''s');
SELECT throws_ok($$SELECT total_amount FROM contracts.contract$$, '42501', NULL, 'nor the header total that sums both prices');
SELECT is((SELECT total_amount FROM api.contracts WHERE id = (SELECT v FROM ids WHERE k = 'k')), NULL, 'api.contracts shows it no total');
SELECT results_eq($$SELECT id FROM contracts.assignment$$, $$SELECT v FROM ids WHERE k = 'as_p1'$$, 'and its own assignment');
SELECT results_eq($$SELECT provider_id FROM contracts.party_provider$$, $$SELECT v FROM ids WHERE k = 'p1'$$,
                  'and its own snapshot, not the other provider''s commission terms');
SELECT is((SELECT count(*)::int FROM contracts.party_business), 1, 'and the business it serves');
RESET ROLE;
SELECT tests.as_user('kc|cr-b');
SELECT is((SELECT count(*)::int FROM contracts.contract) + (SELECT count(*)::int FROM contracts.visible_lines()), 0, 'another business sees nothing');
RESET ROLE;
SELECT tests.as_user('kc|cr-p3');
SELECT is((SELECT count(*)::int FROM contracts.contract) + (SELECT count(*)::int FROM contracts.assignment), 0, 'nor does another provider');
RESET ROLE;
SELECT tests.as_user('kc|cr-admin');
SELECT is((SELECT count(*)::int FROM contracts.contract WHERE id = (SELECT v FROM ids WHERE k = 'k')), 1, 'an admin reads contract headers');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT is((SELECT count(*)::int FROM contracts.visible_lines() WHERE contract_id = (SELECT v FROM ids WHERE k = 'k')), 2, 'the back office reads all');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname = 'contracts' AND NOT rowsecurity), 0,
          'every contracts table has row-level security on');

SELECT * FROM finish();
ROLLBACK;
