-- Tests for functions/orders/import: the same request returns the first order, a different one is refused naming it,
-- the channel's payment recorded in the same transaction, staff only, per tenant.
BEGIN;
SELECT plan(12);

SELECT tests.orders_world('oim');
CREATE TEMP TABLE doc AS SELECT jsonb_build_object('shipping', '3.00', 'payment', jsonb_build_object('amount', '24.63', 'reference', 'eb-pay-1'),
    'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_deny'), 'quantity', 2, 'price', '9.99'))) AS d;
GRANT SELECT ON doc TO PUBLIC;
SELECT tests.as_user('kc|oim-a-admin');
CREATE TEMP TABLE first AS SELECT api.import_order('EBAY', 'EB-100', (SELECT d FROM doc)) AS o;
GRANT SELECT ON first TO PUBLIC;
SELECT is((SELECT (o ->> 'source', o ->> 'external_id', o ->> 'total_price', o ->> 'financial_status', o ->> 'status')::text FROM first),
          '(EBAY,EB-100,24.63,PAID,PROCESSING)', 'imported at the channel''s prices, paid on the channel in the same call');
SELECT is((SELECT o ->> 'id' FROM (SELECT api.import_order('ebay', 'EB-100', (SELECT d FROM doc)) AS o) x),
          (SELECT o ->> 'id' FROM first), 'the same request again returns the first order');
SELECT is((SELECT count(*)::int FROM api.orders), 1, 'one order');
SELECT is(tests.error_of(format('SELECT api.import_order(%L, %L, %L)', 'EBAY', 'EB-100',
                                (SELECT d FROM doc) || '{"note": "different"}')),
          format('PT409 ORDERS_IMPORT_CONFLICT EBAY order EB-100 was imported as order 1 (id %s) with different content',
                 (SELECT o ->> 'id' FROM first)),
          'a different request for the same external order is refused, naming the first');
SELECT is((api.import_order('TCGPLAYER', 'EB-100', jsonb_build_object('lines', jsonb_build_array(
              jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1)))) ->> 'number'), '2',
          'the same external id on another channel is another order');
SELECT is(split_part(tests.error_of(format('SELECT api.import_order(%L, %L, %L)', 'EBAY', 'EB-101',
                                           jsonb_build_object('payment', jsonb_build_object('amount', '1', 'reference', 'eb-pay-1'),
                                                              'lines', jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))))), ' ', 2),
          'ORDERS_PAYMENT_TAKEN', 'a channel payment already recorded refuses the whole import');
SELECT is((api.import_order('EBAY', 'EB-101', jsonb_build_object('lines', jsonb_build_array(
              jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1)))) ->> 'number'), '3',
          'which drew no number: the next import is 3');
SELECT is(split_part(tests.error_of(format('SELECT api.import_order(%L, %L, %L)', 'EBAY', 'EB-102',
                                           jsonb_build_object('source', 'POS', 'lines', jsonb_build_array(
                                               jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 1))))), ' ', 2),
          'ORDERS_INVALID_INPUT', 'the source is the parameter''s');
SELECT tests.as_owner();
SELECT is((SELECT request_hash IS NOT NULL FROM orders.sales_order WHERE external_id = 'EB-100' AND source = 'EBAY'), true,
          'the request''s hash is kept');
SELECT tests.as_user('kc|oim-a-buyer');
SELECT is(split_part(tests.error_of(format('SELECT api.import_order(%L, %L, %L)', 'EBAY', 'EB-100', (SELECT d FROM doc))), ' ', 2),
          'IDENTITY_PERMISSION_DENIED', 'customers do not import');
SELECT tests.as_user('kc|oim-b-admin');
SELECT is(split_part(tests.error_of(format('SELECT api.import_order(%L, %L, %L)', 'EBAY', 'EB-100', (SELECT d FROM doc))), ' ', 2),
          'ORDERS_UNKNOWN_VARIANT', 'B''s import of the same id is B''s own, and A''s variants are unknown there');
SELECT tests.as_service();
SELECT is((api.import_order('EBAY', 'EB-100', (SELECT d FROM doc), NULL, tests.id('a')) ->> 'number'), '1',
          'the back office names the tenant and finds the same order');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
