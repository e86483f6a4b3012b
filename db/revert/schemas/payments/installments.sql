-- Revert mercato:schemas/payments/installments from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code IN ('PAYMENTS_UNKNOWN_PLAN', 'PAYMENTS_PLAN_STATE');
ALTER TABLE masterdata.policy_version DISABLE TRIGGER policy_version_guard;
DELETE FROM masterdata.policy_version WHERE policy_code = 'PAYMENTS_INSTALLMENTS';
ALTER TABLE masterdata.policy_version ENABLE TRIGGER policy_version_guard;
DROP TABLE payments.installment;
DROP TABLE payments.installment_plan;

COMMIT;
