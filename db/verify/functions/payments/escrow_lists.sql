-- Verify mercato:functions/payments/escrow_lists on pg

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.list_caller(bigint, integer)', 'payments.list_escrows(bigint, text, bigint, integer)',
                    'payments.list_installment_plans(bigint, text, bigint, integer)']) AS f;

ROLLBACK;
