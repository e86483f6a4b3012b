-- Tests for functions/orders/customers: staff manage their tenant's customers (e-mail lower-cased and unique per
-- tenant, fields named in refusals), status transitions and consent time hold for every writer, a user links to or
-- creates its own customer, and the order flow keeps total_spent, order_count and last_order_at.
BEGIN;
SELECT plan(33);

GRANT EXECUTE ON FUNCTION orders.create_customer(jsonb, bigint), orders.update_customer(bigint, jsonb, bigint),
    orders.get_customer(bigint, bigint), orders.list_customers(text, text, text, bigint, integer, bigint),
    orders.link_customer_user(bigint, bigint, bigint), orders.create_my_customer(jsonb), orders.my_customer(),
    orders.update_my_customer(jsonb) TO mercato_user;
SELECT tests.inventory_world('ocus');
UPDATE identity.tenant SET currency = 'USD' WHERE id = tests.id('b');
SELECT tests.put('a_buyer', identity.register_user('kc|ocus-a-buyer', 'STAFF', 'A buyer', tests.id('a')));
SELECT tests.put('b_buyer', identity.register_user('kc|ocus-b-buyer', 'STAFF', 'B buyer', tests.id('b')));

SELECT tests.as_user('kc|ocus-a-admin');
SELECT tests.put('c1', (orders.create_customer('{"email": " Ada@Example.COM ", "first_name": "Ada", "last_name": "L",
    "phone": "+14155550123", "tags": ["vip", "mtg", "vip"], "accepts_marketing": true,
    "default_address": {"city": "Boston"}}') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is((SELECT email FROM orders.customer WHERE id = tests.id('c1')), 'ada@example.com', 'the e-mail is stored lower-case');
SELECT is((SELECT tags FROM orders.customer WHERE id = tests.id('c1')), ARRAY['mtg', 'vip'], 'tags distinct and sorted');
SELECT ok((SELECT marketing_consent_at IS NOT NULL AND accepts_marketing FROM orders.customer WHERE id = tests.id('c1')),
          'consent is recorded with its time');

SELECT tests.as_user('kc|ocus-a-admin');
SELECT is(tests.error_of($$SELECT orders.create_customer('{"email": "ADA@example.com"}')$$),
          'PT409 ORDERS_CUSTOMER_EXISTS email: already a customer of the tenant', 'the e-mail is unique per tenant');
SELECT is(tests.error_of($$SELECT orders.create_customer('{"email": "not-an-email"}')$$),
          'PT400 ORDERS_INVALID_INPUT email: an e-mail address of at most 254 characters', 'a bad e-mail names the field');
SELECT is(tests.error_of($$SELECT orders.create_customer('{"phone": "555"}')$$),
          'PT400 ORDERS_INVALID_INPUT phone: E.164, e.g. +14155550123', 'a bad phone names the field');
SELECT is(tests.error_of($$SELECT orders.create_customer('{"first_name": "x"}')$$),
          'PT400 ORDERS_INVALID_INPUT email, phone, user_id or last_name: at least one is required', 'a customer is identified');
SELECT is(tests.error_of($$SELECT orders.create_customer('{"email": "x@y.z", "total_spent": 5}')$$),
          'PT400 ORDERS_INVALID_INPUT total_spent: not a field you may set here (allowed: email, first_name, last_name, phone, default_address, status, accepts_marketing, tags, note, metadata, user_id)',
          'the order flow''s counters are not fields');
SELECT is(tests.error_of($$SELECT orders.create_customer('{"email": "x@y.z", "status": "DISABLED"}')$$),
          'PT409 ORDERS_INVALID_TRANSITION status: a customer starts ACTIVE or INVITED, not DISABLED', 'a customer starts ACTIVE or INVITED');
SELECT is(tests.error_of($$SELECT orders.create_customer('{"email": "x@y.z", "tags": [1]}')$$),
          'PT400 ORDERS_INVALID_INPUT tags: strings of 1 to 64 characters', 'tags are strings');
SELECT is(tests.error_of(format($$SELECT orders.create_customer('{"email": "x@y.z", "user_id": %s}')$$, tests.id('b_buyer'))),
          format('PT400 ORDERS_INVALID_INPUT user_id: user %s is not a user of tenant %s', tests.id('b_buyer'), tests.id('a')),
          'only a user of the same tenant is linked');
SELECT is(orders.update_customer(tests.id('c1'), '{"accepts_marketing": false, "note": "prefers e-mail"}') ->> 'marketing_consent_at',
          NULL, 'withdrawing consent clears its time');
SELECT tests.as_owner();
SELECT is((SELECT count(*)::int FROM audit.event WHERE entity_type = 'orders.customer' AND entity_id = tests.id('c1')::text), 2,
          'the audit trail keeps the consent and its withdrawal');
SELECT tests.as_user('kc|ocus-a-admin');
SELECT is(orders.update_customer(tests.id('c1'), '{"status": "DISABLED"}') ->> 'status', 'DISABLED', 'ACTIVE -> DISABLED');
SELECT is(orders.update_customer(tests.id('c1'), '{"status": "ACTIVE"}') ->> 'status', 'ACTIVE', 'DISABLED -> ACTIVE');
SELECT is(tests.error_of($$SELECT orders.update_customer(tests.id('c1'), '{"status": "INVITED"}')$$),
          'PT409 ORDERS_INVALID_TRANSITION status: ACTIVE -> INVITED', 'ACTIVE -> INVITED is refused');
SELECT tests.put('c2', (orders.create_customer('{"email": "inv@example.com", "status": "INVITED"}') ->> 'id')::bigint);
SELECT is(orders.update_customer(tests.id('c2'), '{"status": "DECLINED"}') ->> 'status', 'DECLINED', 'INVITED -> DECLINED');
SELECT is(tests.error_of($$SELECT orders.update_customer(tests.id('c2'), '{"status": "ACTIVE"}')$$),
          'PT409 ORDERS_INVALID_TRANSITION status: DECLINED -> ACTIVE', 'DECLINED -> ACTIVE is refused');
SELECT tests.as_owner();
SELECT throws_like($$UPDATE orders.customer SET status = 'ACTIVE' WHERE id = tests.id('c2')$$, 'ORDERS_INVALID_TRANSITION:%',
                   'the transitions hold for every writer, the owner included');

-- staff of another tenant, staff without the permission
SELECT tests.as_user('kc|ocus-b-admin');
SELECT is(tests.error_of($$SELECT orders.get_customer(tests.id('c1'))$$),
          format('PT404 ORDERS_UNKNOWN_CUSTOMER customer %s', tests.id('c1')), 'another tenant''s customer is unknown');
SELECT is((orders.create_customer('{"email": "ada@example.com"}') ->> 'email'), 'ada@example.com',
          'the same e-mail lives in another tenant');
SELECT tests.as_user('kc|ocus-a-clerk');
SELECT throws_like($$SELECT orders.list_customers()$$, 'IDENTITY_PERMISSION_DENIED:%', 'staff without orders.manage are refused');

-- my customer; linking
SELECT tests.as_user('kc|ocus-a-buyer');
SELECT is(tests.error_of($$SELECT orders.my_customer()$$),
          'PT404 ORDERS_UNKNOWN_CUSTOMER you are no customer of your tenant (create_my_customer)', 'no customer yet');
SELECT is((orders.create_my_customer('{"email": "buyer@example.com", "user_id": 1}') ->> 'user_id')::bigint, tests.id('a_buyer'),
          'a user creates its own customer row (user_id is itself, whatever it sends)');
SELECT is(tests.error_of($$SELECT orders.create_my_customer('{"email": "again@example.com"}')$$),
          'PT409 ORDERS_CUSTOMER_EXISTS user_id: already a customer of the tenant', 'once');
SELECT is(orders.update_my_customer('{"accepts_marketing": true}') ->> 'accepts_marketing', 'true', 'and changes its own consent');
SELECT throws_like($$SELECT orders.update_my_customer('{"tags": ["vip"]}')$$, 'ORDERS_INVALID_INPUT:%',
                   'but not its tags');
SELECT tests.as_user('kc|ocus-a-admin');
SELECT is(tests.error_of(format('SELECT orders.link_customer_user(%s, %s)', tests.id('c2'), tests.id('a_buyer'))),
          'PT409 ORDERS_CUSTOMER_EXISTS user_id: already a customer of the tenant', 'one customer per user');
SELECT is(jsonb_array_length(orders.list_customers(p_query => 'EXAMPLE', p_limit => 2)), 2, 'a page of the list');
SELECT is((orders.list_customers(p_tag => 'vip') -> 0 ->> 'id')::bigint, tests.id('c1'), 'filtered by tag');

-- totals kept by the order flow
SELECT tests.as_owner();
SELECT tests.put('o1', tests.order_for(tests.id('a'), tests.id('c1'), format('[{"variant_id": %s, "quantity": 2, "price": "10.00"}]',
                                                                            tests.id('v_deny'))::jsonb));
SELECT tests.put('o2', tests.order_for(tests.id('a'), tests.id('c1'), format('[{"variant_id": %s, "quantity": 1, "price": "5.00"}]',
                                                                            tests.id('v_deny'))::jsonb));
SELECT is((SELECT order_count FROM orders.customer WHERE id = tests.id('c1')), 2, 'an order counts');
SELECT is((SELECT last_order_at FROM orders.customer WHERE id = tests.id('c1')), now(), 'last_order_at');
SELECT tests.put('p1', tests.fund_order_external(tests.id('o1'), 20, 'ext-1'));
SELECT orders.apply_refund(tests.id('a'), tests.id('p1'), 7.50, 'scratched');
SELECT is((SELECT total_spent FROM orders.customer WHERE id = tests.id('c1')), 12.50::numeric,
          'total_spent: payments less refunds, in the same transaction');

SELECT * FROM finish();
ROLLBACK;
