-- Verify mercato:functions/masterdata/marketplace on pg
-- Existence and privileges only. Each cast to regprocedure raises when its function is missing; a trigger count or an
-- error-code count divides by zero when one is missing (or a trigger disabled, or not deferred to commit); the last
-- query divides by zero when an API role may execute one of the functions (the api wrappers call them as the owner).

BEGIN;

SELECT 'masterdata.commission_terms(text, text, timestamptz)'::regprocedure;
SELECT 'masterdata.add_commission_strategy(timestamptz, jsonb, text)'::regprocedure;
SELECT 'masterdata.business_tier_quota(text, timestamptz)'::regprocedure;
SELECT 'masterdata.rule_set_gap(bigint)'::regprocedure;
SELECT 'masterdata.rule_set_complete_trg()'::regprocedure;
SELECT 'masterdata.commission_rule_valid_trg()'::regprocedure;
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'masterdata.policy_version'::regclass
   AND tgname = 'policy_version_rules_complete' AND tgenabled <> 'D' AND tgdeferrable AND tginitdeferred;
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'masterdata.provider_tier_rule'::regclass
   AND tgname = 'provider_tier_rule_complete' AND tgenabled <> 'D' AND tgdeferrable AND tginitdeferred;
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'masterdata.business_tier_rule'::regclass
   AND tgname = 'business_tier_rule_complete' AND tgenabled <> 'D' AND tgdeferrable AND tginitdeferred;
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'masterdata.commission_rule'::regclass
   AND tgname = 'commission_rule_complete' AND tgenabled <> 'D' AND tgdeferrable AND tginitdeferred;
SELECT 1 / count(*)::int FROM pg_catalog.pg_trigger WHERE tgrelid = 'masterdata.commission_rule'::regclass
   AND tgname = 'commission_rule_valid' AND tgenabled <> 'D'
   AND tgfoid = 'masterdata.commission_rule_valid_trg()'::regprocedure;
SELECT 1 / (count(*) = 4)::int FROM core.error
 WHERE code IN ('MASTERDATA_RULES_INVALID', 'MASTERDATA_NO_COMMISSION_RULE', 'MASTERDATA_RULES_REQUIRED',
                'MASTERDATA_COMMISSION_RULE_INVALID');
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['masterdata.commission_terms(text, text, timestamptz)',
                    'masterdata.add_commission_strategy(timestamptz, jsonb, text)',
                    'masterdata.business_tier_quota(text, timestamptz)',
                    'masterdata.rule_set_gap(bigint)',
                    'masterdata.rule_set_complete_trg()',
                    'masterdata.commission_rule_valid_trg()']) AS f;

ROLLBACK;
