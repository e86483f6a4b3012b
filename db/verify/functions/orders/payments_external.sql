-- Verify mercato:functions/orders/payments_external on pg

BEGIN;

-- each function exists (the cast) and no API role executes it: the api wrappers call them as the owner
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['orders.record_external_payment_for(bigint, bigint, numeric, text)'::regprocedure,
                    'orders.record_external_payment(bigint, numeric, text, bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;

ROLLBACK;
