-- Tests for schemas/orders/rls: staff with orders.manage read their tenant's orders, a customer-user only its own,
-- another tenant nothing, the back office all.
BEGIN;
SELECT plan(7);

SELECT tests.inventory_world('orls');
SELECT tests.put('buyer', identity.register_user('kc|orls-buyer', 'CUSTOMER', 'Buyer', tests.id('a')));
WITH c AS (INSERT INTO orders.customer (tenant_id, email, user_id)
           VALUES (tests.id('a'), 'buyer@example.com', tests.id('buyer')) RETURNING id)
SELECT tests.put('c1', c.id) FROM c;
WITH c AS (INSERT INTO orders.customer (tenant_id, email) VALUES (tests.id('a'), 'other@example.com') RETURNING id)
SELECT tests.put('c2', c.id) FROM c;
INSERT INTO orders.sales_order (tenant_id, number, source, currency, subtotal, total_price, customer_id)
VALUES (tests.id('a'), 1, 'ONLINE_STORE', 'USD', 10, 10, tests.id('c1')),
       (tests.id('a'), 2, 'ONLINE_STORE', 'USD', 10, 10, tests.id('c2')),
       (tests.id('b'), 1, 'ONLINE_STORE', 'USD', 10, 10, NULL);

SELECT tests.as_user('kc|orls-a-admin');
SELECT is((SELECT count(*) FROM orders.sales_order), 2::bigint, 'a shop''s staff see their tenant''s orders');
SELECT is((SELECT count(*) FROM orders.customer), 2::bigint, 'and its customers');
RESET ROLE;
SELECT tests.as_user('kc|orls-buyer');
SELECT is((SELECT array_agg(number) FROM orders.sales_order), ARRAY[1::bigint], 'a customer sees only its own orders');
SELECT is((SELECT array_agg(email) FROM orders.customer), ARRAY['buyer@example.com'], 'and only its own customer row');
RESET ROLE;
SELECT tests.as_user('kc|orls-a-clerk');
SELECT is((SELECT count(*) FROM orders.sales_order), 0::bigint, 'a clerk without orders.manage sees no orders');
RESET ROLE;
SELECT tests.as_user('kc|orls-b-admin');
SELECT is((SELECT count(*) FROM orders.sales_order), 1::bigint, 'another shop sees only its own');
RESET ROLE;
SELECT tests.as_service();
SELECT is((SELECT count(*) FROM orders.sales_order), 3::bigint, 'the back office sees all');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
