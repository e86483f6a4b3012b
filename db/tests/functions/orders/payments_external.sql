-- Tests for functions/orders/payments_external: a payment collected on the order's channel debits the tenant's clearing
-- account of that source and credits its sales account; partial then full; a reference once; staff of the tenant only.
BEGIN;
SELECT plan(10);

SELECT tests.orders_world('opx');
SELECT tests.put('o', tests.place(NULL, jsonb_build_array(jsonb_build_object('variant_id', tests.id('v_free'), 'quantity', 2)),
                                  '{"source": "AMAZON"}'));
SELECT tests.as_user('kc|opx-a-admin');
SELECT is((SELECT (p.kind, p.method, p.amount, p.external_reference)::text
             FROM api.record_external_payment(tests.id('o'), 10, 'amz-1') p),
          '(PAYMENT,EXTERNAL,10,amz-1)', 'a partial external payment');
SELECT is((SELECT (financial_status, amount_paid)::text FROM api.orders WHERE id = tests.id('o')), '(PARTIALLY_PAID,10)',
          'PARTIALLY_PAID');
SELECT is(split_part(tests.error_of(format('SELECT api.record_external_payment(%s, 1, %L)', tests.id('o'), 'amz-1')), ' ', 2),
          'ORDERS_PAYMENT_TAKEN', 'a channel reference is recorded once');
SELECT is(split_part(tests.error_of(format('SELECT api.record_external_payment(%s, 100, %L)', tests.id('o'), 'amz-2')), ' ', 2),
          'ORDERS_PAYMENT_EXCEEDS', 'never more than owed');
SELECT is(split_part(tests.error_of(format('SELECT api.record_external_payment(%s, 1, NULL)', tests.id('o'))), ' ', 2),
          'ORDERS_INVALID_INPUT', 'the reference is required');
SELECT api.record_external_payment(tests.id('o'), 11.65, 'amz-2');
SELECT is((SELECT (status, financial_status, amount_paid)::text FROM api.orders WHERE id = tests.id('o')),
          '(PROCESSING,PAID,21.65)', 'paid in full: PAID and PROCESSING');
SELECT tests.as_owner();
SELECT is((SELECT b.balance FROM ledger.account_balance(orders.channel_account(tests.id('a'), 'AMAZON')) b), -21.65,
          'the channel''s clearing account owes the shop what it collected');
SELECT is((SELECT b.balance FROM ledger.account_balance(orders.revenue_account(tests.id('a'))) b), 21.65,
          'the shop''s sales account holds it');
SELECT tests.as_user('kc|opx-b-admin');
SELECT is(split_part(tests.error_of(format('SELECT api.record_external_payment(%s, 1, %L)', tests.id('o'), 'x')), ' ', 2),
          'ORDERS_UNKNOWN_ORDER', 'another tenant''s staff cannot record it');
SELECT tests.as_user('kc|opx-a-clerk');
SELECT is(split_part(tests.error_of(format('SELECT api.record_external_payment(%s, 1, %L)', tests.id('o'), 'x')), ' ', 2),
          'IDENTITY_PERMISSION_DENIED', 'a user without orders.manage cannot');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
