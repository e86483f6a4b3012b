-- Revert mercato:functions/masterdata/marketplace from pg

BEGIN;

DROP TRIGGER commission_rule_complete ON masterdata.commission_rule;
DROP TRIGGER business_tier_rule_complete ON masterdata.business_tier_rule;
DROP TRIGGER provider_tier_rule_complete ON masterdata.provider_tier_rule;
DROP TRIGGER policy_version_rules_complete ON masterdata.policy_version;
DROP FUNCTION masterdata.rule_set_complete_trg(), masterdata.rule_set_gap(bigint);
DROP FUNCTION masterdata.business_tier_quota(text, timestamptz), masterdata.add_commission_strategy(timestamptz, jsonb, text),
    masterdata.commission_terms(text, text, timestamptz);
DROP TRIGGER commission_rule_valid ON masterdata.commission_rule;
DROP FUNCTION masterdata.commission_rule_valid_trg();
DELETE FROM core.error WHERE code IN ('MASTERDATA_RULES_INVALID', 'MASTERDATA_NO_COMMISSION_RULE', 'MASTERDATA_COMMISSION_RULE_INVALID',
    'MASTERDATA_RULES_REQUIRED');

COMMIT;
