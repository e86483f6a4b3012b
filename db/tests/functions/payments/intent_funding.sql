-- Tests for functions/payments/intent_funding: a split payment (wallet + KCB) where the top-up of the external share
-- completes the intent, a failed top-up that unwinds the wallet share, and the checks on a session naming a share.
BEGIN;
SELECT plan(11);

CREATE TEMP TABLE w AS SELECT tests.rails_world('ifu', 100) AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
-- the bank's signed success callback of a funding session's instruction
CREATE FUNCTION pg_temp.bank(p_session bigint, p_status text) RETURNS jsonb LANGUAGE sql AS $f$
    SELECT payments.ingest_webhook('KCB', tests.signed_headers(b, (SELECT j ->> 'kcb_secret' FROM w)), b)
      FROM (SELECT json_build_object('event_id', 'evt-ifu-' || p_session || p_status, 'reference', r.reference,
                                     'status', p_status, 'amount', r.amount::text, 'currency', 'KES',
                                     'account', r.account, 'transaction_id', 'KCB-IFU-' || p_session)::text AS b
              FROM payments.rail_instruction r WHERE r.subject_type = 'FUNDING' AND r.subject_id = p_session) x
$f$;

-- 150.00 to the merchant: 90.00 from the wallet (of 100.00), 60.00 topped up from KCB
SELECT tests.as_user('ifu-payer');
SELECT tests.put('pi', (api.create_payment_intent(pg_temp.u('merchant'), 150, 'KES', p_sources =>
    format('[{"wallet_id": %s, "amount": "90.00"}, {"rail": "KCB", "amount": "60.00"}]', pg_temp.u('wallet'))::jsonb) ->> 'id')::bigint);
SELECT is(api.confirm_payment_intent(tests.id('pi')) ->> 'status', 'PROCESSING', 'confirmed: the wallet share held, KCB pending');
SELECT tests.as_owner();
SELECT tests.put('share', (SELECT id FROM payments.intent_share WHERE intent_id = tests.id('pi') AND source = 'EXTERNAL'));
SELECT tests.as_user('ifu-payer');
SELECT is(tests.error_of(format('SELECT api.create_funding_session(%s, ''KCB'', 50, ''ACC-1'', %s)', pg_temp.u('wallet'), tests.id('share'))),
          format('PT400 PAYMENTS_INVALID_INPUT intent share %s is 60.00 KES on KCB', tests.id('share')),
          'a top-up of another amount does not fund the share');
SELECT tests.as_user('ifu-merchant');
SELECT is(tests.error_of(format('SELECT api.create_funding_session(%s, ''KCB'', 60, ''ACC-1'', %s)', pg_temp.u('merchant_wallet'), tests.id('share'))),
          format('PT400 PAYMENTS_INVALID_INPUT intent share %s is funded into a wallet of the intent''s payer', tests.id('share')),
          'nor a top-up of somebody else''s wallet');
SELECT tests.as_user('ifu-payer');
SELECT tests.put('fs', (api.create_funding_session(pg_temp.u('wallet'), 'KCB', 60, 'ACC-1', tests.id('share')) ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is(pg_temp.bank(tests.id('fs'), 'SUCCEEDED') ->> 'state', 'PROCESSED', 'the bank confirms the top-up');
SELECT is((SELECT (status, amount_captured)::text FROM payments.payment_intent WHERE id = tests.id('pi')), '(SUCCEEDED,150)',
          'the share is held from the topped-up wallet and the intent succeeds in the same transaction');
SELECT is(tests.balance(pg_temp.u('wallet')), 10.00, 'the wallet: 100 + 60 - 150');
SELECT is(tests.balance(pg_temp.u('merchant_wallet')), 150.00, 'the merchant has the whole payment (no PAYMENT fee rule)');
SELECT is(pg_temp.bank(tests.id('fs'), 'SUCCEEDED') ->> 'state', 'DUPLICATE', 'the same callback again moves nothing');

-- a failed top-up unwinds the attempt: the wallet share's hold released, the intent back to REQUIRES_PAYMENT_METHOD
SELECT tests.as_user('ifu-payer');
SELECT tests.put('pi2', (api.create_payment_intent(pg_temp.u('merchant'), 15, 'KES', p_sources =>
    format('[{"wallet_id": %s, "amount": "5.00"}, {"rail": "KCB", "amount": "10.00"}]', pg_temp.u('wallet'))::jsonb) ->> 'id')::bigint);
SELECT api.confirm_payment_intent(tests.id('pi2'));
SELECT tests.as_owner();
SELECT tests.put('share2', (SELECT id FROM payments.intent_share WHERE intent_id = tests.id('pi2') AND source = 'EXTERNAL'));
SELECT tests.as_user('ifu-payer');
SELECT tests.put('fs2', (api.create_funding_session(pg_temp.u('wallet'), 'KCB', 10, 'ACC-1', tests.id('share2')) ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT is(pg_temp.bank(tests.id('fs2'), 'FAILED') ->> 'state', 'PROCESSED', 'the bank reports a failure');
SELECT is((SELECT status FROM payments.payment_intent WHERE id = tests.id('pi2')), 'REQUIRES_PAYMENT_METHOD',
          'the intent awaits other sources');
SELECT is((SELECT (balance, held)::text FROM ledger.account_balance(pg_temp.u('wallet'))), '(10.00,0.00)',
          'the wallet share''s hold is released: nothing moved');

SELECT * FROM finish();
ROLLBACK;
