-- Tests for functions/api/orders_money: the wrappers carry their targets' rules to API roles (a tenant's staff, a
-- customer-user, the back office) and the views show each caller its own rows.
BEGIN;
SELECT plan(9);

SELECT tests.inventory_world('oam');
SELECT tests.put('buyer', identity.register_user('kc|oam-buyer', 'STAFF', 'Buyer', tests.id('a')));
SELECT tests.as_user('kc|oam-a-admin');
SELECT tests.put('c', (api.create_customer('{"email": "x@example.com", "tags": ["vip"]}') ->> 'id')::bigint);
SELECT is((api.issue_store_credit(tests.id('c'), 12.50, 'welcome')) ->> 'balance', '12.50', 'staff issue store credit');
SELECT is((api.set_loyalty_rule(1, 0.02)) ->> 'point_value', '0.02', 'and set the loyalty rule');
SELECT is((SELECT count(*)::int FROM api.customers), 1, 'staff see their tenant''s customers');
SELECT tests.as_user('kc|oam-buyer');
SELECT is((api.create_my_customer('{"first_name": "B", "last_name": "Uyer"}') ->> 'last_name'), 'Uyer', 'a user becomes a customer');
SELECT is((SELECT array_agg(last_name) FROM api.customers), ARRAY['Uyer'], 'and sees only its own row');
SELECT is((api.customer_balances()) ->> 'store_credit', '0', 'and its balances');
SELECT is((SELECT count(*)::int FROM api.loyalty_rules), 1, 'the tenant''s loyalty rule is visible to its users');
SELECT throws_like($$SELECT api.issue_store_credit(tests.id('c'), 1, 'mine')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a customer issues no credit');
SELECT tests.as_anon();
SELECT throws_like($$SELECT api.my_customer()$$, '%permission denied%', 'anonymous callers reach none of it');

SELECT * FROM finish();
ROLLBACK;
