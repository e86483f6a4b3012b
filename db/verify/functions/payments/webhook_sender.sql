-- Verify mercato:functions/payments/webhook_sender on pg

BEGIN;

SELECT 'payments.merchant_webhook_request(bigint, uuid)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'payments.merchant_webhook_request(bigint, uuid)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service', 'mercato_sender']) AS r;

ROLLBACK;
