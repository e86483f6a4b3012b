-- Tests for functions/payments/shops: opening a merchant's shop as a tenant through identity's functions (KES, the
-- owner its TENANT_ADMIN), a payments user ordering as the shop's customer, paying from its wallet through
-- orders.apply_payment (WALLET) into escrow, and the refusals.
BEGIN;
SELECT plan(17);

CREATE TEMP TABLE w AS SELECT tests.escrow_world('pshop') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;

SELECT is((SELECT (t.code, t.currency)::text FROM identity.tenant t WHERE t.id = pg_temp.u('tenant_id')), '(pshop-shop,KES)',
          'the shop is a tenant in KES');
SELECT ok(identity.has_permission(pg_temp.u('merchant_owner'), 'orders.manage', pg_temp.u('tenant_id'))
          AND identity.has_permission(pg_temp.u('merchant_owner'), 'catalog.manage', pg_temp.u('tenant_id')),
          'the merchant''s owner administers it (TENANT_ADMIN)');
SELECT ok(NOT identity.has_permission(pg_temp.u('clerk'), 'orders.manage', pg_temp.u('tenant_id')),
          'its clerk does not, until the owner gives it a role');
SELECT tests.as_user('pshop-admin');
SELECT is(tests.error_of(format('SELECT api.open_shop(%s, ''pshop-two'')', pg_temp.u('merchant'))),
          format('PT409 PAYMENTS_SHOP_EXISTS merchant %s has shop %s (tenant %s)', pg_temp.u('merchant'), pg_temp.u('shop_id'),
                 pg_temp.u('tenant_id')), 'one shop per merchant');
SELECT tests.as_user('pshop-merchant');
SELECT throws_like('SELECT api.open_shop(1, ''pshop-self'')', 'IDENTITY_PERMISSION_DENIED:%',
                   'a merchant does not open its own shop (the back office does)');
SELECT lives_ok(format('SELECT * FROM api.list_orders(p_tenant_id => %s)', pg_temp.u('tenant_id')),
                'the owner, a platform user, manages its shop''s orders by naming the tenant');

-- the buyer orders as the shop's customer
SELECT tests.as_user('pshop-payer');
SELECT tests.put('o', (api.place_shop_order(pg_temp.u('shop_id'), jsonb_build_object('lines',
                         jsonb_build_array(jsonb_build_object('variant_id', pg_temp.u('variant'), 'quantity', 3)))) ->> 'id')::bigint);
SELECT throws_like(format('SELECT api.place_shop_order(%s, ''{"lines": [{"variant_id": %s, "quantity": 1, "price": 0.01}]}'')',
                          pg_temp.u('shop_id'), pg_temp.u('variant')), 'IDENTITY_PERMISSION_DENIED:%',
                   'at the catalog''s price: a buyer sets none');
SELECT is(tests.error_of('SELECT api.place_shop_order(-1, ''{}'')'), 'PT404 PAYMENTS_UNKNOWN_SHOP shop -1', 'an unknown shop');
SELECT tests.as_owner();
SELECT is((SELECT (o.source, o.total_price, c.metadata ->> 'payments_user_id')::text
             FROM orders.sales_order o JOIN orders.customer c ON c.id = o.customer_id WHERE o.id = tests.id('o')),
          format('(ONLINE_STORE,30.00,%s)', pg_temp.u('payer')), 'an ONLINE_STORE order of the customer standing for the buyer');

-- paying from the wallet
SELECT tests.as_user('pshop-payer');
SELECT throws_like(format('SELECT api.pay_shop_order(%s)', tests.id('o')), 'LEDGER_INSUFFICIENT_FUNDS:%',
                   'an empty wallet pays nothing');
SELECT tests.as_owner();
SELECT is((SELECT count(*)::int FROM orders.payment WHERE order_id = tests.id('o')), 0, 'and nothing was written');
SELECT tests.fund_user_wallet(pg_temp.u('payer'), 50);
SELECT tests.as_user('pshop-buyer2');
SELECT is(tests.error_of(format('SELECT api.pay_shop_order(%s)', tests.id('o'))),
          format('PT404 ORDERS_UNKNOWN_ORDER order %s', tests.id('o')), 'another user does not pay (or see) the order');
SELECT tests.as_user('pshop-payer');
SELECT is((api.pay_shop_order(tests.id('o')) - 'release_after' - 'payment_id' - 'escrow_id' - 'order_id'),
          '{"amount": "30.00", "currency": "KES", "amount_held": "30.00", "escrow_status": "HELD", "funded": true}'::jsonb,
          'the buyer pays it all from its wallet, held in escrow');
SELECT is((SELECT (j ->> 'financial_status', j -> 'escrow' ->> 'status', j ->> 'shop_id')::text
             FROM api.get_shop_order(tests.id('o')) j), format('(PAID,HELD,%s)', pg_temp.u('shop_id')),
          'the buyer reads its shop order with its escrow');
SELECT tests.as_user('pshop-clerk');
SELECT is(api.get_shop_order(tests.id('o')) ->> 'id', tests.id('o')::text, 'so does the merchant''s clerk');
SELECT tests.as_user('pshop-buyer2');
SELECT is(tests.error_of(format('SELECT api.get_shop_order(%s)', tests.id('o'))),
          format('PT404 ORDERS_UNKNOWN_ORDER order %s', tests.id('o')), 'but nobody else');
SELECT tests.as_owner();
SELECT is((SELECT (status, financial_status)::text FROM orders.sales_order WHERE id = tests.id('o')), '(PROCESSING,PAID)',
          'the order is paid (it may ship)');

SELECT * FROM finish();
ROLLBACK;
