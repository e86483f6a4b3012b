-- Revert mercato:functions/api/orders_money from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.refund_order(bigint, numeric, core.long_text, core.json_doc, core.name_text, bigint, bigint);
DROP FUNCTION api.pay_with_points(bigint, bigint, bigint);
DROP FUNCTION api.set_loyalty_rule(numeric, numeric, core.finite_timestamptz, bigint);
DROP FUNCTION api.pay_with_store_credit(bigint, numeric, bigint);
DROP FUNCTION api.issue_store_credit(bigint, numeric, core.long_text, core.name_text, bigint);
DROP FUNCTION api.customer_balances(bigint, bigint);
DROP FUNCTION api.update_my_customer(core.json_doc);
DROP FUNCTION api.my_customer();
DROP FUNCTION api.create_my_customer(core.json_doc);
DROP FUNCTION api.link_customer_user(bigint, bigint, bigint);
DROP FUNCTION api.list_customers(core.name_text, core.name_text, core.name_text, bigint, integer, bigint);
DROP FUNCTION api.get_customer(bigint, bigint);
DROP FUNCTION api.update_customer(bigint, core.json_doc, bigint);
DROP FUNCTION api.create_customer(core.json_doc, bigint);
DROP VIEW api.loyalty_rules;
DROP VIEW api.customers;

COMMIT;
