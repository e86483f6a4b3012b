-- Verify mercato:functions/payments/escrow_events on pg

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payments.goods_escrow', 'goods_escrow_event_emit', 'payments.escrow_event_emit_trg()'),
               ('payments.installment_plan', 'installment_plan_event_emit_insert', 'payments.installment_plan_event_emit_trg()'),
               ('payments.installment_plan', 'installment_plan_event_emit_update', 'payments.installment_plan_event_emit_trg()'),
               ('payments.installment', 'installment_event_emit', 'payments.installment_event_emit_trg()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.escrow_event_emit_trg()', 'payments.installment_plan_event_emit_trg()',
                    'payments.installment_event_emit_trg()']) AS f;

ROLLBACK;
