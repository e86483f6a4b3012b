-- Tests for functions/payments/invoice_intents: an invoice paid by scanning a dynamic QR code bound to an intent that
-- names it; the intent checked against the invoice; a second intent for a paid invoice moves no money.
BEGIN;
SELECT plan(8);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pii') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.fund_wallet(tests.id('pw'), 500, 'test:pii:fund');
-- 100.00 + 16 % tax = 116.00
SELECT tests.put('inv', tests.open_invoice_of('pii-clerk', pg_temp.u('merchant'),
    '[{"description": "Repairs", "quantity": "1", "unit_price": "100.00", "tax_rate": "16"}]', pg_temp.u('payer')));

SELECT tests.as_user('pii-clerk');
SELECT is(tests.error_of(format('SELECT api.create_payment_intent(%s, 120, ''KES'', p_metadata => ''{"invoice_id": %s}'')',
                                pg_temp.u('merchant'), tests.id('inv'))),
          format('PT400 PAYMENTS_INVALID_INPUT invoice %s is OPEN with 116.00 KES due; the intent is for 120 KES', tests.id('inv')),
          'an intent for more than the invoice''s amount due is refused');
SELECT is(tests.error_of(format('SELECT api.create_payment_intent(%s, 10, ''KES'', p_metadata => ''{"invoice_id": 999999999}'')',
                                pg_temp.u('merchant'))),
          format('PT404 PAYMENTS_UNKNOWN_INVOICE invoice 999999999 of merchant %s', pg_temp.u('merchant')),
          'nor one for an invoice the merchant does not have');
SELECT tests.put('pi', (api.create_payment_intent(pg_temp.u('merchant'), 116, 'KES',
    p_metadata => format('{"invoice_id": %s}', tests.id('inv'))::jsonb) ->> 'id')::bigint);
CREATE TEMP TABLE qr AS SELECT api.create_qr_code(pg_temp.u('merchant'), tests.id('pi')) ->> 'payload' AS payload;
GRANT SELECT ON qr TO PUBLIC;
SELECT tests.put('pi2', (api.create_payment_intent(pg_temp.u('merchant'), 116, 'KES',
    p_metadata => format('{"invoice_id": %s}', tests.id('inv'))::jsonb) ->> 'id')::bigint);

SELECT tests.as_user('pii-payer');
SELECT is(api.pay_qr((SELECT payload FROM qr), tests.id('pw')) ->> 'status', 'SUCCEEDED', 'the payer scans the code and pays');
SELECT tests.as_owner();
SELECT is((SELECT (status, amount_paid)::text FROM payments.invoice WHERE id = tests.id('inv')), '(PAID,116)',
          'the invoice is paid in the same transaction');
SELECT is((SELECT intent_id FROM payments.invoice_payment WHERE invoice_id = tests.id('inv')), tests.id('pi'),
          'its payment names the intent');
SELECT is(tests.balance(tests.id('pw')), 384.00::numeric, 'the payer paid 116.00 once');

-- the second intent for the same invoice: its confirmation is refused and nothing moves
SELECT tests.as_user('pii-payer');
SELECT is(tests.error_of(format('SELECT api.confirm_payment_intent(%s, ''[{"wallet_id": %s, "amount": "116.00"}]'')',
                                tests.id('pi2'), tests.id('pw'))) LIKE 'PT4__ PAYMENTS_%', true,
          'paying the paid invoice again through another intent is refused');
SELECT tests.as_owner();
SELECT is(tests.balance(tests.id('pw')), 384.00::numeric, 'and no money moved');

SELECT * FROM finish();
ROLLBACK;
