-- Verify mercato:functions/payments/escrow on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY[
    'payments.metadata_id(jsonb, text)',
    'payments.escrow_transition_trg()',
    'payments.escrow_doc(bigint)',
    'payments.hold_in_escrow(payments.shop, orders.payment, bigint)',
    'payments.lock_escrow(bigint, boolean)',
    'payments.settle_escrow(payments.goods_escrow, numeric, text, text, bigint)',
    'payments.escrow_for_caller(bigint, text)',
    'payments.confirm_delivery(bigint)',
    'payments.open_dispute(bigint, text)',
    'payments.resolve_dispute(bigint, numeric, text)',
    'payments.refund_escrow(bigint, text)',
    'payments.release_due_escrows(integer)',
    'payments.get_escrow(bigint)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY[
    'payments.metadata_id(jsonb, text)',
    'payments.escrow_transition_trg()',
    'payments.escrow_doc(bigint)',
    'payments.hold_in_escrow(payments.shop, orders.payment, bigint)',
    'payments.lock_escrow(bigint, boolean)',
    'payments.settle_escrow(payments.goods_escrow, numeric, text, text, bigint)',
    'payments.escrow_for_caller(bigint, text)',
    'payments.confirm_delivery(bigint)',
    'payments.open_dispute(bigint, text)',
    'payments.resolve_dispute(bigint, numeric, text)',
    'payments.refund_escrow(bigint, text)',
    'payments.release_due_escrows(integer)',
    'payments.get_escrow(bigint)']) AS f;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'payments.goods_escrow'::regclass AND g.tgname = 'goods_escrow_transition'
               AND g.tgfoid = 'payments.escrow_transition_trg()'::regprocedure AND g.tgenabled <> 'D')::int;

ROLLBACK;
