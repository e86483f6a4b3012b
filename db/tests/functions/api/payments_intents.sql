-- Tests for functions/api/payments_intents: the wrappers as PostgREST calls them (JWT claims, API roles): a merchant's
-- intent confirmed by its customer, captured, refunded, read and listed by each side; QR through the api.
BEGIN;
SELECT plan(14);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pa') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.fund_wallet(tests.id('pw'), 300, 'test:pa:fund');

SELECT tests.as_user('pa-clerk');
CREATE TEMP TABLE made AS SELECT api.create_payment_intent(pg_temp.u('merchant'), 100, 'KES', 'lamp', '{}', 'manual',
                                                         NULL, 'pa-1') AS j;
GRANT SELECT ON made TO PUBLIC;
SELECT tests.put('i', (SELECT (j ->> 'id')::bigint FROM made));
SELECT is((api.create_payment_intent(pg_temp.u('merchant'), 100, 'KES', 'lamp', '{}', 'manual', NULL, 'pa-1') ->> 'id')::bigint,
          tests.id('i'), 'the merchant''s key answers its first intent');
SELECT tests.as_user('pa-payer');
SELECT throws_like(format('SELECT api.confirm_payment_intent(%s, ''[{"wallet_id": %s, "amount": "100"}]'')', tests.id('i'),
                          tests.id('pw')), 'PAYMENTS_UNKNOWN_INTENT:%', 'the customer needs the client secret');
SELECT is(api.get_payment_intent(tests.id('i'), (SELECT j ->> 'client_secret' FROM made)) ->> 'status',
          'REQUIRES_PAYMENT_METHOD', 'with it the customer reads the intent');
SELECT is(api.confirm_payment_intent(tests.id('i'), format('[{"wallet_id": %s, "amount": "100"}]', tests.id('pw'))::jsonb,
                                     p_client_secret => (SELECT j ->> 'client_secret' FROM made))
          ->> 'status', 'REQUIRES_CAPTURE', 'and confirms from its wallet');
SELECT is((SELECT count(*)::int FROM api.list_payment_intents()), 1, 'the payer lists its intent');
SELECT throws_like(format('SELECT api.list_payment_intents(%s)', pg_temp.u('merchant')), 'IDENTITY_UNKNOWN_ORGANIZATION:%',
                   'but not the merchant''s');
SELECT tests.as_user('pa-clerk');
SELECT is(api.capture_payment_intent(tests.id('i'), 80) ->> 'status', 'SUCCEEDED', 'the clerk captures 80');
SELECT is((SELECT count(*)::int FROM api.list_payment_intents(pg_temp.u('merchant'), 'succeeded')), 1,
          'the merchant lists it by status');
SELECT tests.as_user('pa-merchant');
SELECT is(api.refund_payment_intent(tests.id('i'), 30, 'damaged') ->> 'amount_refunded', '30', 'the owner refunds 30');
SELECT is(jsonb_array_length(api.get_payment_intent(tests.id('i')) -> 'events'), 4, 'the log has every state');
SELECT tests.as_anon();
SELECT throws_ok(format('SELECT api.get_payment_intent(%s)', tests.id('i')), '42501', NULL, 'anonymous callers read nothing');
SELECT tests.as_user('pa-admin');
SELECT throws_like(format('SELECT api.get_payment_intent(%s)', tests.id('i')), 'PAYMENTS_UNKNOWN_INTENT:%',
                   'an unrelated user does not see it');

SELECT tests.as_user('pa-merchant');
SELECT tests.put('s', 0);
CREATE TEMP TABLE code AS SELECT api.create_qr_code(pg_temp.u('merchant')) AS c;
GRANT SELECT ON code TO PUBLIC;
SELECT tests.as_user('pa-payer');
SELECT is(api.pay_qr((SELECT c ->> 'payload' FROM code), tests.id('pw'), 15) ->> 'status', 'SUCCEEDED',
          'the payer pays the static code through the api');
SELECT tests.as_owner();
SELECT is((SELECT trim_scale(balance)::text FROM ledger.account WHERE id = tests.id('pw')), '235', '300 - 80 + 30 - 15');

SELECT * FROM finish();
ROLLBACK;
