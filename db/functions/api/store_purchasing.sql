-- Deploy mercato:functions/api/store_purchasing to pg
-- The HTTP API of the store's purchasing (docs/store.md, "Purchasing"): views of distributors, their items, purchase
-- orders, lines, receipts and reorder suggestions (security_invoker: a tenant's users read their tenant's rows, the
-- back office all, as the row-level security of schemas/store/purchasing decides), and the staff wrappers
-- (store.manage in the tenant; the back office names it).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- views --------------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE VIEW api.store_distributors WITH (security_invoker = true) AS
SELECT id, tenant_id, code, name, contact_info, payment_terms, payment_terms_days, shipping_terms, minimum_order,
       lead_time_days, is_active, created_at, updated_at
  FROM store.distributor;
COMMENT ON VIEW api.store_distributors IS
'Your tenant''s distributors (code, terms, minimum order, lead time, active); all for the back office.';

CREATE OR REPLACE VIEW api.store_distributor_items WITH (security_invoker = true) AS
SELECT id, tenant_id, distributor_id, variant_id, distributor_sku, unit_cost, is_preferred, created_at, updated_at
  FROM store.distributor_item;
COMMENT ON VIEW api.store_distributor_items IS
'Which distributor supplies which variant at what cost, and the preferred one per variant: your tenant''s; all for the
back office.';

CREATE OR REPLACE VIEW api.store_purchase_orders WITH (security_invoker = true) AS
SELECT id, tenant_id, distributor_id, po_number, external_po_number, status, currency, subtotal, tax_amount,
       shipping_amount, total_amount, ship_to_location_id, order_date, expected_date, submitted_at, confirmed_at,
       closed_at, cancel_reason, notes, created_by, created_at, updated_at
  FROM store.purchase_order;
COMMENT ON VIEW api.store_purchase_orders IS
'Your tenant''s purchase orders: number, distributor, status, subtotal (the lines'' sum), tax, shipping, total, ship-to
location, dates; all for the back office.';

CREATE OR REPLACE VIEW api.store_purchase_order_lines WITH (security_invoker = true) AS
SELECT id, tenant_id, purchase_order_id, variant_id, distributor_sku, quantity_ordered, quantity_received,
       quantity_over_received, greatest(quantity_ordered - quantity_received, 0) AS quantity_open, unit_cost, line_total,
       created_at, updated_at
  FROM store.purchase_order_line;
COMMENT ON VIEW api.store_purchase_order_lines IS
'The lines of your tenant''s purchase orders: ordered, received (and the explicitly allowed excess), still open, unit
cost and line total; all for the back office.';

CREATE OR REPLACE VIEW api.store_purchase_receipts WITH (security_invoker = true) AS
SELECT id, tenant_id, purchase_order_id, location_id, received_at, actor_user_id, notes
  FROM store.purchase_receipt;
COMMENT ON VIEW api.store_purchase_receipts IS 'Receipts against your tenant''s purchase orders (append-only); all for the back office.';

CREATE OR REPLACE VIEW api.store_purchase_receipt_lines WITH (security_invoker = true) AS
SELECT id, tenant_id, receipt_id, purchase_order_line_id, variant_id, quantity, over_received, unit_cost
  FROM store.purchase_receipt_line;
COMMENT ON VIEW api.store_purchase_receipt_lines IS
'What each receipt took in per purchase order line (posted to stock at the unit cost), and the excess it allowed; your
tenant''s; all for the back office.';

CREATE OR REPLACE VIEW api.store_reorder_suggestions WITH (security_invoker = true) AS
SELECT tenant_id, location_id, variant_id, sku, available, on_order, reorder_point, reorder_quantity, suggested_quantity,
       distributor_id, distributor_code, distributor_sku, unit_cost
  FROM store.visible_reorder_suggestions();
COMMENT ON VIEW api.store_reorder_suggestions IS
'Variants of your tenant whose available stock plus what open purchase orders bring is under their reorder point at a
location, the quantity to order and their preferred distributor; all tenants'' for the back office.';

GRANT SELECT ON api.store_distributors, api.store_distributor_items, api.store_purchase_orders,
    api.store_purchase_order_lines, api.store_purchase_receipts, api.store_purchase_receipt_lines,
    api.store_reorder_suggestions TO mercato_user, mercato_service;
-- the view's helper runs as the reader (it is SECURITY DEFINER and picks the reader's rows)
GRANT EXECUTE ON FUNCTION store.visible_reorder_suggestions() TO mercato_user, mercato_service;

-- distributors ---------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.create_store_distributor(
    p_code core.name_text, p_name core.name_text, p_contact_info core.json_doc DEFAULT '{}',
    p_payment_terms core.name_text DEFAULT NULL, p_payment_terms_days integer DEFAULT NULL,
    p_shipping_terms core.name_text DEFAULT NULL, p_minimum_order numeric DEFAULT 0,
    p_lead_time_days integer DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.create_distributor(p_code, p_name, p_contact_info, p_payment_terms, p_payment_terms_days, p_shipping_terms,
                                p_minimum_order, p_lead_time_days, p_tenant_id);
SELECT core.wrap('api.create_store_distributor(core.name_text, core.name_text, core.json_doc, core.name_text, integer, core.name_text, numeric, integer, bigint)',
                 'store.create_distributor(text, text, jsonb, text, integer, text, numeric, integer, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.update_store_distributor(
    p_distributor_id bigint, p_name core.name_text DEFAULT NULL, p_contact_info core.json_doc DEFAULT NULL,
    p_payment_terms core.name_text DEFAULT NULL, p_payment_terms_days integer DEFAULT NULL,
    p_shipping_terms core.name_text DEFAULT NULL, p_minimum_order numeric DEFAULT NULL,
    p_lead_time_days integer DEFAULT NULL, p_is_active boolean DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.update_distributor(p_distributor_id, p_name, p_contact_info, p_payment_terms, p_payment_terms_days,
                                p_shipping_terms, p_minimum_order, p_lead_time_days, p_is_active, p_tenant_id);
SELECT core.wrap('api.update_store_distributor(bigint, core.name_text, core.json_doc, core.name_text, integer, core.name_text, numeric, integer, boolean, bigint)',
                 'store.update_distributor(bigint, text, jsonb, text, integer, text, numeric, integer, boolean, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_store_distributor_item(
    p_distributor_id bigint, p_variant_id bigint, p_unit_cost numeric, p_distributor_sku core.name_text DEFAULT NULL,
    p_is_preferred boolean DEFAULT false, p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.set_distributor_item(p_distributor_id, p_variant_id, p_unit_cost, p_distributor_sku, p_is_preferred,
                                  p_tenant_id);
SELECT core.wrap('api.set_store_distributor_item(bigint, bigint, numeric, core.name_text, boolean, bigint)',
                 'store.set_distributor_item(bigint, bigint, numeric, text, boolean, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

-- purchase orders ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.create_purchase_order(
    p_distributor_id bigint, p_ship_to_location_id bigint, p_lines core.json_doc,
    p_expected_date core.finite_date DEFAULT NULL, p_tax_amount numeric DEFAULT 0, p_shipping_amount numeric DEFAULT 0,
    p_expected_total numeric DEFAULT NULL, p_external_po_number core.name_text DEFAULT NULL,
    p_notes core.long_text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.create_purchase_order(p_distributor_id, p_ship_to_location_id, p_lines, p_expected_date, p_tax_amount,
                                   p_shipping_amount, p_expected_total, p_external_po_number, p_notes, p_tenant_id);
SELECT core.wrap('api.create_purchase_order(bigint, bigint, core.json_doc, core.finite_date, numeric, numeric, numeric, core.name_text, core.long_text, bigint)',
                 'store.create_purchase_order(bigint, bigint, jsonb, date, numeric, numeric, numeric, text, text, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.add_purchase_order_lines(p_purchase_order_id bigint, p_lines core.json_doc,
                                                        p_expected_total numeric DEFAULT NULL,
                                                        p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.add_purchase_order_lines(p_purchase_order_id, p_lines, p_expected_total, p_tenant_id);
SELECT core.wrap('api.add_purchase_order_lines(bigint, core.json_doc, numeric, bigint)',
                 'store.add_purchase_order_lines(bigint, jsonb, numeric, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_purchase_order_charges(p_purchase_order_id bigint, p_tax_amount numeric,
                                                          p_shipping_amount numeric, p_expected_total numeric DEFAULT NULL,
                                                          p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.set_purchase_order_charges(p_purchase_order_id, p_tax_amount, p_shipping_amount, p_expected_total,
                                        p_tenant_id);
SELECT core.wrap('api.set_purchase_order_charges(bigint, numeric, numeric, numeric, bigint)',
                 'store.set_purchase_order_charges(bigint, numeric, numeric, numeric, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.submit_purchase_order(p_purchase_order_id bigint, p_expected_total numeric DEFAULT NULL,
                                                     p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.submit_purchase_order(p_purchase_order_id, p_expected_total, p_tenant_id);
SELECT core.wrap('api.submit_purchase_order(bigint, numeric, bigint)', 'store.submit_purchase_order(bigint, numeric, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.confirm_purchase_order(p_purchase_order_id bigint,
                                                      p_external_po_number core.name_text DEFAULT NULL,
                                                      p_expected_date core.finite_date DEFAULT NULL,
                                                      p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.confirm_purchase_order(p_purchase_order_id, p_external_po_number, p_expected_date, p_tenant_id);
SELECT core.wrap('api.confirm_purchase_order(bigint, core.name_text, core.finite_date, bigint)',
                 'store.confirm_purchase_order(bigint, text, date, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.cancel_purchase_order(p_purchase_order_id bigint, p_reason core.name_text DEFAULT NULL,
                                                     p_tenant_id bigint DEFAULT NULL)
RETURNS store.purchase_order
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.cancel_purchase_order(p_purchase_order_id, p_reason, p_tenant_id);
SELECT core.wrap('api.cancel_purchase_order(bigint, core.name_text, bigint)', 'store.cancel_purchase_order(bigint, text, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

-- receiving and reordering -----------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.receive_purchase_order(p_purchase_order_id bigint, p_lines core.json_doc,
                                                      p_notes core.long_text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (receipt_id bigint, purchase_order_id bigint, status text, lines integer, quantity bigint,
               over_received bigint)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM store.receive_purchase_order(p_purchase_order_id, p_lines, p_notes, p_tenant_id);
END;
SELECT core.wrap('api.receive_purchase_order(bigint, core.json_doc, core.long_text, bigint)',
                 'store.receive_purchase_order(bigint, jsonb, text, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.reorder_suggestions(p_location_id bigint DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (tenant_id bigint, location_id bigint, variant_id bigint, sku text, available integer, on_order integer,
               reorder_point integer, reorder_quantity integer, suggested_quantity integer, distributor_id bigint,
               distributor_code text, distributor_sku text, unit_cost numeric)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM store.reorder_suggestions(p_location_id, p_tenant_id);
END;
SELECT core.wrap('api.reorder_suggestions(bigint, bigint)', 'store.reorder_suggestions(bigint, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.create_reorder_purchase_orders(p_location_id bigint DEFAULT NULL,
                                                              p_tenant_id bigint DEFAULT NULL)
RETURNS SETOF store.purchase_order
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM store.create_reorder_purchase_orders(p_location_id, p_tenant_id);
END;
SELECT core.wrap('api.create_reorder_purchase_orders(bigint, bigint)', 'store.create_reorder_purchase_orders(bigint, bigint)',
                 'Store staff (store.manage in the tenant); back office.', 'mercato_user', 'mercato_service');

COMMIT;
