-- Verify mercato:functions/api/orders on pg

BEGIN;

SELECT id, tenant_id, number, source, external_id, customer_id, customer_email, currency, status, financial_status,
       fulfillment_status, subtotal, total_discounts, total_tax, total_shipping, total_price, amount_paid,
       amount_refunded, shipping_address, billing_address, shipping_method, tracking_numbers, tags, note, placed_by,
       reserve_until, processed_at, fulfilled_at, cancelled_at, cancel_reason, created_at, updated_at
  FROM api.orders WHERE false;
SELECT id, tenant_id, order_id, line_no, variant_id, quantity, price, total_discount, taxable, tax_code, tax_rate,
       tax_amount, subtotal, fulfilled_quantity, refunded_quantity, title, sku, variant_title, vendor, requires_shipping,
       properties, created_at
  FROM api.order_lines WHERE false;
SELECT id, tenant_id, order_id, kind, method, amount, currency, points, external_reference, refund_of, reason, created_at
  FROM api.order_payments WHERE false;
SELECT tenant_id, tax_code, effective_from, rate, created_at FROM api.tax_rates WHERE false;
SELECT 1 / pg_catalog.has_table_privilege(r, 'api.' || v, 'SELECT')::int
  FROM unnest(ARRAY['orders', 'order_lines', 'order_payments', 'tax_rates']) AS v,
       unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['api.place_order(core.json_doc, core.json_doc, bigint)',
                    'api.import_order(core.name_text, core.name_text, core.json_doc, core.json_doc, bigint)',
                    'api.record_external_payment(bigint, numeric, core.name_text, bigint)',
                    'api.fulfil_order(bigint, core.json_doc, core.text_list, bigint, bigint)',
                    'api.cancel_order(bigint, core.long_text, bigint)',
                    'api.get_order(bigint, bigint)',
                    'api.list_orders(core.name_text, core.name_text, bigint, bigint, integer, bigint)',
                    'api.set_tax_rate(core.name_text, numeric, core.finite_date, bigint)']) AS f;

ROLLBACK;
