-- Verify mercato:schemas/store/purchasing on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing column or relation, a failed
-- cast) or wrongly granted (division by zero).

BEGIN;

SELECT id, tenant_id, code, name, contact_info, payment_terms, payment_terms_days, shipping_terms, minimum_order, lead_time_days, is_active, created_at, updated_at
  FROM store.distributor WHERE false;
SELECT id, tenant_id, distributor_id, variant_id, distributor_sku, unit_cost, is_preferred, created_at, updated_at
  FROM store.distributor_item WHERE false;
SELECT id, tenant_id, distributor_id, po_number, external_po_number, status, currency, subtotal, tax_amount, shipping_amount, total_amount, ship_to_location_id, order_date, expected_date, submitted_at, confirmed_at, closed_at, cancel_reason, notes, created_by, created_at, updated_at, open
  FROM store.purchase_order WHERE false;
SELECT id, tenant_id, purchase_order_id, variant_id, distributor_sku, quantity_ordered, quantity_received, quantity_over_received, unit_cost, line_total, created_at, updated_at
  FROM store.purchase_order_line WHERE false;
SELECT id, tenant_id, purchase_order_id, location_id, received_at, actor_user_id, notes
  FROM store.purchase_receipt WHERE false;
SELECT id, tenant_id, receipt_id, purchase_order_line_id, variant_id, quantity, over_received, unit_cost
  FROM store.purchase_receipt_line WHERE false;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = g.rel AND k.conname = g.name)::int
  FROM (VALUES ('store.distributor'::regclass, 'distributor_code_check'),
               ('store.distributor'::regclass, 'distributor_contact_info_check'),
               ('store.distributor'::regclass, 'distributor_id_tenant_id_key'),
               ('store.distributor'::regclass, 'distributor_lead_time_days_check'),
               ('store.distributor'::regclass, 'distributor_minimum_order_check'),
               ('store.distributor'::regclass, 'distributor_name_check'),
               ('store.distributor'::regclass, 'distributor_payment_terms_check'),
               ('store.distributor'::regclass, 'distributor_payment_terms_days_check'),
               ('store.distributor'::regclass, 'distributor_shipping_terms_check'),
               ('store.distributor'::regclass, 'distributor_tenant_id_code_key'),
               ('store.distributor'::regclass, 'distributor_tenant_id_fkey'),
               ('store.distributor_item'::regclass, 'distributor_item_distributor_id_fkey'),
               ('store.distributor_item'::regclass, 'distributor_item_distributor_id_tenant_id_variant_id_key'),
               ('store.distributor_item'::regclass, 'distributor_item_distributor_sku_check'),
               ('store.distributor_item'::regclass, 'distributor_item_unit_cost_check'),
               ('store.distributor_item'::regclass, 'distributor_item_variant_id_fkey'),
               ('store.purchase_order'::regclass, 'purchase_order_cancel_reason_check'),
               ('store.purchase_order'::regclass, 'purchase_order_cancel_reason_status_check'),
               ('store.purchase_order'::regclass, 'purchase_order_closed_at_check'),
               ('store.purchase_order'::regclass, 'purchase_order_created_by_fkey'),
               ('store.purchase_order'::regclass, 'purchase_order_currency_fkey'),
               ('store.purchase_order'::regclass, 'purchase_order_distributor_id_fkey'),
               ('store.purchase_order'::regclass, 'purchase_order_expected_date_check'),
               ('store.purchase_order'::regclass, 'purchase_order_external_po_number_check'),
               ('store.purchase_order'::regclass, 'purchase_order_id_tenant_id_key'),
               ('store.purchase_order'::regclass, 'purchase_order_notes_check'),
               ('store.purchase_order'::regclass, 'purchase_order_po_number_check'),
               ('store.purchase_order'::regclass, 'purchase_order_ship_to_location_id_fkey'),
               ('store.purchase_order'::regclass, 'purchase_order_shipping_amount_check'),
               ('store.purchase_order'::regclass, 'purchase_order_status_check'),
               ('store.purchase_order'::regclass, 'purchase_order_submitted_at_check'),
               ('store.purchase_order'::regclass, 'purchase_order_subtotal_check'),
               ('store.purchase_order'::regclass, 'purchase_order_tax_amount_check'),
               ('store.purchase_order'::regclass, 'purchase_order_tenant_id_po_number_key'),
               ('store.purchase_order'::regclass, 'purchase_order_total_amount_check'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_distributor_sku_check'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_id_tenant_id_key'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_purchase_order_id_fkey'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_purchase_order_id_variant_id_key'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_quantity_ordered_check'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_quantity_over_received_check'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_quantity_received_check'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_received_check'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_unit_cost_check'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_variant_id_fkey'),
               ('store.purchase_receipt'::regclass, 'purchase_receipt_actor_user_id_fkey'),
               ('store.purchase_receipt'::regclass, 'purchase_receipt_id_tenant_id_key'),
               ('store.purchase_receipt'::regclass, 'purchase_receipt_location_id_fkey'),
               ('store.purchase_receipt'::regclass, 'purchase_receipt_notes_check'),
               ('store.purchase_receipt'::regclass, 'purchase_receipt_purchase_order_id_fkey'),
               ('store.purchase_receipt_line'::regclass, 'purchase_receipt_line_over_received_check'),
               ('store.purchase_receipt_line'::regclass, 'purchase_receipt_line_purchase_order_line_id_fkey'),
               ('store.purchase_receipt_line'::regclass, 'purchase_receipt_line_quantity_check'),
               ('store.purchase_receipt_line'::regclass, 'purchase_receipt_line_receipt_id_fkey'),
               ('store.purchase_receipt_line'::regclass, 'purchase_receipt_line_unit_cost_check'),
               ('store.purchase_receipt_line'::regclass, 'purchase_receipt_line_variant_id_fkey')) AS g(rel, name);
SELECT 'store.distributor_item_variant_id_key'::regclass,
       'store.distributor_item_variant_id_tenant_id_idx'::regclass,
       'store.purchase_order_distributor_id_tenant_id_idx'::regclass,
       'store.purchase_order_line_purchase_order_id_tenant_id_idx'::regclass,
       'store.purchase_order_line_variant_id_tenant_id_idx'::regclass,
       'store.purchase_order_ship_to_location_id_tenant_id_idx'::regclass,
       'store.purchase_receipt_line_purchase_order_line_id_tenant_id_idx'::regclass,
       'store.purchase_receipt_line_receipt_id_tenant_id_idx'::regclass,
       'store.purchase_receipt_line_variant_id_tenant_id_idx'::regclass,
       'store.purchase_receipt_location_id_tenant_id_idx'::regclass,
       'store.purchase_receipt_purchase_order_id_tenant_id_idx'::regclass;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = g.fn::regprocedure AND t.tgenabled <> 'D')::int
  FROM (VALUES ('store.distributor'::regclass, 'distributor_audit', 'audit.track()'),
               ('store.distributor_item'::regclass, 'distributor_item_audit', 'audit.track()'),
               ('store.purchase_order'::regclass, 'purchase_order_audit', 'audit.track()'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_audit', 'audit.track()'),
               ('store.distributor'::regclass, 'distributor_no_delete', 'core.refuse_change_trg()'),
               ('store.purchase_order'::regclass, 'purchase_order_no_delete', 'core.refuse_change_trg()'),
               ('store.purchase_receipt'::regclass, 'purchase_receipt_immutable', 'core.refuse_change_trg()'),
               ('store.purchase_receipt'::regclass, 'purchase_receipt_no_truncate', 'core.refuse_change_trg()'),
               ('store.purchase_receipt_line'::regclass, 'purchase_receipt_line_immutable', 'core.refuse_change_trg()'),
               ('store.purchase_receipt_line'::regclass, 'purchase_receipt_line_no_truncate', 'core.refuse_change_trg()'))
       AS g(rel, name, fn);
-- row-level security, SELECT-only policies, grants
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_class c WHERE c.oid = t::regclass AND c.relrowsecurity)::int
  FROM unnest(ARRAY['store.distributor', 'store.distributor_item', 'store.purchase_order', 'store.purchase_order_line',
                    'store.purchase_receipt', 'store.purchase_receipt_line']) AS t;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = t::regclass AND p.polname = split_part(t, '.', 2) || s)::int
  FROM unnest(ARRAY['store.distributor', 'store.distributor_item', 'store.purchase_order', 'store.purchase_order_line',
                    'store.purchase_receipt', 'store.purchase_receipt_line']) AS t,
       unnest(ARRAY['_tenant', '_service']) AS s;
SELECT 1 / pg_catalog.has_table_privilege(r, t, 'SELECT')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.distributor', 'store.distributor_item', 'store.purchase_order', 'store.purchase_order_line',
                    'store.purchase_receipt', 'store.purchase_receipt_line']) AS t;
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, p))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.distributor', 'store.distributor_item', 'store.purchase_order', 'store.purchase_order_line',
                    'store.purchase_receipt', 'store.purchase_receipt_line']) AS t,
       unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) AS p;
SELECT 1 / (NOT pg_catalog.has_any_column_privilege('mercato_anon', t, 'SELECT'))::int
  FROM unnest(ARRAY['store.distributor', 'store.distributor_item', 'store.purchase_order', 'store.purchase_order_line',
                    'store.purchase_receipt', 'store.purchase_receipt_line']) AS t;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['STORE_INVALID_PURCHASE', 'STORE_UNKNOWN_DISTRIBUTOR', 'STORE_DISTRIBUTOR_EXISTS',
                    'STORE_DISTRIBUTOR_INACTIVE', 'STORE_UNKNOWN_PURCHASE_ORDER', 'STORE_PO_TRANSITION',
                    'STORE_PO_NOT_DRAFT', 'STORE_PO_TOTAL_MISMATCH', 'STORE_PO_BELOW_MINIMUM', 'STORE_PO_OVER_RECEIPT',
                    'STORE_IMMUTABLE']) AS c;

ROLLBACK;
