-- Revert mercato:functions/masterdata/marketplace from pg

BEGIN;

DROP FUNCTION masterdata.business_tier_quota(text, timestamptz), masterdata.add_commission_strategy(timestamptz, jsonb, text),
    masterdata.commission_terms(text, text, timestamptz);
DROP TRIGGER commission_rule_valid ON masterdata.commission_rule;
DROP FUNCTION masterdata.commission_rule_valid_trg();
DELETE FROM core.error WHERE code IN ('MASTERDATA_RULES_INVALID', 'MASTERDATA_NO_COMMISSION_RULE', 'MASTERDATA_COMMISSION_RULE_INVALID');

COMMIT;
