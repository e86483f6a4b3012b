-- Deploy mercato:functions/api/orders_money to pg
-- The HTTP API of customers, store credit, loyalty points and refunds (issue 18). A tenant's staff act on their own
-- tenant (identity.my_tenant_id(); naming another is refused) with orders.manage; a platform user or the back office
-- names the tenant with p_tenant_id; a signed-in user of a tenant manages its own customer row and pays its own orders.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE VIEW api.customers WITH (security_invoker = true) AS
SELECT id, tenant_id, email, first_name, last_name, phone, default_address, status, accepts_marketing,
       marketing_consent_at, tags, note, metadata, total_spent, order_count, last_order_at, created_at, updated_at
  FROM orders.customer;
COMMENT ON VIEW api.customers IS
'Customers of your tenant (staff with orders.manage), your own customer row (any other user of a tenant), all for the
back office. Balances: customer_balances.';

CREATE OR REPLACE VIEW api.loyalty_rules WITH (security_invoker = true) AS
SELECT tenant_id, effective_from, points_per_unit, point_value, created_at FROM orders.loyalty_rule;
COMMENT ON VIEW api.loyalty_rules IS
'Your tenant''s loyalty rules by effective time (the one in force is the latest not in the future); all for the back
office.';

GRANT SELECT ON api.customers, api.loyalty_rules TO mercato_user, mercato_service;

CREATE OR REPLACE FUNCTION api.create_customer(p_customer core.json_doc, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.create_customer(p_customer, p_tenant_id);
SELECT core.wrap('api.create_customer(core.json_doc, bigint)', 'orders.create_customer(jsonb, bigint)',
                 'Staff holding orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.update_customer(p_customer_id bigint, p_changes core.json_doc, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.update_customer(p_customer_id, p_changes, p_tenant_id);
SELECT core.wrap('api.update_customer(bigint, core.json_doc, bigint)', 'orders.update_customer(bigint, jsonb, bigint)',
                 'Staff holding orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.get_customer(p_customer_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.get_customer(p_customer_id, p_tenant_id);
SELECT core.wrap('api.get_customer(bigint, bigint)', 'orders.get_customer(bigint, bigint)',
                 'Staff holding orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.list_customers(p_query core.name_text DEFAULT NULL, p_tag core.name_text DEFAULT NULL,
                                              p_status core.name_text DEFAULT NULL, p_after_id bigint DEFAULT NULL,
                                              p_limit integer DEFAULT 50, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.list_customers(p_query, p_tag, p_status, p_after_id, p_limit, p_tenant_id);
SELECT core.wrap('api.list_customers(core.name_text, core.name_text, core.name_text, bigint, integer, bigint)',
                 'orders.list_customers(text, text, text, bigint, integer, bigint)',
                 'Staff holding orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.link_customer_user(p_customer_id bigint, p_user_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.link_customer_user(p_customer_id, p_user_id, p_tenant_id);
SELECT core.wrap('api.link_customer_user(bigint, bigint, bigint)', 'orders.link_customer_user(bigint, bigint, bigint)',
                 'Staff holding orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.create_my_customer(p_customer core.json_doc DEFAULT '{}')
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.create_my_customer(p_customer);
SELECT core.wrap('api.create_my_customer(core.json_doc)', 'orders.create_my_customer(jsonb)',
                 'A signed-in user of a tenant, for itself.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.my_customer()
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.my_customer();
SELECT core.wrap('api.my_customer()', 'orders.my_customer()', 'A signed-in user of a tenant, for itself.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.update_my_customer(p_changes core.json_doc)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.update_my_customer(p_changes);
SELECT core.wrap('api.update_my_customer(core.json_doc)', 'orders.update_my_customer(jsonb)',
                 'A signed-in user of a tenant, for itself.', 'mercato_user');

CREATE OR REPLACE FUNCTION api.customer_balances(p_customer_id bigint DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.customer_balances(p_customer_id, p_tenant_id);
SELECT core.wrap('api.customer_balances(bigint, bigint)', 'orders.customer_balances(bigint, bigint)',
                 'Staff holding orders.manage in the tenant; a customer-user for itself (no customer id); back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.issue_store_credit(p_customer_id bigint, p_amount numeric, p_reason core.long_text,
                                                  p_idempotency_key core.name_text DEFAULT NULL,
                                                  p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.issue_store_credit(p_customer_id, p_amount, p_reason, p_idempotency_key, p_tenant_id);
SELECT core.wrap('api.issue_store_credit(bigint, numeric, core.long_text, core.name_text, bigint)',
                 'orders.issue_store_credit(bigint, numeric, text, text, bigint)',
                 'Staff holding orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.pay_with_store_credit(p_order_id bigint, p_amount numeric, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.pay_with_store_credit(p_order_id, p_amount, p_tenant_id);
SELECT core.wrap('api.pay_with_store_credit(bigint, numeric, bigint)', 'orders.pay_with_store_credit(bigint, numeric, bigint)',
                 'The customer-user whose order it is; staff holding orders.manage; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_loyalty_rule(p_points_per_unit numeric, p_point_value numeric,
                                                p_effective_from core.finite_timestamptz DEFAULT NULL,
                                                p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.set_loyalty_rule(p_points_per_unit, p_point_value, p_effective_from, p_tenant_id);
SELECT core.wrap('api.set_loyalty_rule(numeric, numeric, core.finite_timestamptz, bigint)',
                 'orders.set_loyalty_rule(numeric, numeric, timestamptz, bigint)',
                 'Staff holding orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.pay_with_points(p_order_id bigint, p_points bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.pay_with_points(p_order_id, p_points, p_tenant_id);
SELECT core.wrap('api.pay_with_points(bigint, bigint, bigint)', 'orders.pay_with_points(bigint, bigint, bigint)',
                 'The customer-user whose order it is; staff holding orders.manage; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.refund_order(p_order_id bigint, p_amount numeric, p_reason core.long_text,
                                            p_lines core.json_doc DEFAULT '[]', p_destination core.name_text DEFAULT 'ORIGINAL',
                                            p_location_id bigint DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS jsonb
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN orders.refund_order(p_order_id, p_amount, p_reason, p_lines, p_destination, p_location_id, p_tenant_id);
SELECT core.wrap('api.refund_order(bigint, numeric, core.long_text, core.json_doc, core.name_text, bigint, bigint)',
                 'orders.refund_order(bigint, numeric, text, jsonb, text, bigint, bigint)',
                 'Staff holding orders.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

COMMIT;
