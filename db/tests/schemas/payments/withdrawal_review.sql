-- Tests for schemas/payments/withdrawal_review: its error code, documented.
BEGIN;
SELECT plan(1);
SELECT is((SELECT sqlstate::text FROM core.error WHERE code = 'PAYMENTS_WITHDRAWAL_STATE'), 'PT409',
          'a withdrawal not in a reviewable state is a conflict (409)');
SELECT * FROM finish();
ROLLBACK;
