-- Tests for functions/payments/escrow_lists: a buyer lists its own escrows and plans, a merchant's members the
-- merchant's, nobody else's; keyset pages and the status filter.
BEGIN;
SELECT plan(9);

CREATE TEMP TABLE w AS SELECT tests.escrow_world('pel') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.fund_user_wallet(pg_temp.u('payer'), 100);
SELECT tests.put('o1', tests.shop_order('pel-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 1));
SELECT tests.put('o2', tests.shop_order('pel-payer', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));
SELECT tests.put('o3', tests.shop_order('pel-buyer2', pg_temp.u('shop_id'), pg_temp.u('variant'), 2));
SELECT tests.as_user('pel-payer');
SELECT tests.put('e1', (api.pay_shop_order(tests.id('o1')) ->> 'escrow_id')::bigint);
SELECT tests.put('e2', (api.pay_shop_order(tests.id('o2')) ->> 'escrow_id')::bigint);
SELECT api.confirm_delivery(tests.id('e1'));
SELECT tests.as_user('pel-buyer2');
SELECT tests.put('p3', (api.create_installment_plan(tests.id('o3'), 2, 30, now() + interval '1 day') ->> 'id')::bigint);

SELECT tests.as_user('pel-payer');
SELECT is((SELECT array_agg(id ORDER BY id) FROM api.list_escrows()), ARRAY[tests.id('e1'), tests.id('e2')],
          'a buyer lists its own escrows');
SELECT is((SELECT array_agg(id) FROM api.list_escrows(p_status => 'held')), ARRAY[tests.id('e2')], 'by status');
SELECT is((SELECT array_agg(id) FROM api.list_escrows(p_after_id => tests.id('e1'), p_limit => 1)), ARRAY[tests.id('e2')],
          'keyset pages');
SELECT is((SELECT count(*)::int FROM api.list_installment_plans()), 0, 'and no plan of somebody else');
SELECT tests.as_user('pel-buyer2');
SELECT is((SELECT (id, open_installments, late_installments)::text FROM api.list_installment_plans()),
          format('(%s,2,0)', tests.id('p3')), 'a buyer lists its own plans, with what is open and late');
SELECT is(tests.error_of(format('SELECT * FROM api.list_escrows(%s)', pg_temp.u('merchant'))),
          format('PT404 IDENTITY_UNKNOWN_ORGANIZATION merchant %s', pg_temp.u('merchant')),
          'a buyer does not list the merchant''s escrows');
SELECT tests.as_user('pel-clerk');
SELECT is((SELECT array_agg(id ORDER BY id) FROM api.list_escrows(pg_temp.u('merchant'))), ARRAY[tests.id('e1'), tests.id('e2')],
          'a merchant''s STAFF lists its escrows');
SELECT is((SELECT array_agg(id) FROM api.list_installment_plans(pg_temp.u('merchant'), 'active')), ARRAY[tests.id('p3')],
          'and its plans');
SELECT is(tests.error_of('SELECT * FROM api.list_escrows(p_limit => 0)'), 'PT400 PAYMENTS_INVALID_INPUT limit must be 1-500',
          'a page is 1 to 500');

SELECT * FROM finish();
ROLLBACK;
