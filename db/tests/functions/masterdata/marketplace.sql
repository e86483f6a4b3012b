-- Tests for functions/masterdata/marketplace: terms in force, new versions only, validation.
BEGIN;
SELECT plan(8);

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

SELECT * FROM finish();
ROLLBACK;
