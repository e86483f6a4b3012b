-- Tests for functions/payments/escrow: a wallet payment held in escrow, released once to the merchant minus the PAYMENT
-- fee, the transition trigger for every writer, a dispute freezing every release (the automatic one included), an
-- admin's split summing to what was held, lay-away (no release before the order is paid), who sees an escrow, and the
-- ledger's invariants.
BEGIN;
SELECT plan(30);

CREATE TEMP TABLE w AS SELECT tests.escrow_world('pesc') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
CREATE FUNCTION pg_temp.bal(a bigint) RETURNS numeric LANGUAGE sql AS $f$ SELECT balance FROM ledger.account_balance(a) $f$;
GRANT EXECUTE ON FUNCTION pg_temp.bal(bigint) TO PUBLIC;

SELECT tests.fund_user_wallet(pg_temp.u('payer'), 1000);
SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.put('mw', payments.wallet_for('ORG', pg_temp.u('merchant'), 'KES'));
SELECT tests.as_user('pesc-admin');
SELECT tests.put('rule', api.set_fee_rule(NULL, 'PAYMENT', 'WALLET', 'KES', 1.5));
SELECT tests.as_owner();

-- paid: held, not the merchant's
SELECT tests.put('o1', tests.shop_order('pesc-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 10));
SELECT tests.as_user('pesc-payer');
SELECT tests.put('e1', (api.pay_shop_order(tests.id('o1')) ->> 'escrow_id')::bigint);
SELECT tests.as_owner();
SELECT is((SELECT (status, amount_held, funded_at IS NOT NULL, release_after = funded_at + interval '14 days')::text
             FROM payments.goods_escrow WHERE id = tests.id('e1')), '(HELD,100.00,t,t)',
          'paid in full: HELD, funded, auto-release after the policy''s 14 days');
SELECT is((pg_temp.bal(tests.id('pw')), pg_temp.bal(tests.id('mw')),
           pg_temp.bal((SELECT account_id FROM payments.goods_escrow WHERE id = tests.id('e1'))))::text,
          '(900.00,0,100.00)', 'the buyer''s money is in the escrow account, not the merchant''s wallet');
SELECT is((SELECT (purpose, owner_type)::text FROM ledger.account
            WHERE id = (SELECT account_id FROM payments.goods_escrow WHERE id = tests.id('e1'))), '(ESCROW,SHOP_ORDER)',
          'an ESCROW ledger account of the order');
SELECT is((SELECT method FROM orders.payment WHERE order_id = tests.id('o1')), 'WALLET', 'the order''s payment is a WALLET one');

-- who sees it
SELECT tests.as_user('pesc-buyer2');
SELECT is(tests.error_of(format('SELECT api.get_escrow(%s)', tests.id('e1'))),
          format('PT404 PAYMENTS_UNKNOWN_ESCROW escrow %s', tests.id('e1')), 'another user does not see it');
SELECT is(tests.error_of(format('SELECT api.confirm_delivery(%s)', tests.id('e1'))),
          format('PT404 PAYMENTS_UNKNOWN_ESCROW escrow %s', tests.id('e1')), 'nor releases it');
SELECT tests.as_user('pesc-clerk');
SELECT is(api.get_escrow(tests.id('e1')) ->> 'status', 'HELD', 'the merchant''s clerk reads it');
SELECT is(tests.error_of(format('SELECT api.confirm_delivery(%s)', tests.id('e1'))),
          format('PT404 PAYMENTS_UNKNOWN_ESCROW escrow %s', tests.id('e1')), 'but only the buyer confirms delivery');

-- released once
SELECT tests.as_user('pesc-payer');
SELECT is(api.confirm_delivery(tests.id('e1')) ->> 'status', 'RELEASED', 'the buyer confirms delivery: RELEASED');
SELECT is(tests.error_of(format('SELECT api.confirm_delivery(%s)', tests.id('e1'))),
          format('PT409 PAYMENTS_ESCROW_STATE escrow %s is RELEASED', tests.id('e1')), 'an escrow released twice is refused');
SELECT tests.as_owner();
SELECT is((pg_temp.bal(tests.id('mw')), (SELECT (fee, fee_rule_id = tests.id('rule')) FROM payments.goods_escrow WHERE id = tests.id('e1')))::text,
          '(98.50,"(1.50,t)")', 'the merchant gets it minus the PAYMENT fee, snapshotted on the escrow');
SELECT is((SELECT (operation, rail, base_amount, fee, subject_type)::text FROM payments.fee_charge
            WHERE reference = format('payments:escrow:%s:release', tests.id('e1'))),
          '(PAYMENT,WALLET,100.00,1.50,goods_escrow)', 'the fee is recorded under the release posting''s reference');
SELECT throws_like(format('UPDATE payments.goods_escrow SET status = ''HELD'', released_at = NULL WHERE id = %s', tests.id('e1')),
                   'PAYMENTS_ESCROW_STATE:%', 'a released escrow never moves again, whoever writes');
SELECT is(tests.error_of(format('SELECT payments.settle_escrow(e, 0, ''AUTO'') FROM payments.goods_escrow e WHERE id = %s',
                                tests.id('e1'))),
          format('PT409 PAYMENTS_ESCROW_STATE escrow %s is RELEASED: final', tests.id('e1')),
          'the settlement step itself refuses a second release before any money moves');

-- a dispute freezes every release, the automatic one included
SELECT tests.put('o2', tests.shop_order('pesc-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 10));
SELECT tests.put('o3', tests.shop_order('pesc-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 10));
SELECT tests.as_user('pesc-payer');
SELECT tests.put('e2', (api.pay_shop_order(tests.id('o2')) ->> 'escrow_id')::bigint);
SELECT tests.put('e3', (api.pay_shop_order(tests.id('o3')) ->> 'escrow_id')::bigint);
SELECT is(api.open_dispute(tests.id('e2'), 'the box arrived empty') ->> 'status', 'DISPUTED', 'the buyer disputes before release');
SELECT is(tests.error_of(format('SELECT api.confirm_delivery(%s)', tests.id('e2'))),
          format('PT409 PAYMENTS_ESCROW_STATE escrow %s is DISPUTED', tests.id('e2')), 'a disputed escrow is not released');
SELECT tests.as_owner();
-- both past their date (as if 14 days had gone by)
UPDATE payments.goods_escrow SET funded_at = funded_at - interval '15 days', release_after = now() - interval '1 day'
 WHERE id IN (tests.id('e2'), tests.id('e3'));
SELECT is(payments.release_due_escrows(), 1, 'the job releases the due escrow, not the disputed one');
SELECT is((SELECT array_agg(status || ':' || coalesce(released_by, '-') ORDER BY id) FROM payments.goods_escrow
            WHERE id IN (tests.id('e2'), tests.id('e3'))), ARRAY['DISPUTED:-', 'RELEASED:AUTO'], 'DISPUTED stays frozen');
SELECT is(payments.release_due_escrows(), 0, 'and nothing is released twice');

-- the admin resolves it with a split
SELECT tests.as_user('pesc-payer');
SELECT is(tests.error_of(format('SELECT api.resolve_dispute(%s, 100, ''mine'')', tests.id('e2'))),
          'PT403 IDENTITY_PERMISSION_DENIED permission payments.manage', 'the buyer does not resolve its own dispute');
SELECT tests.as_user('pesc-admin');
SELECT is(tests.error_of(format('SELECT api.resolve_dispute(%s, 100.01, ''too much'')', tests.id('e2'))),
          'PT400 PAYMENTS_INVALID_INPUT buyer_amount: 0 to 100.00 KES, in its minor units', 'never more than was held');
SELECT is(api.resolve_dispute(tests.id('e2'), 30, 'half the items were missing') ->> 'status', 'RESOLVED',
          'the admin resolves it: 30.00 back to the buyer');
SELECT tests.as_owner();
SELECT is((SELECT (buyer_amount + merchant_amount = amount_held, buyer_amount, merchant_amount, fee)::text
             FROM payments.goods_escrow WHERE id = tests.id('e2')), '(t,30,70.00,1.05)',
          'the split sums to the escrow; the fee is on the merchant''s part');
SELECT is((pg_temp.bal(tests.id('pw')), (SELECT (financial_status, amount_refunded)::text FROM orders.sales_order WHERE id = tests.id('o2')))::text,
          '(730.00,"(PARTIALLY_REFUNDED,30)")', 'the buyer''s part is refunded to its wallet through the order''s refunds');

-- the merchant refunds an escrow it cannot deliver (its ADMIN or OWNER only)
SELECT tests.put('o5', tests.shop_order('pesc-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 1));
SELECT tests.as_user('pesc-payer');
SELECT tests.put('e5', (api.pay_shop_order(tests.id('o5')) ->> 'escrow_id')::bigint);
SELECT tests.as_user('pesc-clerk');
SELECT is(tests.error_of(format('SELECT api.refund_escrow(%s, ''out of stock'')', tests.id('e5'))),
          format('PT404 PAYMENTS_UNKNOWN_ESCROW escrow %s', tests.id('e5')), 'a clerk refunds nothing');
SELECT tests.as_user('pesc-merchant');
SELECT is(api.refund_escrow(tests.id('e5'), 'out of stock') ->> 'status', 'REFUNDED', 'the owner refunds it all');
SELECT is(tests.error_of(format('SELECT api.refund_escrow(%s, ''again'')', tests.id('e5'))),
          format('PT409 PAYMENTS_ESCROW_STATE escrow %s is REFUNDED', tests.id('e5')), 'once');
SELECT tests.as_owner();
SELECT is((pg_temp.bal(tests.id('pw')), (SELECT financial_status FROM orders.sales_order WHERE id = tests.id('o5')))::text,
          '(730.00,REFUNDED)', 'the buyer has its 10.00 back; the order is REFUNDED');

-- lay-away: a partly paid order's escrow is not releasable
SELECT tests.put('o4', tests.shop_order('pesc-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 10));
SELECT tests.as_user('pesc-payer');
SELECT tests.put('e4', (api.pay_shop_order(tests.id('o4'), 40) ->> 'escrow_id')::bigint);
SELECT is(tests.error_of(format('SELECT api.confirm_delivery(%s)', tests.id('e4'))),
          format('PT409 PAYMENTS_ESCROW_NOT_FUNDED escrow %s holds 40 of 100.00', tests.id('e4')),
          'an escrow is not released before the order is paid in full');
SELECT tests.as_owner();

SELECT is((SELECT count(*)::int FROM ledger.check() WHERE NOT ok), 0, 'the ledger''s invariants hold');
SELECT * FROM finish();
ROLLBACK;
