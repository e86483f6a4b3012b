-- Verify mercato:schemas/payments/installments on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT id, shop_id, tenant_id, order_id, buyer_user_id, currency, total, installments, interval_days, status,
    policy_version, late_fee, cancellation_fee_percent, amount_paid, cancel_fee, cancel_refund, cancelled_at,
    completed_at, created_at, updated_at
  FROM payments.installment_plan WHERE false;
SELECT id, plan_id, tenant_id, seq, amount, due_at, status, open, late_fee, late_at, paid_at, paid_by, payment_id, reminded_at,
    created_at, updated_at
  FROM payments.installment WHERE false;
SELECT x.i::regclass
  FROM unnest(ARRAY['payments.installment_plan_shop_id_idx', 'payments.installment_plan_buyer_user_id_idx',
      'payments.installment_payment_id_idx', 'payments.installment_due_at_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'payments.installment_plan', unnest(ARRAY['installment_plan_pkey', 'installment_plan_shop_id_fkey',
            'installment_plan_buyer_user_id_fkey', 'installment_plan_currency_fkey', 'installment_plan_total_check',
            'installment_plan_installments_check', 'installment_plan_interval_days_check', 'installment_plan_status_check',
            'installment_plan_late_fee_check', 'installment_plan_cancellation_fee_percent_check',
            'installment_plan_amount_paid_check', 'installment_plan_cancel_fee_check', 'installment_plan_cancel_refund_check',
            'installment_plan_order_id_fkey', 'installment_plan_order_id_key', 'installment_plan_id_tenant_id_key',
            'installment_plan_cancelled_check', 'installment_plan_completed_check'])
        UNION ALL
        SELECT 'payments.installment', unnest(ARRAY['installment_pkey', 'installment_seq_check', 'installment_amount_check',
            'installment_status_check', 'installment_late_fee_check', 'installment_paid_by_check',
            'installment_plan_id_fkey', 'installment_payment_id_fkey', 'installment_plan_id_seq_key',
            'installment_paid_check', 'installment_late_check'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure
               AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payments.installment_plan', 'installment_plan_no_delete', 'core.refuse_change_trg()'),
               ('payments.installment_plan', 'installment_plan_audit', 'audit.track()'),
               ('payments.installment', 'installment_no_delete', 'core.refuse_change_trg()'),
               ('payments.installment', 'installment_audit', 'audit.track()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.installment_plan', 'payments.installment']) AS t;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['PAYMENTS_UNKNOWN_PLAN', 'PAYMENTS_PLAN_STATE']) AS c;
SELECT 1 / (SELECT count(*) FROM masterdata.policy_version WHERE policy_code = 'PAYMENTS_INSTALLMENTS')::int;

ROLLBACK;
