-- Verify mercato:functions/payments/invoice_intents on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint
             WHERE conrelid = 'payments.invoice_payment'::regclass AND conname = 'invoice_payment_intent_id_fkey')::int;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'payments.payment_intent'::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure
               AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payment_intent_invoice_check', 'payments.intent_invoice_check_trg()'),
               ('payment_intent_invoice_apply', 'payments.intent_invoice_apply_trg()')) AS x(n, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.intent_invoice_check_trg()', 'payments.intent_invoice_apply_trg()']) AS f;

ROLLBACK;
