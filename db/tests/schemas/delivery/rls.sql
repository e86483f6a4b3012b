-- Tests for schemas/delivery/rls: a handover session is seen by its business and provider; codes by nobody.
BEGIN;
SET LOCAL mercato.bulk_load = on;   -- the fixture loads an awarded RFQ and an active contract directly
SELECT plan(8);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
GRANT ALL ON ids TO mercato_user, mercato_service;
-- Business a rents one car from each of providers p1 and p2 under one ACTIVE contract (history loaded directly);
-- business b and provider p3 are strangers to it.
SELECT identity.register_user(s, t, s) FROM (VALUES ('kc|dr-a', 'BUSINESS'), ('kc|dr-b', 'BUSINESS'), ('kc|dr-p1', 'PROVIDER'),
    ('kc|dr-p2', 'PROVIDER'), ('kc|dr-p3', 'PROVIDER'), ('kc|dr-admin', 'ADMIN')) x(s, t);
SELECT identity.assign_role((SELECT id FROM identity.user_account WHERE auth_subject = 'kc|dr-admin'), 'PLATFORM_ADMIN');
SELECT tests.as_user('kc|dr-a'); INSERT INTO ids SELECT 'a', api.register_business('A', 'RETAIL'); RESET ROLE;
SELECT tests.as_user('kc|dr-b'); INSERT INTO ids SELECT 'b', api.register_business('B', 'RETAIL'); RESET ROLE;
SELECT tests.as_user('kc|dr-p1'); INSERT INTO ids SELECT 'p1', api.register_provider('COMPANY', 'P1');
INSERT INTO ids SELECT 'car1', api.add_vehicle('dr-1', 'SEDAN', 4); RESET ROLE;
SELECT tests.as_user('kc|dr-p2'); INSERT INTO ids SELECT 'p2', api.register_provider('COMPANY', 'P2');
INSERT INTO ids SELECT 'car2', api.add_vehicle('dr-2', 'SEDAN', 4); RESET ROLE;
SELECT tests.as_user('kc|dr-p3'); INSERT INTO ids SELECT 'p3', api.register_provider('COMPANY', 'P3'); RESET ROLE;
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
    SELECT 'dr-K', (SELECT v FROM ids WHERE k = 'rfq'), b.id, 'ETB', current_date - 5, current_date + 4, 2000, 'ACTIVE',
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

WITH x AS (INSERT INTO delivery.session (assignment_id, session_type, business_id, provider_id, vehicle_id, failure_budget)
    VALUES ((SELECT v FROM ids WHERE k = 'as_p1'), 'DELIVERY', (SELECT v FROM ids WHERE k = 'a'), (SELECT v FROM ids WHERE k = 'p1'),
            (SELECT v FROM ids WHERE k = 'car1'), 5) RETURNING id)
INSERT INTO ids SELECT 'sess', id FROM x;
SELECT tests.as_user('kc|dr-a');
SELECT results_eq($$SELECT id FROM delivery.session$$, $$SELECT v FROM ids WHERE k = 'sess'$$, 'the business reads its handover session');
SELECT throws_ok($$SELECT 1 FROM delivery.otp$$, '42501', NULL, 'but no code row, not even a hash');
SELECT throws_ok($$SELECT 1 FROM delivery.otp_key$$, '42501', NULL, 'nor the HMAC keys');
RESET ROLE;
SELECT tests.as_user('kc|dr-p1');
SELECT is((SELECT count(*)::int FROM delivery.session), 1, 'the provider reads it too');
RESET ROLE;
SELECT tests.as_user('kc|dr-p2');
SELECT is((SELECT count(*)::int FROM delivery.session) + (SELECT count(*)::int FROM delivery.handover), 0,
          'another provider on the same contract does not');
RESET ROLE;
SET LOCAL ROLE mercato_service;
SELECT is((SELECT count(*)::int FROM delivery.session WHERE id = (SELECT v FROM ids WHERE k = 'sess')), 1, 'the back office reads sessions');
SELECT throws_ok($$SELECT 1 FROM delivery.otp_attempt$$, '42501', NULL, 'but no code or attempt either');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM pg_tables WHERE schemaname = 'delivery' AND NOT rowsecurity), 0,
          'every delivery table has row-level security on');

SELECT * FROM finish();
ROLLBACK;
