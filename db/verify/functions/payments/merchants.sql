-- Verify mercato:functions/payments/merchants on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY[
               'payments.require_merchant(bigint, text)',
               'payments.register_merchant(text, text)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY[
               'payments.require_merchant(bigint, text)',
               'payments.register_merchant(text, text)']) AS f;

ROLLBACK;
