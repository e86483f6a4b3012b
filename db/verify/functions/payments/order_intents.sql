-- Verify mercato:functions/payments/order_intents on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM orders.payment_method WHERE code = 'PAYMENT_INTENT')::int;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payments.payment_intent', 'payment_intent_order_check', 'payments.intent_order_check_trg()'),
               ('payments.payment_intent', 'payment_intent_order_lock', 'payments.intent_order_lock_trg()'),
               ('payments.payment_intent', 'payment_intent_order_pay', 'payments.intent_order_pay_trg()'),
               ('payments.intent_refund', 'intent_refund_order_check', 'payments.intent_order_refund_trg()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.intent_order(bigint, jsonb)', 'payments.intent_order_check_trg()',
                    'payments.intent_order_lock_trg()', 'payments.intent_order_pay_trg()',
                    'payments.intent_order_refund_trg()']) AS f;

ROLLBACK;
