-- Verify mercato:schemas/payments/withdrawal_review on pg

BEGIN;

SELECT 1 / count(*)::int FROM core.error WHERE code = 'PAYMENTS_WITHDRAWAL_STATE' AND sqlstate = 'PT409';

ROLLBACK;
