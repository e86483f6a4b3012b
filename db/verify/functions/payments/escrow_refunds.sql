-- Verify mercato:functions/payments/escrow_refunds on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM core.error WHERE code = 'PAYMENTS_ESCROW_HELD')::int;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'orders.payment'::regclass AND g.tgname = 'payment_escrow_refund_guard'
               AND g.tgfoid = 'payments.escrow_refund_guard_trg()'::regprocedure AND g.tgenabled <> 'D')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.escrow_refund_guard_trg()', 'payments.cancel_shop_order(bigint, text)']) AS f;

ROLLBACK;
