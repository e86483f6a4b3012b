-- Verify mercato:schemas/payments/billing on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero).

BEGIN;

SELECT id, organization_id, number, status, currency, minor_units, customer_user_id, customer_email, customer_name,
    memo, due_date, subtotal, tax_total, total, amount_paid, amount_due, overdue_at, opened_at, paid_at, closed_at,
    created_by, created_at, updated_at, metadata
  FROM payments.invoice WHERE false;
SELECT id, invoice_id, minor_units, position, description, quantity, unit_price, tax_rate, amount, tax_amount
  FROM payments.invoice_item WHERE false;
SELECT id, invoice_id, amount, reference, intent_id, wallet_id, created_by, created_at
  FROM payments.invoice_payment WHERE false;
SELECT id, organization_id, url, event_types, status, created_by, created_at, updated_at
  FROM payments.webhook_endpoint WHERE false;
SELECT id, endpoint_id, secret, created_at, expires_at FROM payments.webhook_secret WHERE false;
SELECT id, organization_id, object_type, object_id, sequence, event_type, payload, created_at
  FROM payments.merchant_event WHERE false;
SELECT id, event_id, endpoint_id, attempt, message_id, signed_at, created_by, created_at
  FROM payments.webhook_delivery WHERE false;
SELECT x.i::regclass
  FROM unnest(ARRAY['payments.invoice_customer_user_id_idx', 'payments.invoice_created_by_idx',
      'payments.invoice_currency_idx', 'payments.invoice_due_date_idx', 'payments.invoice_payment_invoice_id_idx',
      'payments.invoice_payment_wallet_id_idx', 'payments.invoice_payment_created_by_idx',
      'payments.webhook_endpoint_organization_id_idx', 'payments.webhook_endpoint_created_by_idx',
      'payments.webhook_secret_endpoint_id_idx', 'payments.merchant_event_organization_id_idx',
      'payments.webhook_delivery_endpoint_id_idx', 'payments.webhook_delivery_message_id_idx',
      'payments.webhook_delivery_created_by_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'payments.invoice', unnest(ARRAY['invoice_pkey', 'invoice_organization_id_fkey', 'invoice_number_check',
            'invoice_status_check', 'invoice_currency_fkey', 'invoice_minor_units_check',
            'invoice_customer_user_id_fkey', 'invoice_customer_email_check', 'invoice_customer_name_check',
            'invoice_memo_check', 'invoice_subtotal_check', 'invoice_tax_total_check', 'invoice_created_by_fkey',
            'invoice_metadata_check', 'invoice_organization_id_number_key', 'invoice_id_minor_units_key',
            'invoice_customer_check', 'invoice_amounts_check', 'invoice_amount_paid_check',
            'invoice_number_status_check', 'invoice_paid_check', 'invoice_closed_at_check', 'invoice_overdue_at_check'])
        UNION ALL
        SELECT 'payments.invoice_item', unnest(ARRAY['invoice_item_pkey', 'invoice_item_position_check',
            'invoice_item_description_check', 'invoice_item_quantity_check', 'invoice_item_unit_price_check',
            'invoice_item_tax_rate_check', 'invoice_item_invoice_id_minor_units_fkey',
            'invoice_item_invoice_id_position_key', 'invoice_item_unit_price_scale_check', 'invoice_item_amount_check',
            'invoice_item_tax_amount_check'])
        UNION ALL
        SELECT 'payments.invoice_payment', unnest(ARRAY['invoice_payment_pkey', 'invoice_payment_invoice_id_fkey',
            'invoice_payment_amount_check', 'invoice_payment_reference_key', 'invoice_payment_reference_check',
            'invoice_payment_wallet_id_fkey', 'invoice_payment_created_by_fkey'])
        UNION ALL
        SELECT 'payments.webhook_endpoint', unnest(ARRAY['webhook_endpoint_pkey', 'webhook_endpoint_organization_id_fkey',
            'webhook_endpoint_url_check', 'webhook_endpoint_event_types_check', 'webhook_endpoint_status_check',
            'webhook_endpoint_created_by_fkey'])
        UNION ALL
        SELECT 'payments.webhook_secret', unnest(ARRAY['webhook_secret_pkey', 'webhook_secret_endpoint_id_fkey',
            'webhook_secret_secret_check', 'webhook_secret_expires_at_check'])
        UNION ALL
        SELECT 'payments.merchant_event', unnest(ARRAY['merchant_event_pkey', 'merchant_event_organization_id_fkey',
            'merchant_event_object_type_check', 'merchant_event_sequence_check', 'merchant_event_event_type_check',
            'merchant_event_payload_check', 'merchant_event_object_sequence_key'])
        UNION ALL
        SELECT 'payments.webhook_delivery', unnest(ARRAY['webhook_delivery_pkey', 'webhook_delivery_event_id_fkey',
            'webhook_delivery_endpoint_id_fkey', 'webhook_delivery_attempt_check', 'webhook_delivery_message_id_fkey',
            'webhook_delivery_created_by_fkey', 'webhook_delivery_event_id_endpoint_id_attempt_key'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled
                 <> 'D')::int
  FROM (VALUES ('payments.invoice', 'invoice_audit', 'audit.track()'),
               ('payments.invoice_payment', 'invoice_payment_fixed', 'core.refuse_change_trg()'),
               ('payments.invoice_payment', 'invoice_payment_no_truncate', 'core.refuse_change_trg()'),
               ('payments.invoice_payment', 'invoice_payment_audit', 'audit.track()'),
               ('payments.webhook_endpoint', 'webhook_endpoint_audit', 'audit.track()'),
               ('payments.merchant_event', 'merchant_event_fixed', 'core.refuse_change_trg()'),
               ('payments.merchant_event', 'merchant_event_no_truncate', 'core.refuse_change_trg()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, p))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['payments.invoice', 'payments.invoice_item', 'payments.invoice_payment', 'payments.webhook_endpoint',
                    'payments.webhook_secret', 'payments.merchant_event', 'payments.webhook_delivery']) AS t,
       unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) AS p;
SELECT 1 / (SELECT c.relrowsecurity FROM pg_catalog.pg_class c WHERE c.oid = 'payments.webhook_secret'::regclass)::int;
SELECT 1 / (SELECT count(*) FROM core.secret
             WHERE (table_schema, table_name, column_name, kind) = ('payments', 'webhook_secret', 'secret', 'SECRET'))::int;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['PAYMENTS_UNKNOWN_MERCHANT', 'PAYMENTS_UNKNOWN_INVOICE', 'PAYMENTS_INVOICE_STATE',
                    'PAYMENTS_INVOICE_TOTALS_MISMATCH', 'PAYMENTS_INVOICE_OVERPAID', 'PAYMENTS_REFERENCE_CONFLICT',
                    'PAYMENTS_UNKNOWN_ENDPOINT', 'PAYMENTS_UNKNOWN_EVENT']) AS c;

ROLLBACK;
