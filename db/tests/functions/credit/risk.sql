-- Tests for functions/credit/risk: a score's risk category and band from the versioned policy CREDIT_RISK_BANDS, at its
-- boundaries; a new version changes the answer from its effective time on; what the policy does not cover is refused.
BEGIN;
SELECT plan(10);

SELECT is(credit.risk_of(300), 'VERY_HIGH', '300 is the lowest band');
SELECT is(credit.risk_of(549) || '/' || credit.risk_of(550), 'VERY_HIGH/HIGH', '549 and 550 sit either side of a boundary');
SELECT is(credit.risk_of(749) || '/' || credit.risk_of(750), 'MEDIUM/LOW', '749 and 750 too');
SELECT is(credit.risk_of(900), 'LOW', '900 is the highest band');
SELECT is((SELECT (b.category, b.max_limit, b.policy_version)::text FROM credit.risk_band(700, 'INR') b),
          '(MEDIUM,200000.00,1)', 'a band gives the maximum limit in a currency and the policy version');
SELECT throws_like($$SELECT credit.risk_of(299)$$, 'CREDIT_INVALID_INPUT:%', 'a score below 300 is refused');
SELECT throws_like($$SELECT credit.risk_of(901)$$, 'CREDIT_INVALID_INPUT:%', 'a score above 900 is refused');
SELECT throws_like($$SELECT * FROM credit.risk_band(700, 'JPY')$$, 'CREDIT_RISK_BANDS_UNDEFINED:%',
                   'a currency the policy gives no maximum for is refused, not unlimited');

SELECT masterdata.add_policy_version('CREDIT_RISK_BANDS', now() + interval '1 day',
    '{"bands": [{"min_score": 300, "max_score": 699, "category": "HIGH", "max_limit": {"INR": "1000.00"}},
                {"min_score": 700, "max_score": 900, "category": "LOW", "max_limit": {"INR": "9000.00"}}]}');
SELECT is(credit.risk_of(650) || '/' || credit.risk_of(650, now() + interval '2 days'), 'MEDIUM/HIGH',
          'a new version changes the category from its effective time on, never before');
SELECT ok(NOT has_function_privilege('mercato_user', 'credit.risk_of(integer, timestamptz)', 'EXECUTE'),
          'internal: callers ask through the api');

SELECT * FROM finish();
ROLLBACK;
