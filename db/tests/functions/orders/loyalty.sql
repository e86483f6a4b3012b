-- Tests for functions/orders/loyalty: a tenant's rule (append-only, never back-dated), points earned once per order when
-- it becomes FULFILLED (floor of net money paid x rate, points payments excluded), redeemed through apply_payment with
-- the points returned to the tenant in the same transaction, balances read from the ledger.
BEGIN;
SELECT plan(17);

GRANT EXECUTE ON FUNCTION orders.set_loyalty_rule(numeric, numeric, timestamptz, bigint),
    orders.pay_with_points(bigint, bigint, bigint), orders.customer_balances(bigint, bigint) TO mercato_user;
SELECT tests.inventory_world('olo');
SELECT tests.put('buyer', identity.register_user('kc|olo-buyer', 'STAFF', 'Buyer', tests.id('a')));
INSERT INTO orders.customer (tenant_id, email, user_id) VALUES (tests.id('a'), 'buyer@example.com', tests.id('buyer'));
SELECT tests.put('c', (SELECT id FROM orders.customer WHERE email = 'buyer@example.com' AND tenant_id = tests.id('a')));
SELECT tests.put('o', tests.order_for(tests.id('a'), tests.id('c'), format('[{"variant_id": %s, "quantity": 1, "price": "25.99"}]',
                                                                          tests.id('v_deny'))::jsonb));
SELECT tests.put('o2', tests.order_for(tests.id('a'), tests.id('c'), format('[{"variant_id": %s, "quantity": 1, "price": "10.00"}]',
                                                                           tests.id('v_deny'))::jsonb));
CREATE FUNCTION pg_temp.points() RETURNS numeric LANGUAGE sql AS $f$
    SELECT coalesce((SELECT b.balance FROM ledger.account a, ledger.account_balance(a.id) b
                      WHERE a.owner_type = 'CUSTOMER' AND a.owner_id = tests.id('c')::text AND a.currency = 'QPT'), 0) $f$;

SELECT tests.as_user('kc|olo-a-admin');
SELECT throws_like($$SELECT orders.set_loyalty_rule(2, 0.001)$$, 'ORDERS_INVALID_INPUT:%',
                   'a point''s value within the currency''s minor units');
SELECT throws_like($$SELECT orders.set_loyalty_rule(2, 0.01, now() - interval '1 hour')$$, 'ORDERS_INVALID_INPUT:%',
                   'never in the past');
SELECT is((orders.set_loyalty_rule(2, 0.01)) ->> 'points_per_unit', '2', 'a rule: 2 points per USD, 1 cent a point');
SELECT tests.as_user('kc|olo-a-clerk');
SELECT throws_like($$SELECT orders.set_loyalty_rule(3, 0.01)$$, 'IDENTITY_PERMISSION_DENIED:%', 'rules are the staff''s');

SELECT tests.as_owner();
SELECT tests.fund_order_external(tests.id('o'), 25.99, 'ext-o');
UPDATE orders.sales_order SET fulfillment_status = 'FULFILLED' WHERE id = tests.id('o');
SELECT is(pg_temp.points(), 51::numeric, 'a FULFILLED order earns floor(25.99 x 2) = 51 points');
-- the condition comes true again: the transition guard (FULFILLED never goes back) is off for these two updates, as for
-- a writer that bypassed it, to prove the ledger reference posts the points once
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE orders.sales_order DISABLE TRIGGER sales_order_transition;
UPDATE orders.sales_order SET fulfillment_status = 'PARTIAL' WHERE id = tests.id('o');
UPDATE orders.sales_order SET fulfillment_status = 'FULFILLED' WHERE id = tests.id('o');
ALTER TABLE orders.sales_order ENABLE TRIGGER sales_order_transition;
SELECT is(pg_temp.points(), 51::numeric, 'once per order, even when it becomes FULFILLED again');
SELECT is((SELECT count(*)::int FROM ledger.transaction WHERE reference = format('order:%s:loyalty_earn', tests.id('o'))), 1,
          'under the reference order:<id>:loyalty_earn');
SELECT is((SELECT b.balance FROM ledger.account_balance(orders.points_issuing_account(tests.id('a'))) b), -51::numeric,
          'from the tenant''s points-issuing account');

SELECT tests.as_user('kc|olo-buyer');
SELECT throws_like($$SELECT orders.pay_with_points(tests.id('o2'), 52)$$, 'LEDGER_INSUFFICIENT_FUNDS:%',
                   'more points than held is the ledger''s refusal');
SELECT tests.as_owner();
SELECT is((SELECT count(*)::int FROM orders.payment WHERE order_id = tests.id('o2')), 0, 'and no payment is written');
SELECT tests.as_user('kc|olo-buyer');
SELECT is((SELECT (p ->> 'amount', p ->> 'points', p ->> 'method')::text FROM orders.pay_with_points(tests.id('o2'), 50) p),
          '(0.50,50,LOYALTY_POINTS)', '50 points pay 0.50');
SELECT is((orders.customer_balances()) ->> 'points', '1', 'the customer reads its balances: 1 point left');
SELECT tests.as_owner();
SELECT is((SELECT b.balance FROM ledger.account_balance(orders.loyalty_funding_account(tests.id('a'))) b), -0.50::numeric,
          'the money came from the loyalty funding account');
SELECT is((SELECT (owner_type, purpose, allow_negative)::text FROM ledger.account WHERE id = orders.loyalty_funding_account(tests.id('a'))),
          '(TENANT_LOYALTY,EXTERNAL,t)', 'TENANT_LOYALTY, EXTERNAL, may go negative');
SELECT tests.fund_order_external(tests.id('o2'), 9.50, 'ext-o2');
UPDATE orders.sales_order SET fulfillment_status = 'FULFILLED' WHERE id = tests.id('o2');
SELECT is(pg_temp.points(), 20::numeric, 'points paid earn no points: floor(9.50 x 2) = 19 more');
SELECT tests.as_user('kc|olo-a-admin');
SELECT is((orders.customer_balances(tests.id('c'))) ->> 'store_credit', '0', 'store credit 0 before its account exists');
SELECT tests.as_user('kc|olo-a-clerk');
SELECT throws_like($$SELECT orders.customer_balances(tests.id('c'))$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'another user reads no customer''s balances');

SELECT * FROM finish();
ROLLBACK;
