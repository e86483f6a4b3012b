-- Verify mercato:schemas/orders on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero).

BEGIN;

SELECT code, description
  FROM orders.source WHERE false;
SELECT code, description
  FROM orders.payment_method WHERE false;
SELECT id, tenant_id, user_id, email, first_name, last_name, phone, default_address, status, accepts_marketing,
       marketing_consent_at, tags, note, metadata, total_spent, order_count, last_order_at, created_at, updated_at
  FROM orders.customer WHERE false;
SELECT tenant_id, tax_code, effective_from, rate, created_at
  FROM orders.tax_rate WHERE false;
SELECT id, tenant_id, number, source, external_id, request_hash, customer_id, customer_email, currency, status,
       financial_status, fulfillment_status, subtotal, total_discounts, total_tax, total_shipping, total_price,
       amount_paid, amount_refunded, shipping_address, billing_address, shipping_method, tracking_numbers, tags,
       note, channel_data, placed_by, reserve_until, processed_at, fulfilled_at, cancelled_at, cancel_reason,
       created_at, updated_at
  FROM orders.sales_order WHERE false;
SELECT id, tenant_id, order_id, line_no, variant_id, quantity, price, total_discount, taxable, tax_code, tax_rate,
       tax_amount, subtotal, fulfilled_quantity, refunded_quantity, title, sku, variant_title, vendor,
       requires_shipping, properties, created_at
  FROM orders.line WHERE false;
SELECT id, tenant_id, order_id, kind, method, amount, currency, points, external_reference, ledger_transaction_id,
       refund_of, reason, actor_user_id, created_at
  FROM orders.payment WHERE false;
SELECT payment_id, tenant_id, line_id, quantity, restock
  FROM orders.refund_line WHERE false;
SELECT x.i::regclass
  FROM unnest(ARRAY['orders.customer_tenant_id_name_idx', 'orders.customer_tags_idx',
      'orders.customer_user_id_idx', 'orders.sales_order_tenant_id_created_at_idx',
      'orders.sales_order_tenant_id_status_idx', 'orders.sales_order_customer_id_idx',
      'orders.sales_order_open_fulfilment_idx', 'orders.line_variant_id_idx', 'orders.payment_external_reference_key',
      'orders.payment_order_id_idx', 'orders.payment_refund_of_idx', 'orders.refund_line_line_id_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'orders.source', unnest(ARRAY['source_code_check', 'source_pkey'])
        UNION ALL
        SELECT 'orders.payment_method', unnest(ARRAY['payment_method_code_check', 'payment_method_pkey'])
        UNION ALL
        SELECT 'orders.customer', unnest(ARRAY['customer_consent_check', 'customer_default_address_check',
            'customer_email_check', 'customer_first_name_check', 'customer_id_tenant_id_key',
            'customer_identified_check', 'customer_last_name_check', 'customer_metadata_check', 'customer_note_check',
            'customer_order_count_check', 'customer_phone_check', 'customer_pkey', 'customer_status_check',
            'customer_tags_check', 'customer_tenant_id_email_key', 'customer_tenant_id_fkey',
            'customer_tenant_id_user_id_key', 'customer_total_spent_check', 'customer_user_id_fkey'])
        UNION ALL
        SELECT 'orders.tax_rate', unnest(ARRAY['tax_rate_effective_from_check', 'tax_rate_pkey',
            'tax_rate_rate_check', 'tax_rate_tax_code_check', 'tax_rate_tenant_id_fkey'])
        UNION ALL
        SELECT 'orders.sales_order', unnest(ARRAY['sales_order_amount_paid_check',
            'sales_order_amount_refunded_check', 'sales_order_billing_address_check',
            'sales_order_cancel_reason_check', 'sales_order_cancelled_check', 'sales_order_channel_data_check',
            'sales_order_currency_fkey', 'sales_order_customer_email_check', 'sales_order_customer_id_fkey',
            'sales_order_discounts_check', 'sales_order_external_check', 'sales_order_external_id_check',
            'sales_order_financial_check', 'sales_order_financial_status_check',
            'sales_order_fulfillment_status_check', 'sales_order_id_tenant_id_key', 'sales_order_note_check',
            'sales_order_number_check', 'sales_order_paid_check', 'sales_order_pkey',
            'sales_order_shipping_address_check', 'sales_order_shipping_method_check', 'sales_order_source_fkey',
            'sales_order_status_check', 'sales_order_subtotal_check', 'sales_order_tags_check',
            'sales_order_tenant_id_fkey', 'sales_order_tenant_id_number_key',
            'sales_order_tenant_id_source_external_id_key', 'sales_order_total_check',
            'sales_order_total_discounts_check', 'sales_order_total_price_check', 'sales_order_total_shipping_check',
            'sales_order_total_tax_check', 'sales_order_tracking_numbers_check'])
        UNION ALL
        SELECT 'orders.line', unnest(ARRAY['line_discount_check', 'line_fulfilled_check',
            'line_fulfilled_quantity_check', 'line_id_tenant_id_key', 'line_line_no_check', 'line_order_id_fkey',
            'line_order_id_line_no_key', 'line_pkey', 'line_price_check', 'line_properties_check',
            'line_quantity_check', 'line_refunded_check', 'line_refunded_quantity_check', 'line_sku_check',
            'line_tax_amount_check', 'line_tax_check', 'line_tax_rate_check', 'line_tenant_id_fkey',
            'line_title_check', 'line_total_discount_check', 'line_variant_id_fkey', 'line_variant_title_check',
            'line_vendor_check'])
        UNION ALL
        SELECT 'orders.payment', unnest(ARRAY['payment_amount_check', 'payment_currency_fkey',
            'payment_external_check', 'payment_external_reference_check', 'payment_id_tenant_id_key',
            'payment_kind_check', 'payment_method_fkey', 'payment_order_id_fkey', 'payment_pkey',
            'payment_points_check', 'payment_points_method_check', 'payment_reason_check', 'payment_refund_check',
            'payment_refund_of_fkey', 'payment_tenant_id_fkey'])
        UNION ALL
        SELECT 'orders.refund_line', unnest(ARRAY['refund_line_line_id_fkey', 'refund_line_payment_id_fkey',
            'refund_line_pkey', 'refund_line_quantity_check', 'refund_line_tenant_id_fkey'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled
                 <> 'D')::int
  FROM (VALUES ('orders.customer', 'customer_audit', 'audit.track()'),
               ('orders.tax_rate', 'tax_rate_immutable', 'core.refuse_change_trg()'),
               ('orders.sales_order', 'sales_order_no_delete', 'core.refuse_change_trg()'),
               ('orders.line', 'line_no_delete', 'core.refuse_change_trg()'),
               ('orders.payment', 'payment_immutable', 'core.refuse_change_trg()'),
               ('orders.payment', 'payment_no_truncate', 'core.refuse_change_trg()'),
               ('orders.refund_line', 'refund_line_immutable', 'core.refuse_change_trg()'),
               ('orders.refund_line', 'refund_line_no_truncate', 'core.refuse_change_trg()')) AS x(t, n, f);
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['ORDERS_CUSTOMER_EXISTS', 'ORDERS_FULFILMENT_EXCEEDS', 'ORDERS_IMMUTABLE',
      'ORDERS_IMPORT_CONFLICT', 'ORDERS_INVALID_INPUT', 'ORDERS_INVALID_TRANSITION', 'ORDERS_NOT_PAYABLE',
      'ORDERS_PAYMENT_EXCEEDS', 'ORDERS_PAYMENT_TAKEN', 'ORDERS_REFUND_EXCEEDS', 'ORDERS_TOTALS_MISMATCH',
      'ORDERS_UNKNOWN_CUSTOMER', 'ORDERS_UNKNOWN_ORDER', 'ORDERS_UNKNOWN_VARIANT']) AS c;
SELECT 1 / (SELECT count(*) FROM orders.source WHERE code = c)::int
  FROM unnest(ARRAY['ONLINE_STORE', 'POS', 'SHOPIFY', 'BINDERPOS', 'TCGPLAYER', 'EBAY', 'AMAZON', 'GOOGLE',
      'MANUAL']) AS c;
SELECT 1 / (SELECT count(*) FROM orders.payment_method WHERE code = c)::int
  FROM unnest(ARRAY['STORE_CREDIT', 'LOYALTY_POINTS', 'EXTERNAL']) AS c;
SELECT 1 / (SELECT count(*) FROM identity.permission WHERE code = 'orders.manage' AND tenant_grantable)::int;
SELECT 1 / (SELECT count(*) FROM identity.role_permission rp JOIN identity.role r ON r.id = rp.role_id
              JOIN identity.permission p ON p.id = rp.permission_id
             WHERE p.code = 'orders.manage' AND r.code = x AND r.tenant_id IS NULL)::int
  FROM unnest(ARRAY['TENANT_ADMIN', 'PLATFORM_ADMIN']) AS x;
SELECT 1 / pg_catalog.has_schema_privilege(r, 'orders', 'USAGE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / pg_catalog.has_table_privilege(r, t, 'SELECT')::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['orders.source', 'orders.payment_method']) AS t;
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['orders.source', 'orders.payment_method', 'orders.customer', 'orders.tax_rate',
           'orders.sales_order',
                    'orders.line', 'orders.payment', 'orders.refund_line']) AS t;

ROLLBACK;
