-- Revert mercato:schemas/masterdata/marketplace from pg

BEGIN;

DELETE FROM masterdata.setting WHERE key IN ('MARKETPLACE_CURRENCY', 'RFQ_MAX_LINE_ITEMS', 'RFQ_MIN_BID_WINDOW_MINUTES',
    'RFQ_MAX_QUANTITY_PER_LINE', 'OTP_RESEND_COOLDOWN_SECONDS', 'OTP_MAX_RESENDS', 'OTP_SESSION_FAILURE_BUDGET',
    'TIER_DEMOTION_GRACE_DAYS', 'TRUST_SCORE_INITIAL');
DROP TABLE masterdata.commission_rule, masterdata.business_tier_rule, masterdata.provider_tier_rule,
           masterdata.business_tier, masterdata.provider_tier;
DROP FUNCTION masterdata.rule_immutable_trg();
-- Policy versions are never deleted once in force (guard trigger); reverting is the one exception.
ALTER TABLE masterdata.policy_version DISABLE TRIGGER policy_version_guard;
DELETE FROM masterdata.policy_version
 WHERE policy_code IN ('PROVIDER_TIER_RULES', 'BUSINESS_TIER_RULES', 'COMMISSION_STRATEGY');
ALTER TABLE masterdata.policy_version ENABLE TRIGGER policy_version_guard;
DELETE FROM masterdata.lookup
 WHERE lookup_type_id IN (SELECT id FROM masterdata.lookup_type WHERE code IN ('VEHICLE_TYPE', 'ENGINE_TYPE', 'CONTRACT_PERIOD'));
DELETE FROM masterdata.lookup_type WHERE code IN ('VEHICLE_TYPE', 'ENGINE_TYPE', 'CONTRACT_PERIOD');
DELETE FROM core.error WHERE code = 'MASTERDATA_RULE_IMMUTABLE';

COMMIT;
