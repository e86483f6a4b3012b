-- Tests for functions/masterdata/marketplace: terms in force, new versions only, validation of the rule set and of
-- each rule row (amounts in the currency's minor units, the minimum's share); a version of a rule set never takes
-- effect without its rules. That check runs when the transaction commits: each such case below runs in a DO block that
-- ends with SET CONSTRAINTS ALL IMMEDIATE (what COMMIT does first), inside the test's own transaction, and comes before
-- the rule-row cases, whose rows stay pending until the ROLLBACK.
BEGIN;
SELECT plan(29);

SELECT results_eq($$SELECT version, rate, minimum_amount, maximum_amount FROM masterdata.commission_terms('GOLD', 'ETB')$$,
                  $$VALUES (1, 0.06::numeric, 50::numeric, 30000::numeric)$$, 'GOLD pays 6 % in ETB, within 50..30000');
SELECT throws_like($$SELECT * FROM masterdata.commission_terms('GOLD', 'JPY')$$, 'MASTERDATA_NO_COMMISSION_RULE:%', 'no JPY rule');
SELECT is(masterdata.business_tier_quota('BUSINESS_PRO'), 50, 'BUSINESS_PRO publishes 50 RFQs a month');
SELECT is(masterdata.business_tier_quota('ENTERPRISE'), NULL, 'ENTERPRISE is unlimited');
SELECT throws_like($$SELECT masterdata.add_commission_strategy(now() + interval '1 day',
                     '[{"tier_code": "GOLD", "currency": "ETB", "rate": "0.05"}]')$$, 'MASTERDATA_RULES_INVALID:%',
                   'a new version names every tier');
SELECT throws_like($$SELECT masterdata.add_commission_strategy(now() + interval '1 day',
                     '[{"tier_code": "GOLD", "currency": "ETB", "rate": "1.5"}]')$$, 'MASTERDATA_RULES_INVALID:%',
                   'rates are fractions');
SELECT ok(masterdata.add_commission_strategy(now() + interval '1 day', (SELECT jsonb_agg(jsonb_build_object(
              'tier_code', code, 'currency', 'ETB', 'rate', '0.07', 'minimum_amount', '10', 'maximum_amount', '9000'))
              FROM masterdata.provider_tier), 'promo') > 0, 'a complete new version is added');
SELECT results_eq($$SELECT (SELECT rate FROM masterdata.commission_terms('GOLD', 'ETB')), (SELECT rate FROM masterdata.commission_terms('GOLD', 'ETB', now() + interval '2 days'))$$,
                  $$VALUES (0.06::numeric, 0.07::numeric)$$, 'today''s terms stay; the new ones apply from their start');


-- a rule set's version needs its rules (deferred constraint triggers)
CREATE TEMP TABLE n AS SELECT count(*) AS versions FROM masterdata.policy_version;
SELECT throws_like($t$DO $do$ BEGIN
    PERFORM masterdata.add_policy_version('COMMISSION_STRATEGY', now() + interval '3 days', '{"rows": "masterdata.commission_rule"}');
    SET CONSTRAINTS ALL IMMEDIATE;
END $do$ $t$, 'MASTERDATA_RULES_REQUIRED:%', 'a COMMISSION_STRATEGY version without rules is refused');
SELECT tests.as_service();
SELECT throws_like($t$DO $do$ BEGIN
    PERFORM api.add_policy_version('COMMISSION_STRATEGY', now() + interval '3 days', '{"rows": "masterdata.commission_rule"}');
    SET CONSTRAINTS ALL IMMEDIATE;
END $do$ $t$, 'MASTERDATA_RULES_REQUIRED:%', 'also through api.add_policy_version, as the back office');
SELECT tests.as_owner();
SELECT throws_like($t$DO $do$ BEGIN
    PERFORM masterdata.add_policy_version('BUSINESS_TIER_RULES', now() + interval '3 days', '{}');
    SET CONSTRAINTS ALL IMMEDIATE;
END $do$ $t$, 'MASTERDATA_RULES_REQUIRED:%', 'a BUSINESS_TIER_RULES version without rules is refused');
SELECT throws_like($t$DO $do$ DECLARE v bigint; BEGIN
    v := masterdata.add_policy_version('PROVIDER_TIER_RULES', now() + interval '3 days', '{}');
    INSERT INTO masterdata.provider_tier_rule (policy_version_id, tier_code, min_trust_score, max_trust_score, min_active_vehicles)
    SELECT v, t.code, 0, 100, 0 FROM masterdata.provider_tier t WHERE t.code <> 'PLATINUM';
    SET CONSTRAINTS ALL IMMEDIATE;
END $do$ $t$, 'MASTERDATA_RULES_REQUIRED:%', 'a PROVIDER_TIER_RULES version with one tier short is refused');
SELECT lives_ok($t$DO $do$ DECLARE v bigint; BEGIN
    v := masterdata.add_policy_version('PROVIDER_TIER_RULES', now() + interval '3 days', '{}');
    INSERT INTO masterdata.provider_tier_rule (policy_version_id, tier_code, min_trust_score, max_trust_score, min_active_vehicles)
    SELECT v, t.code, 0, 100, 0 FROM masterdata.provider_tier t;
    SET CONSTRAINTS ALL IMMEDIATE;
    SET CONSTRAINTS ALL DEFERRED;
END $do$ $t$, 'with every tier, written in the same transaction after its version, it is accepted');
SELECT throws_like($$SELECT masterdata.add_commission_strategy(now() + interval '5 days', (SELECT jsonb_agg(jsonb_build_object(
                       'tier_code', code, 'currency', 'USD', 'rate', '0.05')) FROM masterdata.provider_tier))$$,
                   'MASTERDATA_RULES_REQUIRED:%', 'a commission strategy without the marketplace currency is refused at once');
SELECT throws_like($t$DO $do$ BEGIN
    PERFORM masterdata.add_commission_strategy(now() + interval '5 days', (SELECT jsonb_agg(jsonb_build_object(
                'tier_code', code, 'currency', 'ETB', 'rate', '0.05')) FROM masterdata.provider_tier));
    INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate)
    SELECT max(id), 'GOLD', 'KES', 0.05 FROM masterdata.policy_version WHERE policy_code = 'COMMISSION_STRATEGY';
    SET CONSTRAINTS ALL IMMEDIATE;
END $do$ $t$, 'MASTERDATA_RULES_REQUIRED:%', 'a currency with one tier only is refused, also when added after the version');
SELECT throws_like($t$DO $do$ BEGIN
    INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate)
    SELECT id, 'GOLD', 'BHD', 0.05 FROM masterdata.policy_version WHERE policy_code = 'COMMISSION_STRATEGY' AND version = 1;
    SET CONSTRAINTS ALL IMMEDIATE;
END $do$ $t$, 'MASTERDATA_RULES_REQUIRED:%', 'even to the version in force');
SELECT throws_like($t$DO $do$ DECLARE v bigint; BEGIN
    v := masterdata.add_policy_version('MK_TEST_POLICY', now() + interval '3 days', '{}');
    INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate) SELECT v, t.code, 'ETB', 0.05 FROM masterdata.provider_tier t;
    SET CONSTRAINTS ALL IMMEDIATE;
END $do$ $t$, 'MASTERDATA_RULES_REQUIRED:%', 'rule rows belong to a version of their own policy');
SELECT lives_ok($t$DO $do$ BEGIN
    PERFORM masterdata.add_policy_version('MK_TEST_POLICY', now() + interval '3 days', '{"rate": "0.1"}');
    SET CONSTRAINTS ALL IMMEDIATE;
    SET CONSTRAINTS ALL DEFERRED;
END $do$ $t$, 'other policies need no rule rows (the kernel''s policy_version knows no product)');
SELECT is((SELECT count(*) FROM masterdata.policy_version) - (SELECT versions FROM n), 2::bigint,
          'a refused version is not kept: only the two accepted ones are');

-- The floor and its share: a clear refusal of a rule row that does not fit, whoever writes it.
SELECT is((SELECT minimum_share FROM masterdata.commission_terms('GOLD', 'ETB')), 0.25::numeric,
          'the minimum takes at most a quarter of a line');
SELECT throws_like($$INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount)
                     VALUES ((masterdata.policy_in_force('COMMISSION_STRATEGY')).id, 'GOLD', 'EUR', 0.06, 0.005)$$,
                   'MASTERDATA_COMMISSION_RULE_INVALID:%', 'a minimum with more decimals than its currency allows is refused');
SELECT throws_like($$INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, maximum_amount)
                     VALUES ((masterdata.policy_in_force('COMMISSION_STRATEGY')).id, 'GOLD', 'JPY', 0.06, 50, 3000.5)$$,
                   'MASTERDATA_COMMISSION_RULE_INVALID:%', 'so is a yen maximum with a fraction');
SELECT throws_like($$INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, minimum_share)
                     VALUES ((masterdata.policy_in_force('COMMISSION_STRATEGY')).id, 'GOLD', 'EUR', 0.06, 5, 0.05)$$,
                   'MASTERDATA_COMMISSION_RULE_INVALID:%', 'and a minimum limited to a share below the rate (it could never apply)');
SELECT lives_ok($$INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, minimum_share)
                  VALUES ((masterdata.policy_in_force('COMMISSION_STRATEGY')).id, 'GOLD', 'GBP', 0.06, 0, 0.05)$$,
                'without a minimum the share limits nothing');
SELECT throws_ok($$INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate, minimum_amount, minimum_share)
                   VALUES ((masterdata.policy_in_force('COMMISSION_STRATEGY')).id, 'GOLD', 'MXN', 0.06, 5, 1)$$,
                 '23514', NULL, 'a share is a fraction below 1');
SELECT throws_like($$SELECT masterdata.add_commission_strategy(now() + interval '3 days', (SELECT jsonb_agg(jsonb_build_object(
                       'tier_code', code, 'currency', 'ETB', 'rate', '0.07', 'minimum_amount', '10', 'minimum_share', '0'))
                       FROM masterdata.provider_tier))$$, 'MASTERDATA_RULES_INVALID:%', 'a new version''s share is above 0');
SELECT throws_like($$SELECT masterdata.add_commission_strategy(now() + interval '3 days', (SELECT jsonb_agg(jsonb_build_object(
                       'tier_code', code, 'currency', 'ETB', 'rate', '0.07', 'minimum_amount', '10.001'))
                       FROM masterdata.provider_tier))$$, 'MASTERDATA_COMMISSION_RULE_INVALID:%',
                   'and its amounts fit the currency');
SELECT ok(masterdata.add_commission_strategy(now() + interval '3 days', (SELECT jsonb_agg(jsonb_build_object(
              'tier_code', code, 'currency', 'ETB', 'rate', '0.07', 'minimum_amount', '10', 'minimum_share', '0.2'))
              FROM masterdata.provider_tier), 'share') > 0, 'a new version may set its own share');
SELECT is((SELECT minimum_share FROM masterdata.commission_terms('GOLD', 'ETB', now() + interval '4 days')), 0.2::numeric,
          'which its terms show from its start');

SELECT * FROM finish();
ROLLBACK;
