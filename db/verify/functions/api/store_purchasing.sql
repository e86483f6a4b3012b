-- Verify mercato:functions/api/store_purchasing on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT id, tenant_id, code, name, contact_info, payment_terms, payment_terms_days, shipping_terms, minimum_order,
       lead_time_days, is_active, created_at, updated_at
  FROM api.store_distributors WHERE false;
SELECT id, tenant_id, distributor_id, variant_id, distributor_sku, unit_cost, is_preferred, created_at, updated_at
  FROM api.store_distributor_items WHERE false;
SELECT id, tenant_id, distributor_id, po_number, external_po_number, status, currency, subtotal, tax_amount,
       shipping_amount, total_amount, ship_to_location_id, order_date, expected_date, submitted_at, confirmed_at,
       closed_at, cancel_reason, notes, created_by, created_at, updated_at
  FROM api.store_purchase_orders WHERE false;
SELECT id, tenant_id, purchase_order_id, variant_id, distributor_sku, quantity_ordered, quantity_received,
       quantity_over_received, quantity_open, unit_cost, line_total, created_at, updated_at
  FROM api.store_purchase_order_lines WHERE false;
SELECT id, tenant_id, purchase_order_id, location_id, received_at, actor_user_id, notes
  FROM api.store_purchase_receipts WHERE false;
SELECT id, tenant_id, receipt_id, purchase_order_line_id, variant_id, quantity, over_received, unit_cost
  FROM api.store_purchase_receipt_lines WHERE false;
SELECT tenant_id, location_id, variant_id, sku, available, on_order, reorder_point, reorder_quantity, suggested_quantity,
       distributor_id, distributor_code, distributor_sku, unit_cost
  FROM api.store_reorder_suggestions WHERE false;
SELECT 1 / pg_catalog.has_table_privilege(r, v, 'SELECT')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['api.store_distributors', 'api.store_distributor_items', 'api.store_purchase_orders',
                    'api.store_purchase_order_lines', 'api.store_purchase_receipts', 'api.store_purchase_receipt_lines',
                    'api.store_reorder_suggestions']) AS v;
SELECT 1 / (NOT pg_catalog.has_table_privilege('mercato_anon', v, 'SELECT'))::int
  FROM unnest(ARRAY['api.store_distributors', 'api.store_distributor_items', 'api.store_purchase_orders',
                    'api.store_purchase_order_lines', 'api.store_purchase_receipts', 'api.store_purchase_receipt_lines',
                    'api.store_reorder_suggestions']) AS v;
SELECT 1 / pg_catalog.has_function_privilege(r, 'store.visible_reorder_suggestions()', 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['api.create_store_distributor(core.name_text, core.name_text, core.json_doc, core.name_text, integer, '
                    'core.name_text, numeric, integer, bigint)'::regprocedure,
                    'api.update_store_distributor(bigint, core.name_text, core.json_doc, core.name_text, integer, '
                    'core.name_text, numeric, integer, boolean, bigint)'::regprocedure,
                    'api.set_store_distributor_item(bigint, bigint, numeric, core.name_text, boolean, bigint)'::regprocedure,
                    'api.create_purchase_order(bigint, bigint, core.json_doc, core.finite_date, numeric, numeric, numeric, '
                    'core.name_text, core.long_text, bigint)'::regprocedure,
                    'api.add_purchase_order_lines(bigint, core.json_doc, numeric, bigint)'::regprocedure,
                    'api.set_purchase_order_charges(bigint, numeric, numeric, numeric, bigint)'::regprocedure,
                    'api.submit_purchase_order(bigint, numeric, bigint)'::regprocedure,
                    'api.confirm_purchase_order(bigint, core.name_text, core.finite_date, bigint)'::regprocedure,
                    'api.cancel_purchase_order(bigint, core.name_text, bigint)'::regprocedure,
                    'api.receive_purchase_order(bigint, core.json_doc, core.long_text, bigint)'::regprocedure,
                    'api.reorder_suggestions(bigint, bigint)'::regprocedure,
                    'api.create_reorder_purchase_orders(bigint, bigint)'::regprocedure]) AS f;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', p.oid, 'EXECUTE'))::int
  FROM pg_catalog.pg_proc p
 WHERE p.oid IN ('api.create_store_distributor(core.name_text, core.name_text, core.json_doc, core.name_text, integer, '
                 'core.name_text, numeric, integer, bigint)'::regprocedure,
                 'api.receive_purchase_order(bigint, core.json_doc, core.long_text, bigint)'::regprocedure,
                 'api.create_purchase_order(bigint, bigint, core.json_doc, core.finite_date, numeric, numeric, numeric, '
                 'core.name_text, core.long_text, bigint)'::regprocedure);

ROLLBACK;
