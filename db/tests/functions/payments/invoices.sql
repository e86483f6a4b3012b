-- Tests for functions/payments/invoices: totals computed by the database (rounded half away from zero per line) and
-- refused when wrong (CHECKs, the deferred proof at commit, an expected total), numbering per merchant at opening,
-- the state transitions for every writer, frozen items, partial payments never above the amount due and idempotent by
-- reference, paying from a wallet with the PAYMENT fee, the overdue marker and the invoice events in sequence.
BEGIN;
SELECT plan(43);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pinv') AS j;
INSERT INTO w SELECT tests.payments_world('pinv2');
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w ORDER BY (j ->> 'merchant')::bigint LIMIT 1 $f$;
CREATE FUNCTION pg_temp.u2(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w ORDER BY (j ->> 'merchant')::bigint DESC LIMIT 1 $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text), pg_temp.u2(text) TO PUBLIC;
CREATE FUNCTION pg_temp.at_commit(p_sql text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
    EXECUTE p_sql;
    SET CONSTRAINTS ALL IMMEDIATE;   -- the deferred constraint triggers fire now, as at commit
    SET CONSTRAINTS ALL DEFERRED;
END $f$;
CREATE FUNCTION pg_temp.inv(p_id bigint) RETURNS payments.invoice LANGUAGE sql AS $f$ SELECT * FROM payments.invoice WHERE id = p_id $f$;
CREATE TEMP TABLE items AS SELECT '[{"description": "Widget", "quantity": "3", "unit_price": "19.99", "tax_rate": "16"},
                                    {"description": "Handling", "quantity": 1, "unit_price": "0.05", "tax_rate": 10}]'::jsonb AS j;
GRANT SELECT ON items TO PUBLIC;

-- drafting: the database computes every amount -------------------------------------------------------------------------
SELECT tests.as_user('pinv-clerk');
SELECT tests.put('i1', (api.create_invoice(pg_temp.u('merchant'), 'KES', current_date + 7, (SELECT j FROM items),
                                           pg_temp.u('payer'), p_memo => 'November') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is((SELECT (subtotal, tax_total, total, amount_due, status, number)::text FROM pg_temp.inv(tests.id('i1'))),
          '(60.02,9.61,69.63,69.63,DRAFT,)', 'totals computed by the database: 3 x 19.99 + 0.05, tax 16 % and 10 %');
SELECT is((SELECT tax_amount FROM payments.invoice_item WHERE invoice_id = tests.id('i1') AND position = 2), 0.01,
          'a line''s tax rounds half away from zero (0.005 -> 0.01)');
SELECT is((SELECT tax_amount FROM payments.invoice_item WHERE invoice_id = tests.id('i1') AND position = 1), 9.60,
          '9.5952 -> 9.60');
SELECT tests.as_user('pinv-clerk');
SELECT throws_like($$SELECT api.create_invoice(pg_temp.u('merchant'), 'KES', current_date, (SELECT j FROM items),
                                               p_customer_email => 'a@b.example', p_expected_total => 69.62)$$,
                   'PAYMENTS_INVOICE_TOTALS_MISMATCH:%', 'an expected total other than the database''s is refused');
SELECT throws_like($$SELECT api.create_invoice(pg_temp.u('merchant'), 'KES', current_date,
                                               '[{"description": "x", "quantity": 1, "unit_price": "1.001"}]',
                                               p_customer_email => 'a@b.example')$$,
                   'PAYMENTS_INVALID_INPUT:%', 'a price finer than the currency''s cents is refused');
SELECT throws_like($$SELECT api.create_invoice(pg_temp.u('merchant'), 'KES', current_date,
                                               '[{"description": "x", "quantity": "lots", "unit_price": "1"}]',
                                               p_customer_email => 'a@b.example')$$,
                   'PAYMENTS_INVALID_INPUT:%', 'a malformed quantity is refused with a code');
SELECT throws_like($$SELECT api.create_invoice(pg_temp.u('merchant'), 'KES', current_date, '[]')$$,
                   'PAYMENTS_INVALID_INPUT:%', 'an invoice names its customer');
SELECT tests.as_user('pinv-payer');
SELECT throws_like($$SELECT api.create_invoice(pg_temp.u('merchant'), 'KES', current_date, '[]', pg_temp.u('payer'))$$,
                   'PAYMENTS_UNKNOWN_MERCHANT:%', 'a non-member drafts no invoice for the merchant');
SELECT throws_like($$SELECT api.get_invoice(tests.id('i1'))$$, 'PAYMENTS_UNKNOWN_INVOICE:%',
                   'the customer does not see a draft');
SELECT tests.as_user('pinv2-merchant');
SELECT throws_like($$SELECT api.get_invoice(tests.id('i1'))$$, 'PAYMENTS_UNKNOWN_INVOICE:%',
                   'another merchant does not see it');
SELECT tests.as_owner();

-- every writer: CHECKs on the line, the header proven against its items at commit
SELECT throws_ok(format($$INSERT INTO payments.invoice_item (invoice_id, minor_units, position, description, quantity,
                                 unit_price, tax_rate, amount, tax_amount) VALUES (%s, 2, 9, 'x', 2, 1.50, 0, 3.01, 0)$$,
                        tests.id('i1')), '23514', NULL, 'a line whose amount is not quantity x price is refused (CHECK)');
SELECT throws_ok(format($$INSERT INTO payments.invoice_item (invoice_id, minor_units, position, description, quantity,
                                 unit_price, tax_rate, amount, tax_amount) VALUES (%s, 0, 9, 'x', 2, 1, 0, 2, 0)$$,
                        tests.id('i1')), '23503', NULL, 'a line in another currency scale than its invoice is refused');
SELECT throws_like(format($$SELECT pg_temp.at_commit('UPDATE payments.invoice SET subtotal = 60.03 WHERE id = %s')$$,
                          tests.id('i1')), 'PAYMENTS_INVOICE_TOTALS_MISMATCH:%',
                   'a header that is not the sum of its items is refused at commit, even for the owner');
SELECT throws_like(format($$SELECT pg_temp.at_commit('DELETE FROM payments.invoice_item WHERE invoice_id = %s AND position = 2')$$,
                          tests.id('i1')), 'PAYMENTS_INVOICE_TOTALS_MISMATCH:%',
                   'an item removed behind the header''s back is refused at commit');

-- a draft is edited, then opened with its number ---------------------------------------------------------------------
SELECT tests.as_user('pinv-clerk');
SELECT is(api.add_invoice_items(tests.id('i1'), '[{"description": "Extra", "quantity": "0.5", "unit_price": "10"}]') ->> 'total',
          '74.63', 'items added to a draft: totals follow');
SELECT is(api.remove_invoice_item(tests.id('i1'), 3) ->> 'total', '69.63', 'an item removed from a draft: totals follow');
SELECT is((api.open_invoice(tests.id('i1')) ->> 'number')::bigint, 1::bigint, 'the first opened invoice is number 1');
SELECT tests.put('i2', (api.create_invoice(pg_temp.u('merchant'), 'KES', current_date + 1,
                                           '[{"description": "Service", "quantity": 1, "unit_price": "100"}]',
                                           p_customer_email => 'walk-in@example.com', p_customer_name => 'Walk In') ->> 'id')::bigint);
SELECT tests.put('draft', (api.create_invoice(pg_temp.u('merchant'), 'KES', current_date + 1,
                                              '[{"description": "Later", "quantity": 1, "unit_price": "5"}]',
                                              p_customer_email => 'later@example.com') ->> 'id')::bigint);
SELECT is((api.open_invoice(tests.id('i2')) ->> 'number')::bigint, 2::bigint, 'the next is number 2 (drafts take none)');
SELECT throws_like($$SELECT api.open_invoice(tests.id('i2'))$$, 'PAYMENTS_INVOICE_STATE:%', 'opened once');
SELECT throws_like($$SELECT api.add_invoice_items(tests.id('i1'), '[{"description": "late", "quantity": 1, "unit_price": "1"}]')$$,
                   'PAYMENTS_INVOICE_STATE:%', 'items are frozen once open');
SELECT throws_like($$SELECT api.void_invoice(tests.id('i2'))$$, 'PAYMENTS_UNKNOWN_INVOICE:%',
                   'STAFF does not void (ADMIN or OWNER does)');
SELECT tests.as_owner();
SELECT tests.put('other', tests.open_invoice_of('pinv2-merchant', pg_temp.u2('merchant'),
                                                '[{"description": "x", "quantity": 1, "unit_price": "1"}]', pg_temp.u('payer')));
SELECT is((SELECT number FROM pg_temp.inv(tests.id('other'))), 1::bigint, 'another merchant numbers from 1');
SELECT throws_like(format($$INSERT INTO payments.invoice_item (invoice_id, minor_units, position, description, quantity,
                                   unit_price, tax_rate, amount, tax_amount) VALUES (%s, 2, 9, 'x', 1, 1, 0, 1, 0)$$,
                          tests.id('i1')), 'PAYMENTS_INVOICE_STATE:%', 'frozen items, even for the owner (trigger)');
SELECT throws_like(format($$UPDATE payments.invoice SET status = 'DRAFT' WHERE id = %s$$, tests.id('i1')),
                   'PAYMENTS_INVOICE_STATE:%', 'OPEN -> DRAFT is refused, even for the owner');
SELECT throws_like(format($$UPDATE payments.invoice SET number = 7 WHERE id = %s$$, tests.id('i1')),
                   'PAYMENTS_IMMUTABLE:%', 'a number never changes');

-- payments: partial, idempotent by reference, never above the amount due ---------------------------------------------
SELECT tests.put('p1', payments.apply_invoice_payment(tests.id('i1'), 20.00, 'pinv:intent:1', NULL));
SELECT is((SELECT (amount_paid, amount_due, status)::text FROM pg_temp.inv(tests.id('i1'))), '(20.00,49.63,OPEN)',
          'a partial payment leaves the rest due');
SELECT is(payments.apply_invoice_payment(tests.id('i1'), 20.00, 'pinv:intent:1', NULL), tests.id('p1'),
          'the same reference again is the same payment');
SELECT is((SELECT amount_paid FROM pg_temp.inv(tests.id('i1'))), 20.00, 'and is applied once');
SELECT throws_like($$SELECT payments.apply_invoice_payment(tests.id('i1'), 21, 'pinv:intent:1', NULL)$$,
                   'PAYMENTS_REFERENCE_CONFLICT:%', 'the reference with another amount is refused');
SELECT throws_like($$SELECT payments.apply_invoice_payment(tests.id('i1'), 49.64, 'pinv:intent:2', NULL)$$,
                   'PAYMENTS_INVOICE_OVERPAID:%', 'a cent above the amount due is refused');
SELECT tests.as_user('pinv-merchant');
SELECT throws_like($$SELECT api.void_invoice(tests.id('i1'))$$, 'PAYMENTS_INVOICE_STATE:%',
                   'an invoice with payments is not voided');
SELECT tests.as_owner();

-- the rest from the payer's wallet: payer -> merchant wallet, the PAYMENT fee to revenue
SELECT tests.as_user('pinv-admin');
SELECT api.set_fee_rule(NULL, 'PAYMENT', NULL, 'KES', 1);
SELECT tests.as_user('pinv-payer');
SELECT tests.put('pw', api.open_wallet('KES'));
SELECT tests.as_owner();
SELECT tests.fund_wallet(tests.id('pw'), 100, 'test:pinv:fund');
SELECT tests.as_user('pinv-payer');
SELECT is(api.pay_invoice_from_wallet(tests.id('i1'), tests.id('pw'), 49.63, 'pinv-w1') -> 'invoice' ->> 'status', 'PAID',
          'paid in full from the wallet: PAID');
SELECT tests.as_owner();
SELECT is((SELECT (b.balance)::text FROM ledger.account_balance(payments.wallet_for('ORG', pg_temp.u('merchant'), 'KES')) b),
          '49.13', 'the merchant''s wallet got the payment minus the 1 % fee');
SELECT is((SELECT (fee, subject_type, organization_id = pg_temp.u('merchant'))::text FROM payments.fee_charge
            WHERE reference LIKE 'payments:invoice_payment:%'), '(0.50,invoice_payment,t)',
          'the fee is charged to the merchant under the posting''s reference');
SELECT throws_like($$SELECT payments.apply_invoice_payment(tests.id('i1'), 1, 'pinv:intent:3', NULL)$$,
                   'PAYMENTS_INVOICE_STATE:%', 'a PAID invoice takes no more payments');

-- uncollectible, then paid after all; a draft voided
SELECT tests.as_user('pinv-merchant');
SELECT is(api.mark_invoice_uncollectible(tests.id('i2')) ->> 'status', 'UNCOLLECTIBLE', 'OPEN -> UNCOLLECTIBLE');
SELECT is(api.void_invoice(tests.id('draft')) ->> 'status', 'VOID', 'a draft is voided, unnumbered');
SELECT tests.as_owner();
SELECT payments.apply_invoice_payment(tests.id('i2'), 100, 'pinv:intent:4', NULL);
SELECT is((SELECT status FROM pg_temp.inv(tests.id('i2'))), 'PAID', 'an uncollectible invoice may still be paid');

-- overdue: the job marks OPEN invoices past their due date, once
SELECT tests.put('late', tests.open_invoice_of('pinv-clerk', pg_temp.u('merchant'),
                                               '[{"description": "x", "quantity": 1, "unit_price": "1"}]', pg_temp.u('payer'),
                                               current_date));
SET LOCAL session_replication_role = replica;   -- the test moves the due date into the past, past invoice_guard
UPDATE payments.invoice SET due_date = current_date - 1 WHERE id = tests.id('late');
SET LOCAL session_replication_role = origin;
SELECT is(payments.mark_overdue_invoices(), 1, 'the overdue job marks the one open invoice past due');
SELECT ok((SELECT overdue_at = now() FROM pg_temp.inv(tests.id('late'))), 'with the time');
SELECT is(payments.mark_overdue_invoices(), 0, 'and only once');

-- a fee that takes the whole payment (a merchant profile's minimum): the merchant's wallet gets nothing, no empty leg
SELECT tests.as_user('pinv-admin');
SELECT api.set_fee_rule(pg_temp.u('merchant'), 'PAYMENT', NULL, 'KES', 0, 0, 5);
SELECT tests.as_user('pinv-payer');
SELECT is(api.pay_invoice_from_wallet(tests.id('late'), tests.id('pw'), 1, 'pinv-w2') ->> 'fee', '1',
          'the fee is clamped to the amount, and the payment still posts');
SELECT tests.as_owner();

-- the invoice's events, numbered per object without gaps
SELECT is((SELECT array_agg(event_type || '#' || sequence ORDER BY sequence) FROM payments.merchant_event
            WHERE object_type = 'invoice' AND object_id = tests.id('i1')),
          ARRAY['invoice.created#1', 'invoice.opened#2', 'invoice.payment_applied#3', 'invoice.payment_applied#4',
                'invoice.paid#5'], 'invoice events in order, sequence 1, 2, 3 ... per invoice');

SELECT * FROM finish();
ROLLBACK;
