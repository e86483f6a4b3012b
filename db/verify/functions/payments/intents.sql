-- Verify mercato:functions/payments/intents on pg

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f::regprocedure, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.payment_intent_guard_trg()', 'payments.payment_intent_log_trg()',
                    'payments.intent_json(bigint)', 'payments.intent_role(payments.payment_intent)',
                    'payments.lock_intent(bigint)', 'payments.check_amount(numeric, text, text)',
                    'payments.intent_pays_platform_object(jsonb)', 'payments.intent_refund_platform_object_trg()',
                    'payments.intent_client_secret(bigint)', 'payments.intent_secret_ok(bigint, text)',
                    'payments.plan_shares(payments.payment_intent, jsonb, integer)',
                    'payments.unwind_shares(bigint, integer, text)',
                    'payments.capture_shares(payments.payment_intent, numeric)', 'payments.settle_if_ready(bigint)',
                    'payments.create_intent(bigint, numeric, text, text, jsonb, text, jsonb, text)',
                    'payments.confirm_intent(bigint, jsonb, text, text)', 'payments.capture_intent(bigint, numeric, text)',
                    'payments.cancel_intent(bigint, text)', 'payments.refund_intent(bigint, numeric, text, text)',
                    'payments.external_share_funded(bigint, bigint)', 'payments.external_share_failed(bigint, text)',
                    'payments.get_intent(bigint, text)', 'payments.list_intents(bigint, text, bigint, integer)',
                    'payments.expire_intents(integer)']) AS f;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'payments.payment_intent'::regclass AND g.tgname = x.n
               AND g.tgfoid = x.f::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payment_intent_guard', 'payments.payment_intent_guard_trg()'),
               ('payment_intent_log', 'payments.payment_intent_log_trg()'),
               ('payment_intent_no_delete', 'core.refuse_change_trg()')) AS x(n, f);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'payments.intent_refund'::regclass AND g.tgname = 'intent_refund_platform_object'
               AND g.tgfoid = 'payments.intent_refund_platform_object_trg()'::regprocedure AND g.tgenabled <> 'D')::int;

ROLLBACK;
