-- Revert mercato:functions/masterdata/marketplace from pg

BEGIN;

DROP FUNCTION masterdata.business_tier_quota(text, timestamptz), masterdata.add_commission_strategy(timestamptz, jsonb, text),
    masterdata.commission_terms(text, text, timestamptz);
DELETE FROM core.error WHERE code IN ('MASTERDATA_RULES_INVALID', 'MASTERDATA_NO_COMMISSION_RULE');

COMMIT;
