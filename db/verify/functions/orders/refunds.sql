-- Verify mercato:functions/orders/refunds on pg

BEGIN;

SELECT 'orders.refund_order(bigint, numeric, text, jsonb, text, bigint, bigint)'::regprocedure;

ROLLBACK;
