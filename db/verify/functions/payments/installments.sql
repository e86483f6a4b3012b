-- Verify mercato:functions/payments/installments on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY[
    'payments.split_amount(numeric, integer, integer)',
    'payments.installment_terms(text, timestamptz)',
    'payments.installment_plan_transition_trg()',
    'payments.installment_transition_trg()',
    'payments.plan_doc(bigint)',
    'payments.create_installment_plan(bigint, integer, integer, timestamptz)',
    'payments.lock_open_installment(bigint)',
    'payments.finish_installment(payments.installment_plan, payments.installment, jsonb, text, bigint)',
    'payments.settle_installment(bigint, text)',
    'payments.pay_installment(bigint)',
    'payments.collect_due_installments(integer)',
    'payments.cancel_installment_plan(bigint)',
    'payments.get_installment_plan(bigint)']) AS x;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY[
    'payments.split_amount(numeric, integer, integer)',
    'payments.installment_terms(text, timestamptz)',
    'payments.installment_plan_transition_trg()',
    'payments.installment_transition_trg()',
    'payments.plan_doc(bigint)',
    'payments.create_installment_plan(bigint, integer, integer, timestamptz)',
    'payments.lock_open_installment(bigint)',
    'payments.finish_installment(payments.installment_plan, payments.installment, jsonb, text, bigint)',
    'payments.settle_installment(bigint, text)',
    'payments.pay_installment(bigint)',
    'payments.collect_due_installments(integer)',
    'payments.cancel_installment_plan(bigint)',
    'payments.get_installment_plan(bigint)']) AS f;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payments.installment_plan', 'installment_plan_transition', 'payments.installment_plan_transition_trg()'),
               ('payments.installment', 'installment_transition', 'payments.installment_transition_trg()')) AS x(t, n, f);

ROLLBACK;
