-- Tests for functions/orders/store_credit: store credit is the customer's ledger account, issued from the tenant's
-- promotions account and spent through orders.apply_payment by the customer-user or staff; too little credit is the
-- ledger's refusal and nothing is written.
BEGIN;
SELECT plan(15);

GRANT EXECUTE ON FUNCTION orders.issue_store_credit(bigint, numeric, text, text, bigint),
    orders.pay_with_store_credit(bigint, numeric, bigint) TO mercato_user;
SELECT tests.inventory_world('osc');
SELECT tests.put('buyer', identity.register_user('kc|osc-buyer', 'STAFF', 'Buyer', tests.id('a')));
INSERT INTO orders.customer (tenant_id, email, user_id) VALUES (tests.id('a'), 'buyer@example.com', tests.id('buyer'));
SELECT tests.put('c', (SELECT id FROM orders.customer WHERE email = 'buyer@example.com' AND tenant_id = tests.id('a')));
INSERT INTO orders.customer (tenant_id, email) VALUES (tests.id('a'), 'other@example.com');
SELECT tests.put('c2', (SELECT id FROM orders.customer WHERE email = 'other@example.com' AND tenant_id = tests.id('a')));
SELECT tests.put('o', tests.order_for(tests.id('a'), tests.id('c'), format('[{"variant_id": %s, "quantity": 3, "price": "10.00"}]',
                                                                          tests.id('v_deny'))::jsonb));
SELECT tests.put('o2', tests.order_for(tests.id('a'), tests.id('c2'), format('[{"variant_id": %s, "quantity": 1, "price": "10.00"}]',
                                                                           tests.id('v_deny'))::jsonb));
CREATE FUNCTION pg_temp.state() RETURNS text LANGUAGE sql AS $f$
    SELECT format('%s paid %s; payments %s; credit %s', o.financial_status, o.amount_paid,
                  (SELECT count(*) FROM orders.payment p WHERE p.order_id = o.id),
                  (SELECT b.balance FROM ledger.account a, ledger.account_balance(a.id) b
                    WHERE a.owner_type = 'CUSTOMER' AND a.owner_id = tests.id('c')::text AND a.currency = 'USD'))
      FROM orders.sales_order o WHERE o.id = tests.id('o') $f$;

SELECT tests.as_user('kc|osc-a-admin');
SELECT is((orders.issue_store_credit(tests.id('c'), 25, 'goodwill', 'gw-1')) ->> 'balance', '25', 'credit issued');
SELECT is((orders.issue_store_credit(tests.id('c'), 25, 'goodwill', 'gw-1')) ->> 'balance', '25', 'a retry with the same key posts once');
SELECT throws_like($$SELECT orders.issue_store_credit(tests.id('c'), 0.001, 'goodwill')$$, 'LEDGER_AMOUNT_PRECISION:%',
                   'finer than the currency is refused');
SELECT throws_like($$SELECT orders.issue_store_credit(tests.id('c'), 5, '  ')$$, 'ORDERS_INVALID_INPUT:%', 'a reason is required');
SELECT tests.as_owner();
SELECT is((SELECT b.balance FROM ledger.account_balance(orders.promotions_account(tests.id('a'))) b), -25::numeric,
          'taken from the tenant''s promotions account');
SELECT is((SELECT (owner_type, purpose, currency)::text FROM ledger.account WHERE id = orders.store_credit_account(tests.id('a'), tests.id('c'))),
          '(CUSTOMER,MAIN,USD)', 'the customer''s account: CUSTOMER, MAIN, the tenant''s currency');

SELECT tests.as_user('kc|osc-a-clerk');
SELECT throws_like($$SELECT orders.issue_store_credit(tests.id('c'), 5, 'x')$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'issuing needs orders.manage');
SELECT throws_like($$SELECT orders.pay_with_store_credit(tests.id('o'), 5)$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'so does paying someone else''s order');
SELECT tests.as_user('kc|osc-buyer');
SELECT is((orders.pay_with_store_credit(tests.id('o'), 20)) ->> 'method', 'STORE_CREDIT', 'the customer pays its own order');
SELECT throws_like($$SELECT orders.pay_with_store_credit(tests.id('o'), 10)$$, 'LEDGER_INSUFFICIENT_FUNDS:%',
                   'more than the balance is the ledger''s refusal');
SELECT tests.as_owner();
SELECT is(pg_temp.state(), 'PARTIALLY_PAID paid 20; payments 1; credit 5', 'paid from the credit, the refusal wrote nothing');
SELECT is((SELECT count(*)::int FROM ledger.transaction WHERE reference LIKE format('order:%s:%%', tests.id('o'))), 1,
          'one ledger posting for the order');
SELECT tests.as_user('kc|osc-buyer');
SELECT throws_like($$SELECT orders.pay_with_store_credit(tests.id('o2'), 1)$$, 'IDENTITY_PERMISSION_DENIED:%',
                   'a customer never pays another''s order from its credit');
SELECT tests.as_user('kc|osc-a-admin');
SELECT is((orders.pay_with_store_credit(tests.id('o'), 5)) ->> 'amount', '5', 'staff spend it too');
SELECT tests.as_owner();
SELECT is((SELECT total_spent FROM orders.customer WHERE id = tests.id('c')), 25::numeric, 'total_spent follows');

SELECT * FROM finish();
ROLLBACK;
