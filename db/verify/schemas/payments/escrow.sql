-- Verify mercato:schemas/payments/escrow on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT id, organization_id, tenant_id, currency, opened_by, created_at FROM payments.shop WHERE false;
SELECT shop_id, user_id, tenant_id, customer_id, created_at FROM payments.shop_customer WHERE false;
SELECT id, shop_id, tenant_id, order_id, buyer_user_id, account_id, currency, order_total, amount_held, status,
    auto_release_days, policy_version, funded_at, release_after, disputed_at, dispute_reason, released_at, released_by,
    buyer_amount, merchant_amount, fee, fee_rule_id, resolved_by, resolution_note, created_at, updated_at
  FROM payments.goods_escrow WHERE false;
SELECT x.i::regclass
  FROM unnest(ARRAY['payments.shop_opened_by_idx', 'payments.shop_customer_user_id_idx',
      'payments.goods_escrow_shop_id_idx', 'payments.goods_escrow_buyer_user_id_idx',
      'payments.goods_escrow_fee_rule_id_idx', 'payments.goods_escrow_resolved_by_idx',
      'payments.goods_escrow_release_after_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'payments.shop', unnest(ARRAY['shop_pkey', 'shop_organization_id_fkey', 'shop_organization_id_key',
            'shop_tenant_id_fkey', 'shop_tenant_id_key', 'shop_currency_fkey', 'shop_opened_by_fkey'])
        UNION ALL
        SELECT 'payments.shop_customer', unnest(ARRAY['shop_customer_pkey', 'shop_customer_shop_id_fkey',
            'shop_customer_user_id_fkey', 'shop_customer_customer_id_fkey', 'shop_customer_customer_id_key'])
        UNION ALL
        SELECT 'payments.goods_escrow', unnest(ARRAY['goods_escrow_pkey', 'goods_escrow_shop_id_fkey',
            'goods_escrow_buyer_user_id_fkey', 'goods_escrow_account_id_fkey', 'goods_escrow_account_id_key',
            'goods_escrow_currency_fkey', 'goods_escrow_order_total_check', 'goods_escrow_amount_held_check',
            'goods_escrow_status_check', 'goods_escrow_auto_release_days_check', 'goods_escrow_dispute_reason_check',
            'goods_escrow_released_by_check', 'goods_escrow_buyer_amount_check', 'goods_escrow_merchant_amount_check',
            'goods_escrow_fee_check', 'goods_escrow_fee_rule_id_fkey', 'goods_escrow_resolved_by_fkey',
            'goods_escrow_resolution_note_check', 'goods_escrow_order_id_fkey', 'goods_escrow_order_id_key',
            'goods_escrow_settled_check', 'goods_escrow_disputed_check', 'goods_escrow_funded_check'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure
               AND g.tgenabled <> 'D')::int
  FROM (VALUES ('payments.shop', 'shop_fixed', 'core.refuse_change_trg()'),
               ('payments.shop', 'shop_no_truncate', 'core.refuse_change_trg()'),
               ('payments.shop', 'shop_audit', 'audit.track()'),
               ('payments.shop_customer', 'shop_customer_fixed', 'core.refuse_change_trg()'),
               ('payments.shop_customer', 'shop_customer_no_truncate', 'core.refuse_change_trg()'),
               ('payments.goods_escrow', 'goods_escrow_no_delete', 'core.refuse_change_trg()'),
               ('payments.goods_escrow', 'goods_escrow_audit', 'audit.track()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.shop', 'payments.shop_customer', 'payments.goods_escrow']) AS t;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['PAYMENTS_UNKNOWN_SHOP', 'PAYMENTS_SHOP_EXISTS', 'PAYMENTS_UNKNOWN_ESCROW', 'PAYMENTS_ESCROW_STATE',
                    'PAYMENTS_ESCROW_NOT_FUNDED']) AS c;
SELECT 1 / (SELECT count(*) FROM orders.payment_method WHERE code = 'WALLET')::int;
SELECT 1 / (SELECT count(*) FROM masterdata.policy_version WHERE policy_code = 'PAYMENTS_ESCROW')::int;

ROLLBACK;
