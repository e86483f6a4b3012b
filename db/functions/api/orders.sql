-- Deploy mercato:functions/api/orders to pg
-- The HTTP API of the orders lifecycle (issue 18): views of orders, lines, payments and tax rates (security_invoker:
-- the tables' row-level security decides: staff with orders.manage their tenant's, a customer-user its own orders, the
-- back office all) and the entry points of staff (orders.manage; the back office names the tenant) and customers
-- (place_order, cancel_order, get_order, list_orders act for a customer-user's own customer record). Other modules call
-- the internal orders.fulfil_for themselves, never through api.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- views -----------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE VIEW api.orders WITH (security_invoker = true) AS
SELECT id, tenant_id, number, source, external_id, customer_id, customer_email, currency, status, financial_status,
       fulfillment_status, subtotal, total_discounts, total_tax, total_shipping, total_price, amount_paid,
       amount_refunded, shipping_address, billing_address, shipping_method, tracking_numbers, tags, note, placed_by,
       reserve_until, processed_at, fulfilled_at, cancelled_at, cancel_reason, created_at, updated_at
  FROM orders.sales_order;
COMMENT ON VIEW api.orders IS
'Orders: your tenant''s when you hold orders.manage there, else your own customer record''s; all for the back office.';

CREATE OR REPLACE VIEW api.order_lines WITH (security_invoker = true) AS
SELECT id, tenant_id, order_id, line_no, variant_id, quantity, price, total_discount, taxable, tax_code, tax_rate,
       tax_amount, subtotal, fulfilled_quantity, refunded_quantity, title, sku, variant_title, vendor, requires_shipping,
       properties, created_at
  FROM orders.line;
COMMENT ON VIEW api.order_lines IS
'Lines of the orders you may read (api.orders), with their catalog snapshot, tax, fulfilled and refunded quantities.';

CREATE OR REPLACE VIEW api.order_payments WITH (security_invoker = true) AS
SELECT id, tenant_id, order_id, kind, method, amount, currency, points, external_reference, refund_of, reason,
       created_at
  FROM orders.payment;
COMMENT ON VIEW api.order_payments IS
'Payments and refunds of the orders you may read (api.orders): method, amount, points, the channel''s reference.';

CREATE OR REPLACE VIEW api.tax_rates WITH (security_invoker = true) AS
SELECT tenant_id, tax_code, effective_from, rate, created_at FROM orders.tax_rate;
COMMENT ON VIEW api.tax_rates IS
'Your tenant''s sales-tax rates per tax code, each in force from its date until the code''s next; all for the back office.';

GRANT SELECT ON api.orders, api.order_lines, api.order_payments, api.tax_rates TO mercato_user, mercato_service;

-- entry points ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.place_order(p_order core.json_doc, p_expected core.json_doc DEFAULT NULL,
                                           p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.place_order(p_order, p_expected, p_tenant_id);
SELECT core.wrap('api.place_order(core.json_doc, core.json_doc, bigint)', 'orders.place_order(jsonb, jsonb, bigint)',
                 'Staff with orders.manage for any customer of the tenant; a signed-in customer-user for itself; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.import_order(p_source core.name_text, p_external_id core.name_text, p_order core.json_doc,
                                            p_expected core.json_doc DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.import_order(p_source, p_external_id, p_order, p_expected, p_tenant_id);
SELECT core.wrap('api.import_order(core.name_text, core.name_text, core.json_doc, core.json_doc, bigint)',
                 'orders.import_order(text, text, jsonb, jsonb, bigint)',
                 'Staff with orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.record_external_payment(p_order_id bigint, p_amount numeric, p_reference core.name_text,
                                                       p_tenant_id bigint DEFAULT NULL)
RETURNS orders.payment
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.record_external_payment(p_order_id, p_amount, p_reference, p_tenant_id);
SELECT core.wrap('api.record_external_payment(bigint, numeric, core.name_text, bigint)',
                 'orders.record_external_payment(bigint, numeric, text, bigint)',
                 'Staff with orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.fulfil_order(p_order_id bigint, p_lines core.json_doc DEFAULT NULL,
                                            p_tracking_numbers core.text_list DEFAULT '{}',
                                            p_location_id bigint DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (line_id bigint, variant_id bigint, quantity integer, reservation_id bigint, location_id bigint)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM orders.fulfil(p_order_id, p_lines, p_tracking_numbers, p_location_id, p_tenant_id);
END;
SELECT core.wrap('api.fulfil_order(bigint, core.json_doc, core.text_list, bigint, bigint)',
                 'orders.fulfil(bigint, jsonb, text[], bigint, bigint)',
                 'Staff with orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.cancel_order(p_order_id bigint, p_reason core.long_text, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.cancel_order(p_order_id, p_reason, p_tenant_id);
SELECT core.wrap('api.cancel_order(bigint, core.long_text, bigint)', 'orders.cancel_order(bigint, text, bigint)',
                 'Staff with orders.manage in the tenant; a customer-user its own PENDING unpaid order; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.get_order(p_order_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.get_order(p_order_id, p_tenant_id);
SELECT core.wrap('api.get_order(bigint, bigint)', 'orders.get_order(bigint, bigint)',
                 'Staff with orders.manage in the tenant; a customer-user its own orders; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.list_orders(p_status core.name_text DEFAULT NULL, p_source core.name_text DEFAULT NULL,
                                           p_customer_id bigint DEFAULT NULL, p_before_number bigint DEFAULT NULL,
                                           p_limit integer DEFAULT 50, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (id bigint, number bigint, source text, external_id text, customer_id bigint, status text,
               financial_status text, fulfillment_status text, currency char(3), total_price numeric,
               amount_paid numeric, created_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM orders.list_orders(p_status, p_source, p_customer_id, p_before_number, p_limit, p_tenant_id);
END;
SELECT core.wrap('api.list_orders(core.name_text, core.name_text, bigint, bigint, integer, bigint)',
                 'orders.list_orders(text, text, bigint, bigint, integer, bigint)',
                 'Staff with orders.manage in the tenant; a customer-user its own orders; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_tax_rate(p_tax_code core.name_text, p_rate numeric,
                                            p_effective_from core.finite_date DEFAULT NULL,
                                            p_tenant_id bigint DEFAULT NULL)
RETURNS orders.tax_rate
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.set_tax_rate(p_tax_code, p_rate, p_effective_from, p_tenant_id);
SELECT core.wrap('api.set_tax_rate(core.name_text, numeric, core.finite_date, bigint)',
                 'orders.set_tax_rate(text, numeric, date, bigint)',
                 'Staff with orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

COMMIT;
