-- Tests for functions/payments/intents: the lifecycle with its log, multi-source confirmation (wallet holds at once,
-- external shares), a failing share unwinding the others, manual capture of part (the rest released, the fee
-- snapshotted and moved), refunds never above the capture, cancel, expiry, idempotent create.
BEGIN;
SELECT plan(71);

CREATE TEMP TABLE w AS SELECT tests.payments_world('pi') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (j ->> k)::bigint FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
SELECT tests.grant_payments_internals();
CREATE FUNCTION pg_temp.bal(a bigint) RETURNS text LANGUAGE sql AS
$f$ SELECT format('%s/%s', trim_scale(balance), trim_scale(held)) FROM ledger.account_balance(a) $f$;
CREATE TEMP TABLE r (k text PRIMARY KEY, v jsonb);
GRANT ALL ON r TO PUBLIC;
CREATE FUNCTION pg_temp.keep(k text, v jsonb) RETURNS jsonb LANGUAGE sql AS
$f$ INSERT INTO r VALUES (k, v) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v RETURNING v $f$;
GRANT EXECUTE ON FUNCTION pg_temp.keep(text, jsonb) TO PUBLIC;
CREATE FUNCTION pg_temp.iid(k text) RETURNS bigint LANGUAGE sql AS $f$ SELECT (v ->> 'id')::bigint FROM r WHERE r.k = $1 $f$;
GRANT EXECUTE ON FUNCTION pg_temp.iid(text) TO PUBLIC;
CREATE FUNCTION pg_temp.sec(k text) RETURNS text LANGUAGE sql AS $f$ SELECT v ->> 'client_secret' FROM r WHERE r.k = $1 $f$;
GRANT EXECUTE ON FUNCTION pg_temp.sec(text) TO PUBLIC;

SELECT tests.put('pw', payments.wallet_for('USER', pg_temp.u('payer'), 'KES'));
SELECT tests.put('mw', payments.wallet_for('ORG', pg_temp.u('merchant'), 'KES'));
SELECT tests.put('rev', payments.revenue_account('KES'));
SELECT tests.fund_wallet(tests.id('pw'), 1000, 'test:pi:fund');
SELECT payments.set_fee_rule(NULL, 'PAYMENT', NULL, 'KES', 1, 0, 0, NULL, now());

-- the payer creates with its wallet and confirms: automatic capture, the fee moved and snapshotted
SELECT tests.as_user('pi-payer');
SELECT pg_temp.keep('a', payments.create_intent(pg_temp.u('merchant'), 100, 'KES', 'tea', '{"order": "A-1"}', 'automatic',
                    jsonb_build_array(jsonb_build_object('wallet_id', tests.id('pw'), 'amount', '100.00'))));
SELECT is((SELECT v ->> 'status' FROM r WHERE k = 'a'), 'REQUIRES_CONFIRMATION', 'created with its sources: requires confirmation');
SELECT is(payments.confirm_intent(pg_temp.iid('a')) ->> 'status', 'SUCCEEDED', 'confirmed from the wallet: succeeded');
SELECT tests.as_owner();
SELECT is(pg_temp.bal(tests.id('pw')), '900/0', 'the payer paid 100');
SELECT is(pg_temp.bal(tests.id('mw')), '99/0', 'the merchant got 100 minus the 1% fee');
SELECT is((SELECT (fee, amount_captured)::text FROM payments.payment_intent WHERE id = pg_temp.iid('a')), '(1.00,100)',
          'the fee is snapshotted on the intent');
SELECT is((SELECT (fee, base_amount, reference)::text FROM payments.fee_charge WHERE subject_id = pg_temp.iid('a')),
          format('(1.00,100.00,payments:intent_share:%s:capture)',
                 (SELECT id FROM payments.intent_share WHERE intent_id = pg_temp.iid('a'))),
          'and recorded under the capture''s ledger reference');
SELECT is((SELECT array_agg(to_status ORDER BY id) FROM payments.intent_event WHERE intent_id = pg_temp.iid('a')),
          ARRAY['REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION', 'PROCESSING', 'SUCCEEDED'], 'every state change is logged');
SELECT is((SELECT actor_user_id FROM payments.intent_event WHERE intent_id = pg_temp.iid('a') ORDER BY id DESC LIMIT 1),
          pg_temp.u('payer'), 'with its actor');

-- the merchant creates (manual capture), the customer confirms and becomes the payer; the merchant captures part
SELECT tests.as_user('pi-clerk');
SELECT pg_temp.keep('m', payments.create_intent(pg_temp.u('merchant'), 200, 'KES', 'boots', '{}', 'manual'));
SELECT is((SELECT (v ->> 'status') || '/' || coalesce(v ->> 'payer_user_id', '-') FROM r WHERE k = 'm'),
          'REQUIRES_PAYMENT_METHOD/-', 'a merchant''s intent waits for its payer');
SELECT throws_like(format('SELECT payments.create_intent(%s, 5, ''KES'', '''', ''{}'', ''automatic'', ''[{"wallet_id": %s, "amount": "5"}]'')',
                          pg_temp.u('merchant'), tests.id('pw')), 'PAYMENTS_INVALID_INPUT:%', 'the merchant gives no sources');
-- the client secret: confirming an intent without a payer needs it; absent, wrong or another intent's: nothing changes
SELECT tests.as_user('pi-payer');
SELECT throws_like(format('SELECT payments.confirm_intent(%s, ''[{"wallet_id": %s, "amount": "200"}]'')', pg_temp.iid('m'),
                          tests.id('pw')), 'PAYMENTS_UNKNOWN_INTENT:%', 'no client secret: answered like an unknown intent');
SELECT throws_like(format('SELECT payments.confirm_intent(%s, ''[{"wallet_id": %s, "amount": "200"}]'', NULL, %L)',
                          pg_temp.iid('m'), tests.id('pw'), pg_temp.sec('m') || '0'), 'PAYMENTS_UNKNOWN_INTENT:%',
                   'a wrong client secret: alike');
SELECT throws_like(format('SELECT payments.confirm_intent(%s, ''[{"wallet_id": %s, "amount": "200"}]'', NULL, %L)',
                          pg_temp.iid('m'), tests.id('pw'), pg_temp.sec('a')), 'PAYMENTS_UNKNOWN_INTENT:%',
                   'another intent''s client secret: alike');
SELECT tests.as_owner();
SELECT is((SELECT (status, payer_user_id, attempt, pg_temp.bal(tests.id('pw')))::text FROM payments.payment_intent
            WHERE id = pg_temp.iid('m')), '(REQUIRES_PAYMENT_METHOD,,0,900/0)', 'the refusals changed nothing');
SELECT tests.as_user('pi-admin');
SELECT throws_like(format('SELECT payments.get_intent(%s)', pg_temp.iid('m')), 'PAYMENTS_UNKNOWN_INTENT:%',
                   'a non-member without the secret does not read the intent');
SELECT is((SELECT (x ->> 'status') || '/' || (x ->> 'amount') || '/' || (x ?| ARRAY['shares', 'metadata', 'payer_user_id'])::text
             FROM payments.get_intent(pg_temp.iid('m'), pg_temp.sec('m')) x),
          'REQUIRES_PAYMENT_METHOD/200/false', 'with the secret it reads the intent''s public part');
SELECT tests.as_user('pi-payer');
SELECT throws_like(format('SELECT payments.confirm_intent(%s, NULL, NULL, %L)', pg_temp.iid('m'), pg_temp.sec('m')),
                   'PAYMENTS_INVALID_INPUT:%', 'confirm without sources when none were given');
SELECT throws_like(format('SELECT payments.confirm_intent(%s, ''[{"wallet_id": %s, "amount": "150"}]'', NULL, %L)',
                          pg_temp.iid('m'), tests.id('pw'), pg_temp.sec('m')), 'PAYMENTS_INVALID_INPUT:%',
                   'sources must add up to the amount');
SELECT throws_like(format('SELECT payments.confirm_intent(%s, ''[{"wallet_id": %s, "amount": "200"}]'', NULL, %L)',
                          pg_temp.iid('m'), tests.id('mw'), pg_temp.sec('m')), 'PAYMENTS_UNKNOWN_WALLET:%',
                   'nobody pays from a wallet not theirs');
SELECT is(payments.confirm_intent(pg_temp.iid('m'), format('[{"wallet_id": %s, "amount": "200"}]', tests.id('pw'))::jsonb,
                                  NULL, pg_temp.sec('m'))
          ->> 'status', 'REQUIRES_CAPTURE', 'manual capture: every share held, requires capture');
SELECT throws_like(format('SELECT payments.capture_intent(%s)', pg_temp.iid('m')), 'PAYMENTS_UNKNOWN_INTENT:%',
                   'the payer does not capture');
SELECT tests.as_owner();
SELECT is(pg_temp.bal(tests.id('pw')), '900/200', 'the payer''s 200 are held');
SELECT is((SELECT payer_user_id FROM payments.payment_intent WHERE id = pg_temp.iid('m')), pg_temp.u('payer'),
          'the confirming customer became the payer');
SELECT tests.as_user('pi-clerk');
SELECT is(payments.capture_intent(pg_temp.iid('m'), 150) ->> 'amount_captured', '150', 'a clerk captures 150 of 200');
SELECT tests.as_owner();
SELECT is(pg_temp.bal(tests.id('pw')), '750/0', 'the payer paid 150, the other 50 released');
SELECT is(pg_temp.bal(tests.id('mw')), '247.5/0', 'the merchant got 150 minus 1.50');
SELECT is((SELECT status FROM ledger.hold WHERE id = (SELECT hold_id FROM payments.intent_share WHERE intent_id = pg_temp.iid('m'))),
          'CAPTURED', 'one capture_hold resolved the hold');
SELECT tests.as_user('pi-clerk');
SELECT throws_like(format('SELECT payments.capture_intent(%s)', pg_temp.iid('m')), 'PAYMENTS_INTENT_STATE:%',
                   'captured once only');

-- refunds: an ADMIN, never above the capture
SELECT throws_like(format('SELECT payments.refund_intent(%s, 10)', pg_temp.iid('m')), 'PAYMENTS_UNKNOWN_INTENT:%',
                   'a clerk does not refund');
SELECT tests.as_user('pi-merchant');
SELECT is(payments.refund_intent(pg_temp.iid('m'), 100, 'one pair back') ->> 'amount_refunded', '100', 'the owner refunds 100');
SELECT throws_like(format('SELECT payments.refund_intent(%s, 60)', pg_temp.iid('m')), 'PAYMENTS_REFUND_EXCEEDS:%',
                   '60 more would exceed the 150 captured');
SELECT is(payments.refund_intent(pg_temp.iid('m')) ->> 'amount_refunded', '150', 'the rest (50) is refundable');
SELECT throws_like(format('SELECT payments.refund_intent(%s, 0.01)', pg_temp.iid('m')), 'PAYMENTS_REFUND_EXCEEDS:%',
                   'nothing is left');
SELECT tests.as_owner();
SELECT is(pg_temp.bal(tests.id('pw')), '900/0', 'the payer has the 150 back');
SELECT throws_ok(format('UPDATE payments.payment_intent SET amount_refunded = 151 WHERE id = %s', pg_temp.iid('m')), '23514', NULL,
                 'the CHECK refunded <= captured is the backstop for any writer');

-- transitions refused for every writer
SELECT throws_like(format('UPDATE payments.payment_intent SET status = ''PROCESSING'' WHERE id = %s', pg_temp.iid('m')),
                   'PAYMENTS_INTENT_STATE:%', 'succeeded is final');
SELECT throws_like(format('UPDATE payments.payment_intent SET amount = 1 WHERE id = %s', pg_temp.iid('m')),
                   'PAYMENTS_IMMUTABLE:%', 'the terms never change');
SELECT throws_like(format('DELETE FROM payments.payment_intent WHERE id = %s', pg_temp.iid('m')), 'PAYMENTS_IMMUTABLE:%',
                   'intents are never deleted');
SELECT throws_like(format('UPDATE payments.intent_event SET detail = ''x'' WHERE intent_id = %s', pg_temp.iid('m')),
                   'PAYMENTS_IMMUTABLE:%', 'the log is append-only');

-- a wallet share and an external one: the external one fails and unwinds the wallet hold
SELECT tests.as_user('pi-payer');
SELECT pg_temp.keep('x', payments.create_intent(pg_temp.u('merchant'), 100, 'KES', 'split', '{}', 'automatic'));
SELECT is(payments.confirm_intent(pg_temp.iid('x'), format('[{"wallet_id": %s, "amount": "60"}, {"rail": "MPESA", "amount": "40"}]',
                                                           tests.id('pw'))::jsonb) ->> 'status', 'PROCESSING',
          'a pending external share: processing');
SELECT tests.as_owner();
SELECT is(pg_temp.bal(tests.id('pw')), '900/60', 'the wallet share is held at once');
SELECT ok(payments.external_share_failed((SELECT id FROM payments.intent_share WHERE intent_id = pg_temp.iid('x') AND source = 'EXTERNAL'),
                                         'user cancelled (1032)'), 'the external share fails');
SELECT is((SELECT (status, last_error)::text FROM payments.payment_intent WHERE id = pg_temp.iid('x')),
          format('(REQUIRES_PAYMENT_METHOD,"share %s failed: user cancelled (1032)")',
                 (SELECT id FROM payments.intent_share WHERE intent_id = pg_temp.iid('x') AND source = 'EXTERNAL')),
          'the intent needs a payment method again');
SELECT is(pg_temp.bal(tests.id('pw')), '900/0', 'and the wallet hold is released');
SELECT is((SELECT array_agg(status ORDER BY id) FROM payments.intent_share WHERE intent_id = pg_temp.iid('x')),
          ARRAY['RELEASED', 'FAILED'], 'the shares say so');

-- a second attempt: the external share is funded into the payer's wallet, held there, and the intent succeeds
SELECT tests.as_user('pi-payer');
SELECT is(payments.confirm_intent(pg_temp.iid('x'), format('[{"wallet_id": %s, "amount": "60"}, {"rail": "MPESA", "amount": "40"}]',
                                                           tests.id('pw'))::jsonb) ->> 'attempt', '2', 'confirmed again');
SELECT tests.as_owner();
SELECT tests.put('ext', (SELECT id FROM payments.intent_share WHERE intent_id = pg_temp.iid('x') AND attempt = 2 AND source = 'EXTERNAL'));
SELECT tests.fund_wallet(tests.id('pw'), 40, 'test:pi:mpesa');
SELECT ok(payments.external_share_funded(tests.id('ext'), tests.id('pw')), 'the funding arrives');
SELECT ok(payments.external_share_funded(tests.id('ext'), tests.id('pw')), 'a replay is answered alike');
SELECT is((SELECT (status, amount_captured)::text FROM payments.payment_intent WHERE id = pg_temp.iid('x')), '(SUCCEEDED,100)',
          'every share settled: succeeded');
SELECT is(pg_temp.bal(tests.id('pw')), '840/0', 'the payer paid 100 once (60 + the 40 funded)');

-- cancel releases; not after success
SELECT tests.as_user('pi-payer');
SELECT pg_temp.keep('c', payments.create_intent(pg_temp.u('merchant'), 30, 'KES', '', '{}', 'manual',
                    jsonb_build_array(jsonb_build_object('wallet_id', tests.id('pw'), 'amount', 30))));
SELECT is(payments.confirm_intent(pg_temp.iid('c')) ->> 'status', 'REQUIRES_CAPTURE', 'held for capture');
SELECT is(payments.cancel_intent(pg_temp.iid('c'), 'changed my mind') ->> 'status', 'CANCELED', 'the payer cancels');
SELECT throws_like(format('SELECT payments.cancel_intent(%s)', pg_temp.iid('x')), 'PAYMENTS_INTENT_STATE:%',
                   'a succeeded intent is not canceled (refund it)');
SELECT throws_like(format('SELECT payments.confirm_intent(%s, ''[{"wallet_id": %s, "amount": "30"}]'')', pg_temp.iid('c'), tests.id('pw')),
                   'PAYMENTS_INTENT_STATE:%', 'canceled is final');
SELECT throws_like(format('SELECT payments.confirm_intent(%s, ''[{"wallet_id": %s, "amount": "5000"}]'')',
                          (payments.create_intent(pg_temp.u('merchant'), 5000, 'KES') ->> 'id'), tests.id('pw')),
                   'LEDGER_INSUFFICIENT_FUNDS:%', 'a wallet short of funds refuses the whole confirmation');

-- sources given at creation, replaced at confirmation
SELECT pg_temp.keep('rs', payments.create_intent(pg_temp.u('merchant'), 8, 'KES', '', '{}', 'automatic',
                    '[{"rail": "MPESA", "amount": "8"}]'));
SELECT is(payments.confirm_intent(pg_temp.iid('rs'), jsonb_build_array(jsonb_build_object('wallet_id', tests.id('pw'), 'amount', 8)))
          ->> 'status', 'SUCCEEDED', 'sources given at confirmation replace those given at creation');

-- idempotent create
SELECT is(payments.create_intent(pg_temp.u('merchant'), 12, 'KES', 'k', '{}', 'automatic', NULL, 'ik-1') - 'created_at',
          payments.create_intent(pg_temp.u('merchant'), 12.00, 'KES', 'k', '{}', 'AUTOMATIC', NULL, 'ik-1') - 'created_at',
          'the same key and request: the same intent, its client secret again');
SELECT tests.as_owner();
SELECT is((SELECT (response ? 'id', response ? 'client_secret')::text FROM payments.idempotency_key WHERE key = 'ik-1'),
          '(t,f)', 'the stored response has no client secret (derived again for a replay)');
SELECT tests.as_user('pi-payer');
SELECT throws_like($$SELECT payments.create_intent((SELECT (j ->> 'merchant')::bigint FROM w), 13, 'KES', 'k', '{}', 'automatic', NULL, 'ik-1')$$,
                   'PAYMENTS_IDEMPOTENCY_MISMATCH:%', 'another amount under the key: 422');
SELECT tests.as_owner();

-- expiry
UPDATE payments.payment_intent SET expires_at = now() - interval '1 second'
 WHERE id = (SELECT max(id) FROM payments.payment_intent WHERE description = 'k');
SELECT is(payments.expire_intents(), 1, 'the sweep cancels the expired intent');
SELECT is((SELECT cancellation_reason FROM payments.payment_intent WHERE description = 'k'), 'expired', 'as expired');
SELECT is((SELECT count(*)::int FROM ledger.check() WHERE NOT ok), 0, 'the ledger''s invariants hold');
SELECT is((SELECT actor_user_id FROM audit.event WHERE entity_type = 'payments.intent_refund' ORDER BY id LIMIT 1),
          pg_temp.u('merchant_owner'), 'refunds are in the audit log with their actor');
SELECT ok((SELECT count(*) FROM audit.event WHERE entity_type = 'payments.payment_intent'
            AND entity_id = pg_temp.iid('m')::text) >= 4, 'and every change of an intent');

-- intents paying a platform object (a shop order, an installment): no PAYMENT fee at capture, no intent refund
SELECT is(ARRAY[payments.intent_pays_platform_object('{"order_id": 7}'), payments.intent_pays_platform_object('{"installment_id": 3}'),
                payments.intent_pays_platform_object('{"invoice_id": 3}'), payments.intent_pays_platform_object('{}'),
                payments.intent_pays_platform_object(NULL)],
          ARRAY[true, true, false, false, false], 'the one predicate: order_id or installment_id in the metadata');
SELECT tests.as_user('pi-payer');
SELECT pg_temp.keep('ins', payments.create_intent(pg_temp.u('merchant'), 50, 'KES', 'installment', '{}', 'manual',
                    jsonb_build_array(jsonb_build_object('wallet_id', tests.id('pw'), 'amount', 50))));
SELECT is(payments.confirm_intent(pg_temp.iid('ins')) ->> 'status', 'REQUIRES_CAPTURE', 'held for capture');
SELECT tests.as_owner();
CREATE TEMP TABLE before_ins AS SELECT (SELECT balance FROM ledger.account_balance(tests.id('mw'))) AS mw,
                                       (SELECT count(*) FROM payments.fee_charge) AS fees;
-- capture_shares sees the intent as paying an installment (the installments' own triggers are escrow2's: not fired here)
SELECT payments.capture_shares(jsonb_populate_record(i, '{"metadata": {"installment_id": 1}}'), 50)
  FROM payments.payment_intent i WHERE i.id = pg_temp.iid('ins');
SELECT is((SELECT (status, amount_captured, fee, fee_rule_id)::text FROM payments.payment_intent WHERE id = pg_temp.iid('ins')),
          '(SUCCEEDED,50,0,)', 'an installment''s intent is captured with no PAYMENT fee (0 snapshotted)');
SELECT is((SELECT (b.balance - x.mw, (SELECT count(*) FROM payments.fee_charge) - x.fees)::text
             FROM before_ins x, ledger.account_balance(tests.id('mw')) b), '(50.00,0)',
          'the merchant''s wallet got all of it, no fee recorded');
UPDATE payments.payment_intent SET metadata = '{"installment_id": 1}' WHERE id = pg_temp.iid('ins');
SELECT tests.as_user('pi-merchant');
SELECT throws_like(format('SELECT payments.refund_intent(%s, 5)', pg_temp.iid('ins')), 'PAYMENTS_INTENT_STATE:%',
                   'an installment''s intent is not refunded as an intent (its escrow refunds it)');
SELECT tests.as_owner();
SELECT throws_like(format('INSERT INTO payments.intent_refund (intent_id, amount, reference) VALUES (%s, 1, ''x:1'')',
                          pg_temp.iid('ins')), 'PAYMENTS_INTENT_STATE:%', 'nor by any other writer (the trigger)');
SELECT is((SELECT (amount_refunded, (SELECT count(*) FROM payments.intent_refund WHERE intent_id = pg_temp.iid('ins')))::text
             FROM payments.payment_intent WHERE id = pg_temp.iid('ins')), '(0,0)', 'nothing was refunded');

SELECT * FROM finish();
ROLLBACK;
