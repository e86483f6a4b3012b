-- Verify mercato:functions/payments/withdrawal_review on pg

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'payments.resolve_flagged_withdrawal(bigint, text, text)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r;
ROLLBACK;
