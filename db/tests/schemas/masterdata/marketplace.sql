-- Tests for schemas/masterdata/marketplace: tiers, versioned rules as data, commission strategy, lookups, settings.
BEGIN;
SELECT plan(13);

SELECT results_eq($$SELECT code FROM masterdata.provider_tier ORDER BY rank$$,
                  $$VALUES ('BRONZE'), ('SILVER'), ('GOLD'), ('PLATINUM')$$, 'provider tiers in rank order');
SELECT results_eq($$SELECT code FROM masterdata.business_tier ORDER BY rank$$,
                  $$VALUES ('STANDARD'), ('BUSINESS_PRO'), ('PREMIUM'), ('ENTERPRISE')$$, 'business tiers in rank order');
SELECT results_eq($$SELECT r.tier_code, r.min_trust_score::int, r.max_trust_score::int, r.min_active_vehicles
                      FROM masterdata.provider_tier_rule r JOIN masterdata.provider_tier t ON t.code = r.tier_code ORDER BY t.rank$$,
                  $$VALUES ('BRONZE', 0, 49, 0), ('SILVER', 50, 69, 5), ('GOLD', 70, 84, 15), ('PLATINUM', 85, 100, 30)$$,
                  'the seed''s provider thresholds: trust AND active fleet');
SELECT results_eq($$SELECT r.tier_code, r.max_rfqs_per_month FROM masterdata.business_tier_rule r
                      JOIN masterdata.business_tier t ON t.code = r.tier_code ORDER BY t.rank$$,
                  $$VALUES ('STANDARD', 10), ('BUSINESS_PRO', 50), ('PREMIUM', 200), ('ENTERPRISE', NULL::int)$$,
                  'monthly RFQ quotas 10 / 50 / 200 / unlimited');
SELECT results_eq($$SELECT r.tier_code, r.rate FROM masterdata.commission_rule r JOIN masterdata.provider_tier t ON t.code = r.tier_code
                     WHERE r.currency = 'ETB' ORDER BY t.rank$$,
                  $$VALUES ('BRONZE', 0.10::numeric), ('SILVER', 0.08), ('GOLD', 0.06), ('PLATINUM', 0.05)$$,
                  'commission 10 / 8 / 6 / 5 %');
SELECT results_eq($$SELECT r.currency::text, min(r.minimum_amount), max(r.maximum_amount), min(r.minimum_share), max(r.minimum_share)
                     FROM masterdata.commission_rule r GROUP BY r.currency ORDER BY r.currency$$,
                  $$VALUES ('ETB', 50::numeric, 50000::numeric, 0.25::numeric, 0.25::numeric), ('KES', 50, 50000, 0.25, 0.25),
                           ('USD', 0.50, 400, 0.25, 0.25)$$,
                  'floors and caps per currency (50 birr or shillings, 0.50 dollars), the minimum at most a quarter of a line');
SELECT throws_like($$UPDATE masterdata.commission_rule SET rate = 0.01$$, 'MASTERDATA_RULE_IMMUTABLE:%',
                   'a rule of a version is never edited, even by the owner');
SELECT throws_like($$DELETE FROM masterdata.provider_tier_rule$$, 'MASTERDATA_RULE_IMMUTABLE:%', 'nor deleted');
SELECT throws_ok($$INSERT INTO masterdata.commission_rule (policy_version_id, tier_code, currency, rate)
                   SELECT id, 'GOLD', 'ETB', 1.5 FROM masterdata.policy_version WHERE policy_code = 'COMMISSION_STRATEGY'$$,
                 '23514', NULL, 'a rate is a fraction below 1');
SELECT is((SELECT count(*)::int FROM masterdata.lookup l JOIN masterdata.lookup_type t ON t.id = l.lookup_type_id
            WHERE t.code = 'CONTRACT_PERIOD'), 5, 'contract periods are lookups');
SELECT is(masterdata.setting_number('OTP_EXPIRY_MINUTES'), 5::numeric, 'OTP codes live 5 minutes');
SELECT is(masterdata.setting_text('MARKETPLACE_CURRENCY'), 'ETB', 'Movello trades in birr');
SET LOCAL ROLE mercato_user;
SELECT throws_ok($$UPDATE masterdata.provider_tier SET name = 'x'$$, '42501', NULL, 'application roles cannot write tiers');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
