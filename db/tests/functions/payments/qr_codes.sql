-- Tests for functions/payments/qr_codes: a dynamic code round trip (built, parsed, paid once), reused, expired,
-- altered (CRC) and forged codes refused with nothing changed, a static code paid with the amount the payer enters.
BEGIN;
SELECT plan(17);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pq') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.grant_payments_internals();
CREATE TEMP TABLE q (k text PRIMARY KEY, v jsonb);
GRANT ALL ON q TO PUBLIC;
CREATE FUNCTION pg_temp.keep(k text, v jsonb) RETURNS jsonb LANGUAGE sql AS $f$ INSERT INTO q VALUES (k, v) RETURNING v $f$;
GRANT EXECUTE ON FUNCTION pg_temp.keep(text, jsonb) TO PUBLIC;
CREATE FUNCTION pg_temp.p(k text) RETURNS text LANGUAGE sql AS $f$ SELECT v ->> 'payload' FROM q WHERE q.k = $1 $f$;
GRANT EXECUTE ON FUNCTION pg_temp.p(text) TO PUBLIC;
CREATE FUNCTION pg_temp.fp() RETURNS text LANGUAGE sql AS $f$
    SELECT md5(string_agg(x, '|')) FROM (SELECT (balance, held)::text AS x FROM ledger.account ORDER BY id) a $f$;

SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.fund_wallet(tests.id('pw'), 500, 'test:pq:fund');

-- the merchant's clerk makes an intent and its dynamic code
SELECT tests.as_user('pq-clerk');
SELECT tests.put('i', (payments.create_intent(pg_temp.u('merchant'), 120.50, 'KES', 'invoice 7') ->> 'id')::bigint);
SELECT pg_temp.keep('d', payments.create_qr_code(pg_temp.u('merchant'), tests.id('i'), '5411', 'Nairobi'));
SELECT is(payments.parse_ke_qr(pg_temp.p('d')) - 'name',
          format('{"initiation": "DYNAMIC", "template": "28", "provider_id": "MERCATO", "merchant_account": "M%s",
                   "mcc": "5411", "currency": "KES", "amount": "120.50", "country": "KE", "city": "Nairobi",
                   "reference": "PI%s"}', pg_temp.u('merchant'), tests.id('i'))::jsonb,
          'round trip: the payload parses to the merchant, the amount and the intent''s reference');
SELECT throws_like(format('SELECT payments.create_qr_code(%s, %s)', pg_temp.u('merchant'), tests.id('i')),
                   'PAYMENTS_INVALID_INPUT:%', 'one code per intent');
SELECT tests.as_user('pq-payer');
SELECT throws_like(format('SELECT payments.create_qr_code(%s)', pg_temp.u('merchant')), 'IDENTITY_UNKNOWN_ORGANIZATION:%',
                   'only the merchant''s members make its codes');

-- altered and forged codes: nothing changes
SELECT tests.as_owner();
SELECT tests.put('fp', 0);
CREATE TEMP TABLE before AS SELECT pg_temp.fp() AS fp;
SELECT tests.as_user('pq-payer');
SELECT throws_like(format('SELECT payments.pay_qr(%L, %s)', replace(pg_temp.p('d'), '120.50', '020.50'), tests.id('pw')),
                   'PAYMENTS_INVALID_QR:%', 'an altered amount breaks the CRC');
SELECT throws_like(format('SELECT payments.pay_qr(%L, %s)',
                          (SELECT b || payments.crc16_ccitt_false(b) FROM (SELECT left(replace(pg_temp.p('d'), '120.50', '020.50'),
                                                                                 -4) AS b) x), tests.id('pw')),
                   'PAYMENTS_QR_UNKNOWN:%', 'a forged code (its CRC recomputed) matches no record');
SELECT throws_like(format('SELECT payments.pay_qr(%L, %s)',
                          payments.build_ke_qr(true, '28', 'MERCATO', 'M' || pg_temp.u('merchant'), '5411', 'pq shop',
                                               'Nairobi', 1.00, 'PI999999'), tests.id('pw')),
                   'PAYMENTS_QR_UNKNOWN:%', 'a code with an unknown reference matches no record');
SELECT tests.as_owner();
SELECT is(pg_temp.fp(), (SELECT fp FROM before), 'no balance moved');
SELECT is((SELECT status FROM payments.qr_code WHERE reference = 'PI' || tests.id('i')), 'ACTIVE', 'the code is unused');

-- paid once
SELECT tests.as_user('pq-payer');
SELECT is(payments.pay_qr(pg_temp.p('d'), tests.id('pw')) ->> 'status', 'SUCCEEDED', 'the payer pays the dynamic code');
SELECT throws_like(format('SELECT payments.pay_qr(%L, %s)', pg_temp.p('d'), tests.id('pw')), 'PAYMENTS_QR_USED:%',
                   'a reused code is refused');
SELECT tests.as_owner();
SELECT is((SELECT trim_scale(balance)::text FROM ledger.account WHERE id = tests.id('pw')), '379.5', 'paid once');

-- expired
SELECT tests.as_user('pq-clerk');
SELECT tests.put('i2', (payments.create_intent(pg_temp.u('merchant'), 10, 'KES') ->> 'id')::bigint);
SELECT pg_temp.keep('e', payments.create_qr_code(pg_temp.u('merchant'), tests.id('i2'), '5411', 'Nairobi'));
SELECT tests.as_owner();
UPDATE payments.qr_code SET expires_at = now() - interval '1 second' WHERE intent_id = tests.id('i2');
SELECT tests.as_user('pq-payer');
SELECT throws_like(format('SELECT payments.pay_qr(%L, %s)', pg_temp.p('e'), tests.id('pw')), 'PAYMENTS_QR_EXPIRED:%',
                   'an expired code is refused');
SELECT tests.as_owner();
SELECT is((SELECT status FROM payments.payment_intent WHERE id = tests.id('i2')), 'REQUIRES_PAYMENT_METHOD',
          'and its intent is untouched');

-- static: the payer enters the amount; the code stays usable
SELECT tests.as_user('pq-merchant');
SELECT pg_temp.keep('s', payments.create_qr_code(pg_temp.u('merchant'), NULL, '5812', 'Mombasa'));
SELECT tests.as_user('pq-payer');
SELECT throws_like(format('SELECT payments.pay_qr(%L, %s)', pg_temp.p('s'), tests.id('pw')), 'PAYMENTS_INVALID_INPUT:%',
                   'a static code needs the amount');
SELECT is(payments.pay_qr(pg_temp.p('s'), tests.id('pw'), 20) ->> 'amount_captured', '20', 'paid 20 by the static code');
SELECT is(pg_temp.keep('k', payments.pay_qr(pg_temp.p('s'), tests.id('pw'), 5, 'pq-k')) ->> 'amount_captured', '5',
          'and 5 again');
SELECT is(payments.pay_qr(pg_temp.p('s'), tests.id('pw'), 5, 'pq-k') ->> 'id', (SELECT v ->> 'id' FROM q WHERE k = 'k'),
          'a retry with its key is answered, not paid again');

SELECT * FROM finish();
ROLLBACK;
