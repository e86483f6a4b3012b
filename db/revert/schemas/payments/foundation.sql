-- Revert mercato:schemas/payments/foundation from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error
 WHERE code IN ('PAYMENTS_INVALID_INPUT', 'PAYMENTS_UNKNOWN_WALLET', 'PAYMENTS_LIMITS_UNDEFINED', 'PAYMENTS_IMMUTABLE');
DROP TABLE payments.fee_charge;
DROP TABLE payments.fee_rule;
ALTER TABLE masterdata.policy_version DISABLE TRIGGER policy_version_guard;
DELETE FROM masterdata.policy_version WHERE policy_code = 'PAYMENTS_WALLET_LIMITS';
ALTER TABLE masterdata.policy_version ENABLE TRIGGER policy_version_guard;
DROP TABLE payments.kyc;
DROP TABLE payments.wallet;
DELETE FROM identity.role_permission
 WHERE permission_id = (SELECT id FROM identity.permission WHERE code = 'payments.manage');
DELETE FROM identity.permission WHERE code = 'payments.manage';
DELETE FROM identity.organization_kind WHERE code = 'MERCHANT';

COMMIT;
