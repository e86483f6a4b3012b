-- Tests for schemas/payments/escrow: the WALLET payment method, the escrow policy, one shop per merchant and tenant,
-- the escrow's CHECKs (the split adds up to what was held, a released escrow is settled), append-only links, and no
-- API role reading the tables.
BEGIN;
SELECT plan(10);

SELECT is((SELECT count(*)::int FROM orders.payment_method WHERE code = 'WALLET'), 1, 'WALLET is a payment method of orders');
SELECT is((masterdata.policy_in_force('PAYMENTS_ESCROW')).body ->> 'auto_release_days', '14', 'auto-release after 14 days by policy');

CREATE TEMP TABLE w AS SELECT tests.escrow_world('sesc') AS j;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;

SELECT throws_ok(format('INSERT INTO payments.shop (organization_id, tenant_id, currency) VALUES (%s, %s, ''KES'')',
                        pg_temp.u('merchant'), pg_temp.u('tenant_id')), '23505', NULL, 'one shop per merchant and tenant');
SELECT throws_like(format('UPDATE payments.shop SET currency = ''USD'' WHERE id = %s', pg_temp.u('shop_id')),
                   'PAYMENTS_IMMUTABLE:%', 'a shop never changes');

SELECT tests.fund_user_wallet(pg_temp.u('payer'), 500);
SELECT tests.put('o', tests.shop_order('sesc-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));
SELECT tests.as_user('sesc-payer');
SELECT tests.put('e', (api.pay_shop_order(tests.id('o')) ->> 'escrow_id')::bigint);
SELECT tests.as_owner();
SELECT throws_ok(format('UPDATE payments.goods_escrow SET status = ''RELEASED'', released_at = now(), released_by = ''ADMIN'',
                         buyer_amount = 0, merchant_amount = 1, fee = 0 WHERE id = %s', tests.id('e')), '23514', NULL,
                 'a split that does not add up to what was held is refused (CHECK)');
SELECT throws_ok(format('UPDATE payments.goods_escrow SET status = ''RELEASED'' WHERE id = %s', tests.id('e')), '23514', NULL,
                 'a released escrow without its settlement is refused (CHECK)');
SELECT throws_like(format('UPDATE payments.goods_escrow SET amount_held = 1 WHERE id = %s', tests.id('e')),
                   'PAYMENTS_ESCROW_STATE:%', 'money is never taken out of the row (trigger)');
SELECT throws_like(format('UPDATE payments.goods_escrow SET buyer_user_id = %s WHERE id = %s', pg_temp.u('buyer2'), tests.id('e')),
                   'PAYMENTS_IMMUTABLE:%', 'nor does its buyer change');
SELECT throws_like('DELETE FROM payments.goods_escrow', 'PAYMENTS_IMMUTABLE:%', 'escrows are never deleted');
SELECT is((SELECT count(*)::int FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r,
                                    unnest(ARRAY['payments.shop', 'payments.shop_customer', 'payments.goods_escrow']) t
            WHERE has_table_privilege(r, t, 'SELECT')), 0, 'no API role reads the tables (the api functions do)');

SELECT * FROM finish();
ROLLBACK;
