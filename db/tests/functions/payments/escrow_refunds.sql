-- Tests for functions/payments/escrow_refunds: a shop order held in goods escrow is not refunded or cancelled around its
-- escrow (PAYMENTS_ESCROW_HELD, nothing moves, even when the shop's sales account holds other money that would have paid
-- the buyer twice); refunding the escrow first, then cancelling, pays the buyer back once; cancel_shop_order does both
-- in one transaction; a settled escrow allows no refund beyond what it gave back to the buyer.
BEGIN;
SELECT plan(15);

CREATE TEMP TABLE w AS SELECT tests.escrow_world('per') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.fund_user_wallet(pg_temp.u('payer'), 100);
SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.put('sales', orders.revenue_account(pg_temp.u('tenant_id')));
-- other money in the shop's sales account (say sales on another channel): today's refund path would pay from it
SELECT ledger.transfer('test:sales:' || gen_random_uuid(), ledger.open_account('PLATFORM', 'test', 'EXTERNAL', 'KES', true),
                       tests.id('sales'), 500);

SELECT tests.put('o1', tests.shop_order('per-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));   -- 20.00
SELECT tests.as_user('per-payer');
SELECT tests.put('e1', (api.pay_shop_order(tests.id('o1')) ->> 'escrow_id')::bigint);
SELECT tests.as_owner();
SELECT is((tests.balance(tests.id('pw')), tests.balance((SELECT account_id FROM payments.goods_escrow WHERE id = tests.id('e1')))),
          (80.00::numeric, 20.00::numeric), 'paid: 20.00 held in escrow');

SELECT tests.as_user('per-merchant');
SELECT is(tests.error_of(format('SELECT api.cancel_order(%s, ''out of stock'', %s)', tests.id('o1'), pg_temp.u('tenant_id'))),
          format('PT409 PAYMENTS_ESCROW_HELD order %s: its payments are held in goods escrow %s (HELD); refund the escrow first (api.refund_escrow), then cancel the order',
                 tests.id('o1'), tests.id('e1')),
          'the shop does not cancel an order whose payment is held in escrow: refund the escrow first');
SELECT is(tests.error_of(format('SELECT api.refund_order(%s, 5, ''damaged'', p_tenant_id => %s)', tests.id('o1'), pg_temp.u('tenant_id'))),
          format('PT409 PAYMENTS_ESCROW_HELD order %s: its payments are held in goods escrow %s (HELD); refund the escrow first (api.refund_escrow), then cancel the order',
                 tests.id('o1'), tests.id('e1')),
          'nor refunds it around its escrow');
SELECT tests.as_owner();
SELECT is((tests.balance(tests.id('pw')), (SELECT status FROM orders.sales_order WHERE id = tests.id('o1')),
           (SELECT status FROM payments.goods_escrow WHERE id = tests.id('e1'))),
          (80.00::numeric, 'PROCESSING'::text, 'HELD'::text), 'nothing moved (the sales account''s money did not pay the buyer)');

SELECT tests.put('sales0', tests.balance(tests.id('sales'))::bigint);   -- 500
SELECT tests.as_user('per-merchant');
SELECT is(api.refund_escrow(tests.id('e1'), 'out of stock') ->> 'status', 'REFUNDED', 'the merchant refunds the escrow');
SELECT is(api.cancel_order(tests.id('o1'), 'out of stock', pg_temp.u('tenant_id')) ->> 'status', 'CANCELLED',
          'then cancels the order');
SELECT tests.as_owner();
SELECT is((tests.balance(tests.id('pw')),
           (SELECT sum(amount) FROM orders.payment WHERE order_id = tests.id('o1') AND kind = 'REFUND'),
           tests.balance(tests.id('sales')) = tests.id('sales0')),
          (100.00::numeric, 20.00::numeric, true), 'the buyer is paid back once, the shop''s sales account untouched');

-- released: no refund from the shop beyond what the escrow gave back (nothing)
SELECT tests.put('o2', tests.shop_order('per-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 1));
SELECT tests.as_user('per-payer');
SELECT tests.put('e2', (api.pay_shop_order(tests.id('o2')) ->> 'escrow_id')::bigint);
SELECT api.confirm_delivery(tests.id('e2'));
SELECT tests.as_user('per-merchant');
SELECT is(tests.error_of(format('SELECT api.refund_order(%s, 5, ''goodwill'', p_tenant_id => %s)', tests.id('o2'), pg_temp.u('tenant_id'))),
          format('PT409 PAYMENTS_ESCROW_STATE order %s: its goods escrow %s is RELEASED and gave 0 back to the buyer; nothing more is refunded from the shop',
                 tests.id('o2'), tests.id('e2')),
          'a released escrow''s order is not refunded from the shop''s sales account');

-- resolved with a split: its own refunds pass, nothing beyond
SELECT tests.put('o3', tests.shop_order('per-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 1));
SELECT tests.as_user('per-payer');
SELECT tests.put('e3', (api.pay_shop_order(tests.id('o3')) ->> 'escrow_id')::bigint);
SELECT api.open_dispute(tests.id('e3'), 'broken');
SELECT tests.as_user('per-admin');
SELECT is(api.resolve_dispute(tests.id('e3'), 4, 'split') ->> 'buyer_amount', '4', 'a resolution refunds the buyer''s part');
SELECT tests.as_user('per-merchant');
SELECT is(tests.error_of(format('SELECT api.refund_order(%s, 1, ''more'', p_tenant_id => %s)', tests.id('o3'), pg_temp.u('tenant_id'))),
          format('PT409 PAYMENTS_ESCROW_STATE order %s: its goods escrow %s is RESOLVED and gave 4 back to the buyer; nothing more is refunded from the shop',
                 tests.id('o3'), tests.id('e3')),
          'nothing beyond the resolution');
SELECT tests.as_owner();
-- cancel_shop_order: the escrow refunded first, once, then the order cancelled, in one call
SELECT tests.put('o4', tests.shop_order('per-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 3));   -- 30.00
SELECT tests.as_user('per-payer');
SELECT tests.put('e4', (api.pay_shop_order(tests.id('o4')) ->> 'escrow_id')::bigint);
SELECT is(tests.error_of(format('SELECT api.cancel_shop_order(%s, ''changed my mind'')', tests.id('o4'))),
          format('PT404 ORDERS_UNKNOWN_ORDER order %s', tests.id('o4')), 'the buyer does not cancel through the merchant''s call');
SELECT tests.as_owner();
SELECT tests.put('pw4', tests.balance(tests.id('pw'))::bigint);
SELECT tests.as_user('per-merchant');
SELECT is((SELECT (r ->> 'status', r -> 'escrow' ->> 'status', r -> 'escrow' ->> 'buyer_amount')::text
             FROM api.cancel_shop_order(tests.id('o4'), 'cannot deliver') r),
          '(CANCELLED,REFUNDED,30.00)', 'the merchant cancels: the escrow refunded in full, then the order cancelled');
SELECT tests.as_owner();
SELECT is((tests.balance(tests.id('pw')) - tests.id('pw4'),
           (SELECT sum(amount) FROM orders.payment WHERE order_id = tests.id('o4') AND kind = 'REFUND')),
          (30.00::numeric, 30.00::numeric), 'the buyer got its 30.00 back once');
SELECT tests.put('n4', (SELECT number FROM orders.sales_order WHERE id = tests.id('o4')));
SELECT tests.as_user('per-merchant');
SELECT is(tests.error_of(format('SELECT api.cancel_shop_order(%s, ''again'')', tests.id('o4'))),
          format('PT409 ORDERS_NOT_CANCELLABLE order %s is CANCELLED', tests.id('n4')),
          'a second cancellation is refused, nothing refunded twice');
SELECT tests.as_owner();
SELECT is((SELECT count(*)::int FROM ledger.check() WHERE NOT ok), 0, 'the ledger''s invariants hold');

SELECT * FROM finish();
ROLLBACK;
