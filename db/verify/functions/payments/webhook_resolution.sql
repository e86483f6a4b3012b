-- Verify mercato:functions/payments/webhook_resolution on pg

BEGIN;

SELECT 'payments.resolve_webhook_event(bigint, text, text)'::regprocedure;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, 'payments.resolve_webhook_event(bigint, text, text)', 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
