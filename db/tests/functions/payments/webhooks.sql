-- Tests for functions/payments/webhooks: the raw body first, signed and unsigned authentication, unsigned callbacks
-- confirmed only by our status query, dedupe, the state machine (final never moves, contradictions and unknown
-- references quarantined), a B2C time-out followed by a late success paid once, every ordering of one instruction's
-- events.
BEGIN;
SELECT plan(49);

CREATE TEMP TABLE w AS SELECT tests.rails_world('wh') AS j;
GRANT SELECT ON w TO PUBLIC;
CREATE FUNCTION pg_temp.u(k text) RETURNS text LANGUAGE sql AS $f$ SELECT j ->> k FROM w $f$;
GRANT EXECUTE ON FUNCTION pg_temp.u(text) TO PUBLIC;
CREATE FUNCTION pg_temp.ingest(p_provider text, p_headers jsonb, p_body text) RETURNS jsonb LANGUAGE plpgsql AS $f$
DECLARE r jsonb;
BEGIN
    PERFORM tests.as_service();
    r := api.ingest_webhook(p_provider, p_headers, p_body);
    PERFORM tests.as_owner();
    RETURN r;
END $f$;
CREATE FUNCTION pg_temp.mp(p_body text, p_callback text DEFAULT NULL) RETURNS jsonb LANGUAGE sql AS $f$
    SELECT pg_temp.ingest('MPESA', tests.mpesa_headers(pg_temp.u('token'), p_callback => p_callback), p_body) $f$;
CREATE FUNCTION pg_temp.kcb(p_body text) RETURNS jsonb LANGUAGE sql AS $f$
    SELECT pg_temp.ingest('KCB', tests.signed_headers(p_body, pg_temp.u('kcb_secret')), p_body) $f$;
CREATE FUNCTION pg_temp.ins(p_type text, p_id bigint) RETURNS bigint LANGUAGE sql AS $f$
    SELECT id FROM payments.rail_instruction WHERE subject_type = p_type AND subject_id = p_id $f$;
CREATE FUNCTION pg_temp.fund(p_rail text, p_amount numeric, p_payer text) RETURNS bigint LANGUAGE plpgsql AS $f$
DECLARE v bigint;
BEGIN
    PERFORM tests.as_user('wh-payer');
    v := (api.create_funding_session(pg_temp.u('wallet')::bigint, p_rail, p_amount, p_payer) ->> 'id')::bigint;
    PERFORM tests.as_owner();
    RETURN v;
END $f$;
CREATE FUNCTION pg_temp.bank_body(p_event text, p_ins bigint, p_status text, p_amount text DEFAULT NULL) RETURNS text
LANGUAGE sql AS $f$
    SELECT jsonb_build_object('event_id', p_event, 'reference', i.reference, 'status', p_status,
                              'amount', coalesce(p_amount, i.amount::text), 'currency', 'KES', 'account', i.account,
                              'transaction_id', 'KCBTX' || p_event, 'reason_code', CASE p_status WHEN 'FAILED' THEN 'R01' END)::text
      FROM payments.rail_instruction i WHERE i.id = p_ins $f$;

-- the fee rules of the story: FUNDING 1 %, WITHDRAWAL 10 fixed
SELECT tests.as_user('wh-admin');
SELECT api.set_fee_rule(NULL, 'FUNDING', NULL, 'KES', 1);
SELECT api.set_fee_rule(NULL, 'WITHDRAWAL', NULL, 'KES', 0, 10);
SELECT tests.as_owner();
CREATE TEMP TABLE before AS
SELECT a.id, tests.balance(a.id) AS balance FROM ledger.account a;

-- An M-Pesa top-up ------------------------------------------------------------------------------------------------
SELECT tests.put('s1', pg_temp.fund('MPESA', 100, '254712345678'));
SELECT tests.put('i1', pg_temp.ins('FUNDING', tests.id('s1')));
SELECT is((SELECT (m.channel, m.template, m.params ->> 'CheckoutRequestID', m.params ->> 'PhoneNumber', m.params ->> 'Amount')::text
             FROM outbox.message m JOIN payments.rail_instruction i ON i.message_id = m.id WHERE i.id = tests.id('i1')),
          '(RAIL,mpesa.stk_push,,254712345678,100)', 'the STK push goes out through the outbox (channel RAIL)');
SELECT is(tests.rail_ack(tests.id('i1'), '{"MerchantRequestID": "mr-1", "CheckoutRequestID": "ws_CO_1", "ResponseCode": "0",
                                          "ResponseDescription": "Success. Request accepted for processing"}') ->> 'state',
          'ACCEPTED', 'ResponseCode 0: the provider accepted the push');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint), 1000::numeric, 'an accepted STK push is not a payment');

-- spoofed unsigned callbacks
SELECT is(pg_temp.ingest('MPESA', tests.mpesa_headers('guessed-token'), tests.stk_callback('ws_CO_1', 0, 100, 'RCPT1')) ->> 'error_code',
          'PAYMENTS_WEBHOOK_UNAUTHENTICATED', 'a callback without the path token is refused');
SELECT is(pg_temp.ingest('MPESA', tests.mpesa_headers(pg_temp.u('token'), '203.0.113.9'), tests.stk_callback('ws_CO_1', 0, 100, 'RCPT1')) ->> 'state',
          'REFUSED', 'a callback from outside the allowlist is refused');
SELECT is((SELECT (processing_state, error_code, body = tests.stk_callback('ws_CO_1', 0, 100, 'RCPT1'), headers ? 'X-Mercato-Path-Token')::text
             FROM payments.webhook_event ORDER BY id DESC LIMIT 1),
          '(REFUSED,PAYMENTS_WEBHOOK_UNAUTHENTICATED,t,f)', 'a refused call is kept raw with its error (the path token is not)');
SELECT is(pg_temp.mp(tests.daraja_result('MQ-' || repeat('0', 32), 'AG_X', 0,
                                         '{"TransactionStatus": "Completed", "Amount": "100", "CreditPartyName": "600000 - Mercato"}')) ->> 'state',
          'QUARANTINED', 'a status result answering no query of ours is quarantined (unknown reference)');
SELECT is(pg_temp.mp(tests.stk_callback('ws_CO_404', 0, 100, 'RCPTX')) ->> 'detail', 'unknown reference ws_CO_404',
          'a callback for an unknown CheckoutRequestID is quarantined');
SELECT is((SELECT count(*)::int FROM ledger.account a LEFT JOIN before b ON b.id = a.id
            WHERE tests.balance(a.id) IS DISTINCT FROM coalesce(b.balance, 0)), 0,
          'the spoofed callbacks left every balance of the ledger unchanged');

-- the genuine callback asks; only our status query's answer pays
SELECT is(pg_temp.mp(tests.stk_callback('ws_CO_1', 0, 100, 'RCPT1')) ->> 'state', 'PROCESSED', 'the genuine callback is processed');
SELECT is((SELECT state FROM payments.rail_instruction WHERE id = tests.id('i1')), 'AWAITING_CONFIRMATION',
          'the callback alone moves the instruction to awaiting confirmation');
SELECT is((SELECT (count(*), min(m.template))::text FROM payments.rail_status_query q JOIN outbox.message m ON m.id = q.message_id
            WHERE q.instruction_id = tests.id('i1')), '(1,mpesa.transaction_status)', 'and sends a Transaction Status query');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint), 1000::numeric, 'no credit on a callback alone');
SELECT is(pg_temp.mp(tests.stk_callback('ws_CO_1', 0, 100, 'RCPT1')) ->> 'state', 'DUPLICATE', 'the same callback again is a duplicate');
SELECT is(pg_temp.mp(tests.status_answer(tests.id('i1'), 'Completed')) ->> 'state', 'PROCESSED', 'our query''s answer is applied');
SELECT is((SELECT status FROM payments.funding_session WHERE id = tests.id('s1')), 'COMPLETED', 'the session completes');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint), 1099::numeric, 'the wallet is credited the amount less the 1 % fee');
SELECT is((SELECT (reference, fee)::text FROM payments.fee_charge WHERE subject_type = 'funding_session' AND subject_id = tests.id('s1')),
          format('(payments:funding:%s:complete,1.00)', tests.id('s1')), 'the fee is charged under the posting''s reference');
SELECT is(pg_temp.mp(tests.status_answer(tests.id('i1'), 'Completed')) ->> 'state', 'DUPLICATE', 'the answer delivered again is a duplicate');
SELECT is(pg_temp.mp(tests.stk_callback('ws_CO_1', 1032)) ->> 'state', 'QUARANTINED',
          'a failure after the confirmed success is a contradiction, quarantined');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint), 1099::numeric, 'and nothing is applied twice');

-- a cancelled push, a mismatch
SELECT tests.put('s2', pg_temp.fund('MPESA', 30, '254712345678'));
SELECT tests.rail_ack(pg_temp.ins('FUNDING', tests.id('s2')), '{"MerchantRequestID": "mr-2", "CheckoutRequestID": "ws_CO_2", "ResponseCode": "0"}');
SELECT pg_temp.mp(tests.stk_callback('ws_CO_2', 1032));
SELECT is(pg_temp.mp(tests.status_answer(pg_temp.ins('FUNDING', tests.id('s2')), 'Failed', p_reason => '1032')) ->> 'state', 'PROCESSED',
          'the status query confirms the cancellation');
SELECT is((SELECT (status, failure_code)::text FROM payments.funding_session WHERE id = tests.id('s2')), '(FAILED,1032)',
          'a cancelled push (1032) fails the session');
SELECT tests.put('s3', pg_temp.fund('MPESA', 40, '254712345678'));
SELECT tests.rail_ack(pg_temp.ins('FUNDING', tests.id('s3')), '{"MerchantRequestID": "mr-3", "CheckoutRequestID": "ws_CO_3", "ResponseCode": "0"}');
SELECT pg_temp.mp(tests.stk_callback('ws_CO_3', 0, 40, 'RCPT3'));
SELECT is(pg_temp.mp(tests.status_answer(pg_temp.ins('FUNDING', tests.id('s3')), 'Completed', 400)) ->> 'state', 'QUARANTINED',
          'a confirmed amount that does not match is quarantined');
SELECT is((SELECT status FROM payments.funding_session WHERE id = tests.id('s3')), 'FLAGGED', 'the session is flagged');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint), 1099::numeric, 'and not credited');
SELECT tests.put('s4', pg_temp.fund('MPESA', 40, '254712345678'));
SELECT tests.rail_ack(pg_temp.ins('FUNDING', tests.id('s4')), '{"ResponseCode": "1", "ResponseDescription": "Invalid phone"}');
SELECT is((SELECT status FROM payments.funding_session WHERE id = tests.id('s4')), 'FAILED',
          'a push the provider refuses at once fails the session');

-- A signed bank top-up --------------------------------------------------------------------------------------------
SELECT tests.put('s5', pg_temp.fund('KCB', 50, 'ACC-12345'));
SELECT tests.put('i5', pg_temp.ins('FUNDING', tests.id('s5')));
CREATE TEMP TABLE b AS SELECT pg_temp.bank_body('ev-5', tests.id('i5'), 'SUCCEEDED') AS body;
SELECT is(pg_temp.ingest('KCB', tests.signed_headers((SELECT body FROM b) || ' ', pg_temp.u('kcb_secret'))
                                 || jsonb_build_object('X-Mercato-Timestamp', extract(epoch FROM now())::bigint::text),
                         (SELECT body FROM b)) ->> 'error_code',
          'PAYMENTS_WEBHOOK_UNAUTHENTICATED', 'a signature over a body one byte longer is refused');
SELECT is(pg_temp.ingest('KCB', (SELECT jsonb_set(h, '{X-Mercato-Signature}', to_jsonb(
                                     overlay(h ->> 'X-Mercato-Signature' placing
                                             CASE WHEN right(h ->> 'X-Mercato-Signature', 1) = '0' THEN '1' ELSE '0' END
                                             FROM length(h ->> 'X-Mercato-Signature'))))
                                    FROM (SELECT tests.signed_headers(body, pg_temp.u('kcb_secret')) h FROM b) x),
                         (SELECT body FROM b)) ->> 'error_code',
          'PAYMENTS_WEBHOOK_UNAUTHENTICATED', 'a signature off in its last byte is refused');
SELECT is(pg_temp.ingest('KCB', tests.signed_headers((SELECT body FROM b), pg_temp.u('kcb_secret'),
                                                     extract(epoch FROM now())::bigint - 301), (SELECT body FROM b)) ->> 'error_code',
          'PAYMENTS_WEBHOOK_REPLAYED', 'a correctly signed call with a timestamp older than the tolerance is refused (replay)');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint), 1099::numeric, 'refused calls move nothing');
SELECT is(pg_temp.kcb((SELECT body FROM b)) ->> 'state', 'PROCESSED', 'the signed callback is applied');
SELECT is(tests.balance(pg_temp.u('wallet')::bigint), 1148.5::numeric, 'the bank top-up is credited less its fee');
SELECT is(pg_temp.kcb(jsonb_build_object('event_id', 'ev-x', 'reference', 'MI-unknown', 'status', 'SUCCEEDED',
                                         'amount', '5.00', 'currency', 'KES', 'account', 'ACC-1')::text) ->> 'detail',
          'unknown reference MI-unknown', 'a signed callback naming no instruction is quarantined');

-- A B2C payout timed out, then a late success: paid once ------------------------------------------------------------
SELECT tests.as_user('wh-payer');
SELECT tests.put('wd', (api.request_withdrawal(pg_temp.u('wallet')::bigint, 'MPESA', 200, '254712345678') ->> 'id')::bigint);
SELECT tests.as_owner();
SELECT tests.put('iw', pg_temp.ins('WITHDRAWAL', tests.id('wd')));
SELECT is((SELECT h.amount FROM ledger.hold h JOIN payments.withdrawal x ON x.hold_id = h.id WHERE x.id = tests.id('wd')), 210::numeric,
          'the hold covers the amount and the fee');
SELECT tests.rail_ack(tests.id('iw'), jsonb_build_object('ConversationID', 'AG_W1', 'ResponseCode', '0',
                                                          'OriginatorConversationID', (SELECT reference FROM payments.rail_instruction WHERE id = tests.id('iw'))));
SELECT is(pg_temp.mp(tests.daraja_result((SELECT reference FROM payments.rail_instruction WHERE id = tests.id('iw')), 'AG_W1', 1),
                     'b2c-timeout') ->> 'state', 'PROCESSED', 'the queue time-out is taken');
SELECT is(pg_temp.mp(tests.status_answer(tests.id('iw'), 'Pending')) ->> 'detail', 'transaction status Pending: asked again later',
          'the status query says pending: nothing moves, nothing is re-sent');
UPDATE payments.rail_instruction SET next_check_at = now() - interval '1 second' WHERE id = tests.id('iw');
SELECT is(payments.sweep_rail_instructions(), 1, 'the sweeper queries the unanswered payout');
SELECT is((SELECT count(*)::int FROM outbox.message WHERE template = 'mpesa.b2c'), 1, 'and never sends the payout again');
SELECT is(pg_temp.mp(tests.daraja_result((SELECT reference FROM payments.rail_instruction WHERE id = tests.id('iw')), 'AG_W1', 0,
                                         '{"TransactionAmount": 200, "TransactionReceipt": "RCPTW"}')) ->> 'state', 'PROCESSED',
          'the late success callback is taken (awaiting the query)');
SELECT is(pg_temp.mp(tests.status_answer(tests.id('iw'), 'Completed', p_party => '600000 - Mercato')) ->> 'state', 'PROCESSED',
          'the status query confirms the payout');
SELECT is(pg_temp.mp(tests.daraja_result((SELECT reference FROM payments.rail_instruction WHERE id = tests.id('iw')), 'AG_W1', 0,
                                         '{"TransactionAmount": 200, "TransactionReceipt": "RCPTW"}')) ->> 'state', 'DUPLICATE',
          'the success delivered again is a duplicate');
SELECT is((SELECT (x.status, tests.balance(pg_temp.u('wallet')::bigint))::text FROM payments.withdrawal x WHERE x.id = tests.id('wd')),
          '(COMPLETED,938.50)', 'paid once: the wallet lost the amount and the fee once');

-- Every ordering of one instruction's events ---------------------------------------------------------------------
-- A bank top-up: e1 SUCCEEDED, e1 again, e2 FAILED, e3 PENDING in each of the 24 orders. The first of e1/e2 decides,
-- the other is a contradiction (quarantined), the repeat is a duplicate, and the wallet is credited at most once.
CREATE FUNCTION pg_temp.orderings() RETURNS TABLE (n bigint, good bigint) LANGUAGE plpgsql AS $f$
DECLARE
    p     text[];
    v_s   bigint;
    v_i   bigint;
    v_b0  numeric;
    v_r   jsonb;
    v_st  text[];
    v_k   integer := 0;
    v_ok  integer := 0;
BEGIN
    FOR p IN
        WITH RECURSIVE perm(seq) AS (
            SELECT ARRAY[e] FROM unnest(ARRAY['S', 'S2', 'F', 'P']) e
            UNION ALL
            SELECT seq || e FROM perm, unnest(ARRAY['S', 'S2', 'F', 'P']) e WHERE NOT e = ANY (seq))
        SELECT seq FROM perm WHERE cardinality(seq) = 4
    LOOP
        v_k := v_k + 1;
        v_s := pg_temp.fund('KCB', 10, 'ACC-ORDER');
        v_i := pg_temp.ins('FUNDING', v_s);
        v_b0 := tests.balance(pg_temp.u('wallet')::bigint);
        v_st := '{}';
        FOR j IN 1 .. 4 LOOP
            v_r := pg_temp.kcb(pg_temp.bank_body(CASE p[j] WHEN 'S2' THEN 'S' ELSE p[j] END || '-' || v_s, v_i,
                                                 CASE p[j] WHEN 'F' THEN 'FAILED' WHEN 'P' THEN 'PENDING' ELSE 'SUCCEEDED' END));
            v_st := v_st || (v_r ->> 'state');
        END LOOP;
        IF (SELECT status FROM payments.funding_session WHERE id = v_s)
               = (CASE WHEN array_position(p, 'F') < least(array_position(p, 'S'), array_position(p, 'S2')) THEN 'FAILED' ELSE 'COMPLETED' END)
           AND tests.balance(pg_temp.u('wallet')::bigint) - v_b0
               = (CASE WHEN array_position(p, 'F') < least(array_position(p, 'S'), array_position(p, 'S2')) THEN 0 ELSE 9.9 END)
           AND (SELECT count(*) FROM unnest(v_st) s WHERE s = 'DUPLICATE') = 1
           AND (SELECT count(*) FROM unnest(v_st) s WHERE s = 'QUARANTINED') = 1
           AND (SELECT count(*) FROM unnest(v_st) s WHERE s = 'PROCESSED') = 2 THEN
            v_ok := v_ok + 1;
        ELSE
            RAISE NOTICE 'ordering % gave %', p, v_st;
        END IF;
    END LOOP;
    RETURN QUERY SELECT v_k::bigint, v_ok::bigint;
END $f$;
SELECT is((SELECT (n, good)::text FROM pg_temp.orderings()), '(24,24)',
          'in each of the 24 orders the first answer decides, once; the contradiction is quarantined, the repeat deduplicated');

-- An M-Pesa top-up: success callback, failure callback, our query's Completed, in each of the 6 orders (the sweeper's
-- query is out before any of them): credited exactly once, SUCCEEDED, whatever the order.
CREATE FUNCTION pg_temp.mpesa_orderings() RETURNS TABLE (n bigint, good bigint) LANGUAGE plpgsql AS $f$
DECLARE
    p    text[];
    v_s  bigint;
    v_i  bigint;
    v_b0 numeric;
    v_k  integer := 0;
    v_ok integer := 0;
    v_answer text;
BEGIN
    FOR p IN
        WITH RECURSIVE perm(seq) AS (
            SELECT ARRAY[e] FROM unnest(ARRAY['OK', 'KO', 'Q']) e
            UNION ALL
            SELECT seq || e FROM perm, unnest(ARRAY['OK', 'KO', 'Q']) e WHERE NOT e = ANY (seq))
        SELECT seq FROM perm WHERE cardinality(seq) = 3
    LOOP
        v_k := v_k + 1;
        v_s := pg_temp.fund('MPESA', 20, '254712345678');
        v_i := pg_temp.ins('FUNDING', v_s);
        PERFORM tests.rail_ack(v_i, jsonb_build_object('CheckoutRequestID', 'ws_CO_P' || v_s, 'ResponseCode', '0'));
        PERFORM payments.send_status_query(v_i, 'SWEEP');
        v_answer := tests.status_answer(v_i, 'Completed');
        v_b0 := tests.balance(pg_temp.u('wallet')::bigint);
        FOR j IN 1 .. 3 LOOP
            PERFORM pg_temp.mp(CASE p[j] WHEN 'OK' THEN tests.stk_callback('ws_CO_P' || v_s, 0, 20, 'R' || v_s)
                                         WHEN 'KO' THEN tests.stk_callback('ws_CO_P' || v_s, 1032)
                                         ELSE v_answer END);
        END LOOP;
        IF (SELECT state FROM payments.rail_instruction WHERE id = v_i) = 'SUCCEEDED'
           AND tests.balance(pg_temp.u('wallet')::bigint) - v_b0 = 19.8
           AND (SELECT count(*) FROM ledger.transaction WHERE reference = 'payments:funding:' || v_s || ':complete') = 1 THEN
            v_ok := v_ok + 1;
        ELSE
            RAISE NOTICE 'ordering % failed', p;
        END IF;
    END LOOP;
    RETURN QUERY SELECT v_k::bigint, v_ok::bigint;
END $f$;
SELECT is((SELECT (n, good)::text FROM pg_temp.mpesa_orderings()), '(6,6)',
          'M-Pesa: in each of the 6 orders only our query''s answer pays, once');

SELECT tests.as_user('wh-payer');
SELECT throws_like($$SELECT * FROM api.webhook_events()$$, 'IDENTITY_PERMISSION_DENIED:%', 'a user lists no webhook events');
SELECT tests.as_user('wh-admin');
SELECT ok((SELECT bool_and(processing_state = 'QUARANTINED') AND count(*) >= 5 FROM api.webhook_events('quarantined', 'mpesa', 1000)),
          'the payments admin lists the quarantined events to review');
SELECT tests.as_owner();
SELECT is((SELECT count(*)::int FROM payments.webhook_event WHERE processing_state = 'RECEIVED'), 0,
          'every event ends with a processing state');
SELECT is((SELECT count(*)::int FROM ledger.check() WHERE NOT ok), 0, 'ledger.check() passes');

SELECT * FROM finish();
ROLLBACK;
