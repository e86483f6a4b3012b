-- Revert mercato:schemas/credit/foundation from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code = 'CREDIT_IMMUTABLE';
ALTER TABLE masterdata.policy_version DISABLE TRIGGER policy_version_guard;
DELETE FROM masterdata.policy_version WHERE policy_code = 'CREDIT_RISK_BANDS';
ALTER TABLE masterdata.policy_version ENABLE TRIGGER policy_version_guard;
DROP TABLE credit.retailer_score;
DROP TABLE credit.retailer;
DROP TABLE credit.vendor;
DELETE FROM masterdata.currency c
 WHERE c.code = 'INR' AND NOT EXISTS (SELECT FROM ledger.account a WHERE a.currency = 'INR');
DELETE FROM identity.role_permission
 WHERE permission_id = (SELECT id FROM identity.permission WHERE code = 'credit.manage');
DELETE FROM identity.role_assignment
 WHERE role_id = (SELECT id FROM identity.role WHERE code = 'CREDIT_OPERATOR' AND tenant_id IS NULL);
ALTER TABLE identity.role DISABLE TRIGGER role_guard;
DELETE FROM identity.role WHERE code = 'CREDIT_OPERATOR' AND tenant_id IS NULL;
ALTER TABLE identity.role ENABLE TRIGGER role_guard;
DELETE FROM identity.permission WHERE code = 'credit.manage';
DELETE FROM identity.organization_kind WHERE code IN ('VENDOR', 'RETAILER');

COMMIT;
