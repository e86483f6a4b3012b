-- Tests for functions/parties/tiers: thresholds at their boundaries, promotion at once, demotion after the grace
-- period, history with inputs, set-based equals per-entity, who may run it.
BEGIN;
SET LOCAL mercato.bulk_load = on;   -- the fixture loads awarded RFQs and active contracts directly
SELECT plan(24);

CREATE TEMP TABLE ids (k text PRIMARY KEY, v bigint);
-- A provider (trust score given) with n vehicles in ACTIVE assignments of one ACTIVE contract of business b.
CREATE FUNCTION pg_temp.provider(p_key text, p_trust int, p_fleet int, p_business bigint) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE v_user bigint; v_p bigint; v_rfq bigint; v_line bigint; v_bid bigint; v_award bigint; v_k bigint; v_cl bigint; v_veh bigint;
BEGIN
    v_user := identity.register_user('kc|tier-' || p_key, 'PROVIDER', p_key);
    INSERT INTO parties.provider (user_id, provider_type, name, verification_status, trust_score, wallet_account_id)
    VALUES (v_user, 'COMPANY', p_key, 'VERIFIED', p_trust, ledger.open_account('PROVIDER', 'tier-' || p_key, 'MAIN', 'ETB'))
    RETURNING id INTO v_p;
    INSERT INTO ids VALUES (p_key, v_p);
    IF p_fleet = 0 THEN RETURN v_p; END IF;
    INSERT INTO marketplace.rfq (business_id, title, currency, start_date, end_date, bid_deadline, status, published_at, awarded_at)
    VALUES (p_business, 'fleet of ' || p_key, 'ETB', current_date - 5, current_date + 25, now() - interval '7 days', 'AWARDED',
            now() - interval '8 days', now() - interval '6 days') RETURNING id INTO v_rfq;
    INSERT INTO marketplace.rfq_line (rfq_id, line_no, vehicle_type, quantity_required) VALUES (v_rfq, 1, 'SEDAN', p_fleet) RETURNING id INTO v_line;
    INSERT INTO marketplace.bid (rfq_id, provider_id, status) VALUES (v_rfq, v_p, 'AWARDED') RETURNING id INTO v_bid;
    INSERT INTO marketplace.bid_line VALUES (v_bid, v_line, 100, p_fleet);
    INSERT INTO marketplace.award (rfq_id, rfq_line_id, bid_id, provider_id, quantity_awarded, unit_price)
    VALUES (v_rfq, v_line, v_bid, v_p, p_fleet, 100) RETURNING id INTO v_award;
    INSERT INTO contracts.contract (contract_number, rfq_id, business_id, currency, start_date, end_date, total_amount, status,
                                    commission_policy_version_id, business_wallet_account_id, activated_at)
    SELECT 'T-' || p_key, v_rfq, p_business, 'ETB', current_date - 5, current_date + 25, p_fleet * 100 * 31, 'ACTIVE',
           (masterdata.policy_in_force('COMMISSION_STRATEGY')).id, b.wallet_account_id, now()
      FROM parties.business b WHERE b.id = p_business RETURNING id INTO v_k;
    INSERT INTO contracts.party_provider (contract_id, provider_id, name, provider_type, tier_code, trust_score, commission_rate,
                                          commission_min, wallet_account_id, snapshot)
    SELECT v_k, v_p, p_key, 'COMPANY', 'BRONZE', p_trust, 0.1, 0, wallet_account_id, '{}' FROM parties.provider WHERE id = v_p;
    INSERT INTO contracts.contract_line (contract_id, award_id, rfq_line_id, provider_id, vehicle_type, with_driver, quantity,
                                         unit_price, days, total_amount)
    VALUES (v_k, v_award, v_line, v_p, 'SEDAN', false, p_fleet, 100, 31, p_fleet * 100 * 31) RETURNING id INTO v_cl;
    FOR i IN 1..p_fleet LOOP
        INSERT INTO fleet.vehicle (provider_id, plate_number, vehicle_type, seat_count, status)
        VALUES (v_p, upper(p_key) || '-' || i, 'SEDAN', 4, 'ACTIVE') RETURNING id INTO v_veh;
        INSERT INTO contracts.assignment (contract_line_id, contract_id, provider_id, vehicle_id, period, status, started_on)
        VALUES (v_cl, v_k, v_p, v_veh, daterange(current_date - 5, current_date + 25, '[]'), 'ACTIVE', current_date - 5);
    END LOOP;
    RETURN v_p;
END $$;

SELECT identity.register_user('kc|tier-biz', 'BUSINESS', 'Biz');
INSERT INTO parties.business (user_id, name, business_type, kyb_status, wallet_account_id)
SELECT id, 'Fleet buyer', 'LOGISTICS', 'VERIFIED', ledger.open_account('BUSINESS', 'tier-biz', 'MAIN', 'ETB')
  FROM identity.user_account WHERE auth_subject = 'kc|tier-biz';
INSERT INTO ids SELECT 'biz', id FROM parties.business WHERE name = 'Fleet buyer';
SELECT pg_temp.provider('plat', 90, 30, (SELECT v FROM ids WHERE k = 'biz'));
SELECT pg_temp.provider('gold29', 90, 29, (SELECT v FROM ids WHERE k = 'biz'));
SELECT pg_temp.provider('gold84', 84, 40, (SELECT v FROM ids WHERE k = 'biz'));
SELECT pg_temp.provider('silver', 50, 5, (SELECT v FROM ids WHERE k = 'biz'));
SELECT pg_temp.provider('bronze49', 49, 31, (SELECT v FROM ids WHERE k = 'biz'));
SELECT pg_temp.provider('idle', 100, 0, (SELECT v FROM ids WHERE k = 'biz'));

SELECT results_eq($$SELECT party_type, evaluated::int, promoted::int, demoted::int FROM parties.recalculate_tiers()$$,
                  $$VALUES ('PROVIDER', 6, 4, 0), ('BUSINESS', 1, 1, 0)$$, 'one set-based run: four providers and the business promoted');
SELECT results_eq($$SELECT i.k, p.tier_code FROM parties.provider p JOIN ids i ON i.v = p.id AND i.k <> 'biz' ORDER BY i.k$$,
                  $$VALUES ('bronze49', 'BRONZE'), ('gold29', 'GOLD'), ('gold84', 'GOLD'), ('idle', 'BRONZE'), ('plat', 'PLATINUM'), ('silver', 'SILVER')$$,
                  'trust AND fleet must both hold: 29 vehicles is not PLATINUM, trust 84 is not, trust 49 is BRONZE whatever the fleet');
SELECT is((SELECT tier_code FROM parties.business WHERE id = (SELECT v FROM ids WHERE k = 'biz')), 'ENTERPRISE',
          'a business with 100+ vehicles in active contracts is ENTERPRISE');
SELECT is((SELECT inputs FROM parties.tier_change WHERE party_type = 'PROVIDER' AND party_id = (SELECT v FROM ids WHERE k = 'plat'))
            - 'qualified_below_since' - 'grace_days' - 'rules_version',
          '{"trust_score": 90, "active_vehicles": 30, "qualified_tier": "PLATINUM"}'::jsonb, 'each change keeps its inputs');
SELECT results_eq($$SELECT promoted::int, demoted::int FROM parties.recalculate_tiers()$$, $$VALUES (0, 0), (0, 0)$$,
                  'a second run changes nothing');

-- demotion only after the grace period
UPDATE parties.provider SET trust_score = 60 WHERE id = (SELECT v FROM ids WHERE k = 'plat');
SELECT results_eq($$SELECT pending_demotion::int FROM parties.recalculate_tiers() WHERE party_type = 'PROVIDER'$$, $$VALUES (1)$$,
                  'a provider qualifying lower is not demoted at once');
SELECT is((SELECT tier_code FROM parties.provider WHERE id = (SELECT v FROM ids WHERE k = 'plat')), 'PLATINUM', 'it keeps its tier');
SELECT is((SELECT qualified_tier FROM parties.tier_candidate WHERE party_type = 'PROVIDER' AND party_id = (SELECT v FROM ids WHERE k = 'plat')), 'SILVER',
          'the lower tier it qualifies for is remembered, with since when');
UPDATE parties.tier_candidate SET since = now() - interval '31 days' WHERE party_type = 'PROVIDER' AND party_id = (SELECT v FROM ids WHERE k = 'plat');
SELECT results_eq($$SELECT tier_code, changed FROM parties.recalculate_provider_tier((SELECT v FROM ids WHERE k = 'plat'))$$,
                  $$VALUES ('SILVER', true)$$, 'after 30 days below its tier it is demoted (per-entity call)');
SELECT is((SELECT count(*)::int FROM parties.tier_candidate WHERE party_type = 'PROVIDER' AND party_id = (SELECT v FROM ids WHERE k = 'plat')), 0,
          'and the candidate row is cleared');
-- flapping back: qualifying again clears a pending demotion
UPDATE parties.provider SET trust_score = 70 WHERE id = (SELECT v FROM ids WHERE k = 'gold29');
SELECT parties.recalculate_tiers();
UPDATE parties.provider SET trust_score = 90 WHERE id = (SELECT v FROM ids WHERE k = 'gold29');
SELECT parties.recalculate_tiers();
SELECT is((SELECT count(*)::int FROM parties.tier_candidate WHERE party_type = 'PROVIDER' AND party_id = (SELECT v FROM ids WHERE k = 'gold29')), 0,
          'qualifying for its tier again forgets the pending demotion');
UPDATE parties.provider SET trust_score = 60 WHERE id = (SELECT v FROM ids WHERE k = 'gold29');
SELECT parties.recalculate_tiers();
SELECT ok((SELECT since > now() - interval '1 minute' FROM parties.tier_candidate WHERE party_type = 'PROVIDER' AND party_id = (SELECT v FROM ids WHERE k = 'gold29')),
          'so a new dip starts a new grace period');
-- set-based and per-entity agree
UPDATE parties.provider SET trust_score = 86 WHERE id = (SELECT v FROM ids WHERE k = 'gold84');
SELECT results_eq($$SELECT tier_code, changed FROM parties.recalculate_provider_tier((SELECT v FROM ids WHERE k = 'gold84'))$$,
                  $$VALUES ('PLATINUM', true)$$, 'per entity: promoted at once');
SELECT results_eq($$SELECT promoted::int FROM parties.recalculate_tiers() WHERE party_type = 'PROVIDER'$$, $$VALUES (0)$$,
                  'and the set-based run agrees (nothing left to do)');
SELECT is((SELECT count(*)::int FROM parties.tier_change WHERE party_type = 'PROVIDER' AND party_id = (SELECT v FROM ids WHERE k = 'gold84')), 2,
          'history: promoted to GOLD, then PLATINUM');

-- trust-score events: recorded pending, folded in order with new = round(old + 0.1 x (target - old)) by the tier job
SELECT pg_temp.provider('folded', 50, 0, (SELECT v FROM ids WHERE k = 'biz'));
INSERT INTO parties.trust_score_event (provider_id, target, reason)
SELECT (SELECT v FROM ids WHERE k = 'folded'), t, r FROM (VALUES (100, 'DELIVERED_ON_TIME'), (40, 'DELIVERED_LATE'), (0, 'SESSION_LOCKED')) x(t, r);
SELECT is((SELECT trust_score::int FROM parties.provider WHERE id = (SELECT v FROM ids WHERE k = 'folded')), 50, 'pending events do not move the score yet');
SELECT results_eq($$SELECT tier_code FROM parties.recalculate_provider_tier((SELECT v FROM ids WHERE k = 'folded'))$$,
                  $$VALUES ('BRONZE')$$, 'a tier recalculation folds the pending events first');
SELECT results_eq($$SELECT reason, old_score::int, new_score::int FROM parties.trust_score_event
                     WHERE provider_id = (SELECT v FROM ids WHERE k = 'folded') ORDER BY id$$,
                  $$VALUES ('DELIVERED_ON_TIME', 50, 55), ('DELIVERED_LATE', 55, 54), ('SESSION_LOCKED', 54, 49)$$,
                  'in event order, each from the score the previous one left: 50 -> 55 -> round(53.5) = 54 -> round(48.6) = 49');
SELECT is((SELECT trust_score::int FROM parties.provider WHERE id = (SELECT v FROM ids WHERE k = 'folded')), 49, 'the score is the last event''s');
SELECT is(parties.fold_trust_events(), 0::bigint, 'nothing is applied twice');
SELECT throws_ok($$UPDATE parties.trust_score_event SET old_score = NULL WHERE provider_id = (SELECT v FROM ids WHERE k = 'folded')$$,
                 '23514', NULL, 'scores and applied_at are set together or not at all');

-- who may run it
SELECT set_config('request.jwt.claims', '{"sub": "kc|tier-biz", "role": "mercato_user"}', true);
SET LOCAL ROLE mercato_user;
SELECT throws_like($$SELECT * FROM api.recalculate_tiers()$$, 'IDENTITY_PERMISSION_DENIED:%', 'a business cannot recalculate tiers');
SELECT throws_ok($$SELECT * FROM parties.recalculate_provider_tiers()$$, '42501', NULL, 'nor call the internal set-based function');
SELECT throws_like($$SELECT api.apply_trust_events()$$, 'IDENTITY_PERMISSION_DENIED:%', 'nor fold trust events');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
