-- Verify mercato:functions/api/orders_money on pg

BEGIN;

SELECT id, tenant_id, email, first_name, last_name, phone, default_address, status, accepts_marketing,
       marketing_consent_at, tags, note, metadata, total_spent, order_count, last_order_at, created_at, updated_at
  FROM api.customers WHERE false;
SELECT tenant_id, effective_from, points_per_unit, point_value, created_at FROM api.loyalty_rules WHERE false;
SELECT 1 / pg_catalog.has_table_privilege(r, v, 'SELECT')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r, unnest(ARRAY['api.customers', 'api.loyalty_rules']) AS v;
SELECT 1 / pg_catalog.has_function_privilege(x.r, x.f, 'EXECUTE')::int
  FROM (VALUES
    ('mercato_user', 'api.create_customer(core.json_doc, bigint)'), ('mercato_service', 'api.create_customer(core.json_doc, bigint)'),
    ('mercato_user', 'api.update_customer(bigint, core.json_doc, bigint)'),
    ('mercato_service', 'api.update_customer(bigint, core.json_doc, bigint)'),
    ('mercato_user', 'api.get_customer(bigint, bigint)'), ('mercato_service', 'api.get_customer(bigint, bigint)'),
    ('mercato_user', 'api.list_customers(core.name_text, core.name_text, core.name_text, bigint, integer, bigint)'),
    ('mercato_service', 'api.list_customers(core.name_text, core.name_text, core.name_text, bigint, integer, bigint)'),
    ('mercato_user', 'api.link_customer_user(bigint, bigint, bigint)'),
    ('mercato_service', 'api.link_customer_user(bigint, bigint, bigint)'),
    ('mercato_user', 'api.create_my_customer(core.json_doc)'), ('mercato_user', 'api.my_customer()'),
    ('mercato_user', 'api.update_my_customer(core.json_doc)'),
    ('mercato_user', 'api.customer_balances(bigint, bigint)'), ('mercato_service', 'api.customer_balances(bigint, bigint)'),
    ('mercato_user', 'api.issue_store_credit(bigint, numeric, core.long_text, core.name_text, bigint)'),
    ('mercato_service', 'api.issue_store_credit(bigint, numeric, core.long_text, core.name_text, bigint)'),
    ('mercato_user', 'api.pay_with_store_credit(bigint, numeric, bigint)'),
    ('mercato_service', 'api.pay_with_store_credit(bigint, numeric, bigint)'),
    ('mercato_user', 'api.set_loyalty_rule(numeric, numeric, core.finite_timestamptz, bigint)'),
    ('mercato_service', 'api.set_loyalty_rule(numeric, numeric, core.finite_timestamptz, bigint)'),
    ('mercato_user', 'api.pay_with_points(bigint, bigint, bigint)'),
    ('mercato_service', 'api.pay_with_points(bigint, bigint, bigint)'),
    ('mercato_user', 'api.refund_order(bigint, numeric, core.long_text, core.json_doc, core.name_text, bigint, bigint)'),
    ('mercato_service', 'api.refund_order(bigint, numeric, core.long_text, core.json_doc, core.name_text, bigint, bigint)')
  ) AS x(r, f);

ROLLBACK;
