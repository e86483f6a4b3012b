-- Verify mercato:functions/payments/qr_codes on pg

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f::regprocedure, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.create_qr_code(bigint, bigint, text, text, timestamptz)',
                    'payments.pay_qr(text, bigint, numeric, text)']) AS f;

ROLLBACK;
