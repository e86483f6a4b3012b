-- Deploy mercato:functions/payments/webhooks to pg
-- Inbound webhooks of the rails (docs/payments.md, "Rails and webhooks"). payments.ingest_webhook stores the raw body
-- first, then, in a subtransaction whose failure is recorded on the stored row instead of rolling it back:
-- authenticates (signed rails: HMAC-SHA256 over "<timestamp>.<raw body>", compared in constant time, with a timestamp
-- tolerance; unsigned rails: the secret path token and a source address in the allowlist), parses the provider's
-- shape, deduplicates on (provider, provider's id), and applies it through the instruction's state machine. An
-- unsigned rail's callback never moves money: it asks the rail's status query, and only a result answering OUR query
-- id, with the amount and our account, settles the instruction. The sender reports the provider's synchronous answer
-- (payments.rail_acknowledge): an accepted STK push is not a payment.
-- Longer than a few hundred lines: authentication, parsing and the state machine are one path, read top to bottom.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.header(p_headers jsonb, p_name text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE
PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- PL/pgSQL, not SQL: a SQL function with SET is never inlined and would plan its query at every call
    RETURN (SELECT h.value FROM jsonb_each_text(CASE jsonb_typeof(p_headers) WHEN 'object' THEN p_headers ELSE '{}' END) h
             WHERE lower(h.key) = lower(p_name) ORDER BY h.key LIMIT 1);
END
$$;
COMMENT ON FUNCTION payments.header(jsonb, text) IS
'Internal: a header''s value from the headers object, the name compared case-insensitively (HTTP); NULL if absent.';

CREATE OR REPLACE FUNCTION payments.settle_instruction(p_instruction_id bigint, p_outcome text, p_code text, p_desc text)
RETURNS text[]
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ins    payments.rail_instruction;
    v_reason text;
BEGIN
    SELECT * INTO v_ins FROM payments.rail_instruction WHERE id = p_instruction_id FOR UPDATE;
    IF v_ins.state IN ('SUCCEEDED', 'FAILED', 'REVIEW') THEN   -- a final state never moves
        IF v_ins.state = p_outcome THEN
            RETURN ARRAY['IGNORED', format('instruction %s is already %s', p_instruction_id, v_ins.state)];
        END IF;
        RETURN ARRAY['QUARANTINED', format('contradiction: instruction %s is %s, the rail now says %s',
                                           p_instruction_id, v_ins.state, p_outcome)];
    END IF;
    UPDATE payments.rail_instruction
       SET state = p_outcome, result_code = left(p_code, 64), result_desc = left(p_desc, 500),
           review_reason = CASE WHEN p_outcome = 'REVIEW' THEN left(p_desc, 500) END,
           answered_at = coalesce(answered_at, now()), final_at = now()
     WHERE id = p_instruction_id;
    v_reason := CASE v_ins.subject_type || ':' || p_outcome
        WHEN 'FUNDING:SUCCEEDED' THEN payments.complete_funding(v_ins.subject_id)
        WHEN 'FUNDING:FAILED' THEN payments.finish_funding(v_ins.subject_id, 'FAILED', p_code, p_desc)
        WHEN 'FUNDING:REVIEW' THEN payments.finish_funding(v_ins.subject_id, 'FLAGGED', p_code, p_desc)
        WHEN 'WITHDRAWAL:SUCCEEDED' THEN payments.complete_withdrawal(v_ins.subject_id)
        WHEN 'WITHDRAWAL:FAILED' THEN payments.finish_withdrawal(v_ins.subject_id, 'FAILED', p_code, p_desc)
        WHEN 'WITHDRAWAL:REVIEW' THEN payments.finish_withdrawal(v_ins.subject_id, 'FLAGGED', p_code, p_desc)
    END;
    IF v_reason IS NOT NULL THEN
        UPDATE payments.rail_instruction SET review_reason = left(v_reason, 500) WHERE id = p_instruction_id;
        RETURN ARRAY['QUARANTINED', v_reason];
    ELSIF p_outcome = 'REVIEW' THEN
        RETURN ARRAY['QUARANTINED', p_desc];
    END IF;
    RETURN ARRAY['PROCESSED', NULL];
END
$$;
COMMENT ON FUNCTION payments.settle_instruction(bigint, text, text, text) IS
'Internal, the state machine''s last step: an instruction not yet final becomes p_outcome (SUCCEEDED, FAILED or
REVIEW) and its subject follows (a funding session completed, failed or flagged; a withdrawal captured, released or
flagged). A final instruction never moves: the same outcome again is IGNORED (never applied twice), another one is a
contradiction, QUARANTINED. Returns {processing state, reason}. Locks the instruction, then its subject.';

CREATE OR REPLACE FUNCTION payments.authenticate_webhook(p_rail payments.rail, p_headers jsonb, p_body text,
                                                         p_source inet)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ts    text := payments.header(p_headers, 'x-mercato-timestamp');
    v_sig   text := lower(regexp_replace(coalesce(payments.header(p_headers, 'x-mercato-signature'), ''), '^sha256=', '', 'i'));
    v_token text := payments.header(p_headers, 'x-mercato-path-token');
    v_given bytea;
    v_key   bytea := public.gen_random_bytes(32);
    v_ok    boolean := false;
    v_s     bytea;
BEGIN
    IF p_rail.kind = 'SIGNED' THEN
        IF v_ts !~ '^[0-9]{1,12}$' OR v_sig !~ '^[0-9a-f]{64}$' THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_UNAUTHENTICATED',
                               'a signed rail''s call needs x-mercato-timestamp (unix seconds) and x-mercato-signature (hex HMAC-SHA256)');
        END IF;
        v_given := decode(v_sig, 'hex');
        -- Constant time: each candidate and the given signature are compared as HMACs under a fresh random key, so
        -- how long the comparison takes says nothing about how many leading bytes matched.
        FOR v_s IN SELECT s.secret FROM payments.rail_secret s
                    WHERE s.rail_code = p_rail.code AND s.kind = 'HMAC' AND s.retired_at IS NULL ORDER BY s.id LOOP
            v_ok := v_ok OR public.hmac(public.hmac(convert_to(v_ts || '.' || p_body, 'UTF8'), v_s, 'sha256'), v_key, 'sha256')
                            = public.hmac(v_given, v_key, 'sha256');
        END LOOP;
        IF NOT v_ok THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_UNAUTHENTICATED', format('the signature does not verify for rail %s', p_rail.code));
        ELSIF abs(extract(epoch FROM now()) - v_ts::numeric) > p_rail.timestamp_tolerance_seconds THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_REPLAYED',
                               format('timestamp %s is more than %s s from now', v_ts, p_rail.timestamp_tolerance_seconds));
        END IF;
    ELSE
        IF v_token IS NULL OR NOT EXISTS (SELECT FROM payments.rail_secret s
                                           WHERE s.rail_code = p_rail.code AND s.kind = 'PATH_TOKEN' AND s.retired_at IS NULL
                                             AND s.token_hash = public.digest(v_token, 'sha256')) THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_UNAUTHENTICATED', format('no valid path token for rail %s', p_rail.code));
        ELSIF p_source IS NULL OR NOT p_source <<= ANY (p_rail.source_allowlist) THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_UNAUTHENTICATED',
                               format('source address %s is not allowed for rail %s', coalesce(host(p_source), '(none)'), p_rail.code));
        END IF;
    END IF;
END
$$;
COMMENT ON FUNCTION payments.authenticate_webhook(payments.rail, jsonb, text, inet) IS
'Internal: refuse an unauthenticated call. Signed rail: x-mercato-signature (hex, optionally "sha256=") must equal
HMAC-SHA256(key, x-mercato-timestamp || "." || raw body) for one of the rail''s live keys (compared in constant time:
both sides HMACed again under a fresh random key), then the timestamp must lie within the rail''s tolerance of now
(replay). Unsigned rail: x-mercato-path-token must hash to the rail''s live path token and the source address
(x-mercato-source-address) lie in its allowlist. Errors: PAYMENTS_WEBHOOK_UNAUTHENTICATED, PAYMENTS_WEBHOOK_REPLAYED.';

CREATE OR REPLACE FUNCTION payments.parse_webhook(p_rail payments.rail, p_headers jsonb, p_body text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_doc    jsonb;
    v_r      jsonb;
    v_params jsonb;
    v_p      jsonb;
    v_kind   text;
BEGIN
    BEGIN
        v_doc := p_body::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN
        PERFORM core.raise('PAYMENTS_WEBHOOK_MALFORMED', 'the body is not JSON');
    END;
    IF jsonb_typeof(v_doc) IS DISTINCT FROM 'object' THEN
        PERFORM core.raise('PAYMENTS_WEBHOOK_MALFORMED', 'the body is not a JSON object');
    END IF;
    IF p_rail.kind = 'SIGNED' THEN          -- Mercato's own format (the banks)
        IF jsonb_typeof(v_doc -> 'event_id') IS DISTINCT FROM 'string' OR jsonb_typeof(v_doc -> 'reference') IS DISTINCT FROM 'string'
           OR (v_doc ->> 'status') IS DISTINCT FROM 'SUCCEEDED' AND (v_doc ->> 'status') IS DISTINCT FROM 'FAILED'
              AND (v_doc ->> 'status') IS DISTINCT FROM 'PENDING' THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_MALFORMED', 'a bank callback has event_id, reference and status SUCCEEDED, FAILED or PENDING');
        END IF;
        RETURN jsonb_build_object('kind', 'BANK_CALLBACK', 'provider_id', v_doc ->> 'event_id',
            'reference', v_doc ->> 'reference', 'status', v_doc ->> 'status', 'result_code', coalesce(v_doc ->> 'reason_code', v_doc ->> 'status'),
            'result_desc', v_doc ->> 'reason', 'amount', v_doc ->> 'amount', 'currency', v_doc ->> 'currency',
            'account', v_doc ->> 'account', 'transaction_id', v_doc ->> 'transaction_id');
    END IF;
    -- M-Pesa Daraja
    IF v_doc ? 'Body' THEN                   -- STK push callback
        v_r := v_doc -> 'Body' -> 'stkCallback';
        IF jsonb_typeof(v_r -> 'CheckoutRequestID') IS DISTINCT FROM 'string' OR (v_r ->> 'ResultCode') IS NULL THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_MALFORMED', 'Body.stkCallback needs CheckoutRequestID and ResultCode');
        END IF;
        SELECT jsonb_object_agg(i ->> 'Name', i -> 'Value') INTO v_params
          FROM jsonb_array_elements(CASE jsonb_typeof(v_r -> 'CallbackMetadata' -> 'Item') WHEN 'array'
                                         THEN v_r -> 'CallbackMetadata' -> 'Item' ELSE '[]' END) i;
        -- The masked or clear PhoneNumber is never read: customers are not matched by phone number.
        RETURN jsonb_build_object('kind', 'STK_CALLBACK', 'provider_id', v_r ->> 'CheckoutRequestID',
            'merchant_request_id', v_r ->> 'MerchantRequestID', 'result_code', v_r ->> 'ResultCode',
            'result_desc', v_r ->> 'ResultDesc', 'amount', v_params ->> 'Amount',
            'transaction_id', v_params ->> 'MpesaReceiptNumber');
    ELSIF v_doc ? 'Result' THEN              -- B2C result, queue time-out, or Transaction Status result
        v_r := v_doc -> 'Result';
        IF jsonb_typeof(v_r -> 'ConversationID') IS DISTINCT FROM 'string'
           OR jsonb_typeof(v_r -> 'OriginatorConversationID') IS DISTINCT FROM 'string' OR (v_r ->> 'ResultCode') IS NULL THEN
            PERFORM core.raise('PAYMENTS_WEBHOOK_MALFORMED', 'Result needs ConversationID, OriginatorConversationID and ResultCode');
        END IF;
        SELECT jsonb_object_agg(i ->> 'Key', i -> 'Value') INTO v_p
          FROM jsonb_array_elements(CASE jsonb_typeof(v_r -> 'ResultParameters' -> 'ResultParameter') WHEN 'array'
                                         THEN v_r -> 'ResultParameters' -> 'ResultParameter' ELSE '[]' END) i;
        v_kind := CASE WHEN EXISTS (SELECT FROM payments.rail_status_query q
                                     WHERE q.originator_conversation_id = v_r ->> 'OriginatorConversationID') THEN 'STATUS_RESULT'
                       WHEN lower(coalesce(payments.header(p_headers, 'x-mercato-callback'), '')) IN ('b2c-timeout', 'timeout')
                       THEN 'PAYOUT_TIMEOUT'
                       ELSE 'PAYOUT_RESULT' END;
        RETURN jsonb_build_object('kind', v_kind, 'provider_id', v_r ->> 'ConversationID',
            'reference', v_r ->> 'OriginatorConversationID', 'result_code', v_r ->> 'ResultCode',
            'result_desc', v_r ->> 'ResultDesc', 'transaction_id', coalesce(v_r ->> 'TransactionID', v_p ->> 'ReceiptNo'),
            'params', coalesce(v_p, '{}'));
    END IF;
    PERFORM core.raise('PAYMENTS_WEBHOOK_MALFORMED', 'neither Body.stkCallback nor Result');
END
$$;
COMMENT ON FUNCTION payments.parse_webhook(payments.rail, jsonb, text) IS
'Internal: what a rail''s call says, normalized: kind (STK_CALLBACK: Daraja''s Body.stkCallback; PAYOUT_RESULT /
PAYOUT_TIMEOUT: Daraja''s B2C Result, on ResultURL or, with x-mercato-callback: b2c-timeout, QueueTimeOutURL;
STATUS_RESULT: a Transaction Status Result answering one of our queries; BANK_CALLBACK: a bank''s signed callback),
the provider''s id (CheckoutRequestID, ConversationID, event_id), our reference (OriginatorConversationID, reference),
result code and description, amount, transaction id (MpesaReceiptNumber, TransactionID), ResultParameters. The
PhoneNumber of a callback is never read. Errors: PAYMENTS_WEBHOOK_MALFORMED.';

CREATE OR REPLACE FUNCTION payments.status_outcome(p_ins payments.rail_instruction, p_rail payments.rail, p_parsed jsonb,
                                                   OUT outcome text, OUT code text, OUT reason text)
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_p      jsonb := coalesce(p_parsed -> 'params', '{}');
    v_status text := v_p ->> 'TransactionStatus';
    v_amount text := v_p ->> 'Amount';
    v_party  text := CASE p_ins.direction WHEN 'COLLECT' THEN v_p ->> 'CreditPartyName' ELSE v_p ->> 'DebitPartyName' END;
BEGIN
    code := coalesce(v_p ->> 'ReasonCode', p_parsed ->> 'result_code');
    IF p_parsed ->> 'result_code' IS DISTINCT FROM '0' THEN
        outcome := 'PENDING';
        reason := format('the status query itself failed (%s): asked again later', p_parsed ->> 'result_code');
    ELSIF v_status = 'Completed' THEN
        IF v_amount !~ '^[0-9]{1,12}(\.[0-9]{1,4})?$' OR v_amount::numeric <> p_ins.amount THEN
            outcome := 'REVIEW';
            reason := format('amount mismatch: the rail confirmed %s, the instruction is for %s', v_amount, p_ins.amount);
        ELSIF split_part(coalesce(v_party, ''), ' ', 1) IS DISTINCT FROM p_rail.shortcode THEN
            outcome := 'REVIEW';
            reason := format('account mismatch: the rail confirmed %s, ours is %s', v_party, p_rail.shortcode);
        ELSE
            outcome := 'SUCCEEDED';
            code := '0';
            reason := 'confirmed by the status query';
        END IF;
    ELSIF v_status IN ('Failed', 'Cancelled', 'Expired', 'Reversed') THEN
        outcome := 'FAILED';
        reason := coalesce(v_p ->> 'ReasonDescription', v_status);
    ELSE
        outcome := 'PENDING';
        reason := format('transaction status %s: asked again later', coalesce(v_status, '(none)'));
    END IF;
END
$$;
COMMENT ON FUNCTION payments.status_outcome(payments.rail_instruction, payments.rail, jsonb) IS
'Internal: what a Transaction Status result means for an instruction. SUCCEEDED only for TransactionStatus Completed
with exactly the instruction''s Amount and our shortcode as the party on our side (CreditPartyName of a collection,
DebitPartyName of a payout); Completed with another amount or account is REVIEW (flagged, not credited); Failed,
Cancelled, Expired, Reversed are FAILED (ReasonCode: 1032 cancelled by the user, 1037 timed out, 1 insufficient
funds…); anything else, or a failed query, is PENDING (asked again by the sweeper).';

CREATE OR REPLACE FUNCTION payments.apply_webhook(p_event_id bigint, p_rail payments.rail, p_parsed jsonb)
RETURNS text[]
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_kind  text := p_parsed ->> 'kind';
    v_ins   payments.rail_instruction;
    v_q     payments.rail_status_query;
    v_o     record;
    v_claim text;
BEGIN
    IF v_kind = 'STATUS_RESULT' THEN
        SELECT * INTO v_q FROM payments.rail_status_query
         WHERE originator_conversation_id = p_parsed ->> 'reference' FOR UPDATE;
        SELECT * INTO v_ins FROM payments.rail_instruction WHERE id = v_q.instruction_id FOR UPDATE;
        UPDATE payments.webhook_event SET instruction_id = v_ins.id WHERE id = p_event_id;
        IF v_q.state = 'ANSWERED' THEN
            RETURN ARRAY['QUARANTINED', format('status query %s was already answered (%s): contradiction',
                                               v_q.originator_conversation_id, v_q.outcome)];
        END IF;
        v_o := payments.status_outcome(v_ins, p_rail, p_parsed);
        UPDATE payments.rail_status_query SET state = 'ANSWERED', outcome = v_o.outcome, answered_at = now() WHERE id = v_q.id;
        IF v_o.outcome = 'PENDING' THEN
            RETURN ARRAY['PROCESSED', v_o.reason];
        END IF;
        UPDATE payments.rail_instruction
           SET provider_transaction_id = coalesce(provider_transaction_id, left(p_parsed ->> 'transaction_id', 128))
         WHERE id = v_ins.id;
        RETURN payments.settle_instruction(v_ins.id, v_o.outcome, v_o.code, v_o.reason);
    END IF;

    IF v_kind = 'STK_CALLBACK' THEN
        SELECT * INTO v_ins FROM payments.rail_instruction
         WHERE rail_code = p_rail.code AND provider_ref = p_parsed ->> 'provider_id' FOR UPDATE;
    ELSE   -- payouts and bank callbacks name our own reference
        SELECT * INTO v_ins FROM payments.rail_instruction
         WHERE reference = p_parsed ->> 'reference' AND rail_code = p_rail.code FOR UPDATE;
    END IF;
    IF NOT FOUND THEN
        RETURN ARRAY['QUARANTINED', format('unknown reference %s',
                                           coalesce(p_parsed ->> 'reference', p_parsed ->> 'provider_id'))];
    END IF;
    UPDATE payments.webhook_event SET instruction_id = v_ins.id WHERE id = p_event_id;

    IF p_rail.kind = 'SIGNED' THEN           -- a signed bank callback is the answer itself
        IF p_parsed ->> 'status' = 'PENDING' THEN
            RETURN ARRAY['PROCESSED', 'the bank says pending'];
        ELSIF p_parsed ->> 'status' = 'FAILED' THEN
            RETURN payments.settle_instruction(v_ins.id, 'FAILED', p_parsed ->> 'result_code', p_parsed ->> 'result_desc');
        ELSIF (p_parsed ->> 'amount') !~ '^[0-9]{1,12}(\.[0-9]{1,4})?$' OR (p_parsed ->> 'amount')::numeric <> v_ins.amount
              OR (p_parsed ->> 'currency') IS DISTINCT FROM v_ins.currency::text THEN
            RETURN payments.settle_instruction(v_ins.id, 'REVIEW', 'AMOUNT_MISMATCH',
                format('amount mismatch: the bank confirmed %s %s, the instruction is for %s %s',
                       p_parsed ->> 'amount', p_parsed ->> 'currency', v_ins.amount, v_ins.currency));
        ELSIF (p_parsed ->> 'account') IS DISTINCT FROM v_ins.account THEN
            RETURN payments.settle_instruction(v_ins.id, 'REVIEW', 'ACCOUNT_MISMATCH',
                format('account mismatch: the bank confirmed %s, the instruction is for %s', p_parsed ->> 'account', v_ins.account));
        END IF;
        UPDATE payments.rail_instruction
           SET provider_transaction_id = coalesce(provider_transaction_id, left(p_parsed ->> 'transaction_id', 128))
         WHERE id = v_ins.id;
        RETURN payments.settle_instruction(v_ins.id, 'SUCCEEDED', '0', 'confirmed by the bank''s signed callback');
    END IF;

    -- An unsigned callback (STK result, B2C result or time-out) is a claim, never money: it asks the status query.
    v_claim := CASE WHEN v_kind = 'PAYOUT_TIMEOUT' THEN NULL
                    WHEN p_parsed ->> 'result_code' = '0' THEN 'SUCCEEDED' ELSE 'FAILED' END;
    IF v_ins.state IN ('SUCCEEDED', 'FAILED', 'REVIEW') THEN
        IF v_claim IS NULL OR v_claim = v_ins.state THEN
            RETURN ARRAY['IGNORED', format('instruction %s is already %s', v_ins.id, v_ins.state)];
        END IF;
        RETURN ARRAY['QUARANTINED', format('contradiction: instruction %s is %s, the callback says %s',
                                           v_ins.id, v_ins.state, v_claim)];
    END IF;
    UPDATE payments.rail_instruction
       SET state = 'AWAITING_CONFIRMATION', answered_at = coalesce(answered_at, now()),
           provider_transaction_id = coalesce(provider_transaction_id, left(p_parsed ->> 'transaction_id', 128)),
           provider_ref = coalesce(provider_ref, left(p_parsed ->> 'provider_id', 128))
     WHERE id = v_ins.id;
    IF NOT EXISTS (SELECT FROM payments.rail_status_query q WHERE q.instruction_id = v_ins.id AND q.state = 'SENT') THEN
        PERFORM payments.send_status_query(v_ins.id, 'CALLBACK');
    END IF;
    RETURN ARRAY['PROCESSED', format('awaiting confirmation by the status query (the callback says %s)',
                                     coalesce(v_claim, 'time-out'))];
END
$$;
COMMENT ON FUNCTION payments.apply_webhook(bigint, payments.rail, jsonb) IS
'Internal: apply an authenticated, parsed, first-seen event. A Transaction Status result answering one of our queries
settles its instruction (payments.status_outcome, payments.settle_instruction); a second, different answer to the same
query is a contradiction, QUARANTINED. A signed bank callback settles directly once amount, currency and account
match (else REVIEW: flagged, nothing credited). An unsigned callback never settles: the instruction becomes
AWAITING_CONFIRMATION and a status query goes out (one at a time); on a final instruction it is IGNORED when it agrees
(or is a time-out) and QUARANTINED when it contradicts. An unknown reference is QUARANTINED. Returns {state, reason}.
Locks the status query, then the instruction, then its subject.';

CREATE OR REPLACE FUNCTION payments.ingest_webhook(p_provider text, p_headers jsonb, p_body text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_event   bigint;
    v_source  inet;
    v_rail    payments.rail;
    v_parsed  jsonb;
    v_key     text;
    v_first   bigint;
    v_result  text[];
    v_state   text;
    v_message text;
    v_code    text;
BEGIN
    PERFORM identity.require_service('api.ingest_webhook');
    BEGIN
        v_source := payments.header(p_headers, 'x-mercato-source-address')::inet;
    EXCEPTION WHEN invalid_text_representation THEN
        v_source := NULL;
    END;
    -- The raw body first: whatever follows, the call is kept (the path token is not).
    INSERT INTO payments.webhook_event (provider, source_address, headers, body)
    VALUES (left(coalesce(p_provider, '?'), 64), v_source,
            (SELECT coalesce(jsonb_object_agg(h.key, h.value), '{}') FROM jsonb_each(
                 CASE jsonb_typeof(p_headers) WHEN 'object' THEN p_headers ELSE '{}' END) h
              WHERE lower(h.key) <> 'x-mercato-path-token'),
            coalesce(p_body, ''))
    RETURNING id INTO v_event;
    BEGIN
        SELECT * INTO v_rail FROM payments.rail WHERE code = upper(p_provider);
        IF NOT FOUND THEN
            PERFORM core.raise('PAYMENTS_UNKNOWN_RAIL', format('no rail %s', p_provider));
        END IF;
        PERFORM payments.authenticate_webhook(v_rail, p_headers, coalesce(p_body, ''), v_source);
        v_parsed := payments.parse_webhook(v_rail, p_headers, p_body);
        v_key := left(format('%s:%s:%s', v_parsed ->> 'kind', v_parsed ->> 'provider_id',
                             coalesce(v_parsed ->> 'status', v_parsed ->> 'result_code')), 300);
        UPDATE payments.webhook_event SET event_kind = v_parsed ->> 'kind', dedupe_key = v_key, parsed = v_parsed
         WHERE id = v_event;
        -- Dedupe: a concurrent delivery of the same event waits here for the first one's transaction.
        INSERT INTO payments.webhook_dedupe (provider, dedupe_key, event_id) VALUES (v_rail.code, v_key, v_event)
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN
            SELECT d.event_id INTO v_first FROM payments.webhook_dedupe d WHERE d.provider = v_rail.code AND d.dedupe_key = v_key;
            v_result := ARRAY['DUPLICATE', format('a duplicate of event %s', v_first)];
        ELSE
            v_result := payments.apply_webhook(v_event, v_rail, v_parsed);
        END IF;
        UPDATE payments.webhook_event
           SET processing_state = v_result[1], duplicate_of = v_first,
               error_code = CASE WHEN v_result[1] = 'QUARANTINED' THEN 'QUARANTINED' END, error = v_result[2],
               processed_at = clock_timestamp()
         WHERE id = v_event;
        RETURN jsonb_build_object('event_id', v_event, 'state', v_result[1], 'detail', v_result[2], 'http_status', 200);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT;
        v_code := CASE WHEN v_state LIKE 'PT%' THEN split_part(v_message, ':', 1) ELSE v_state END;
        UPDATE payments.webhook_event
           SET processing_state = CASE WHEN v_state LIKE 'PT4%' THEN 'REFUSED' ELSE 'FAILED' END,
               error_code = left(v_code, 64), error = left(v_message, 1000), processed_at = clock_timestamp()
         WHERE id = v_event;
        RETURN jsonb_build_object('event_id', v_event, 'state', CASE WHEN v_state LIKE 'PT4%' THEN 'REFUSED' ELSE 'FAILED' END,
                                  'error_code', v_code, 'detail', v_message,
                                  'http_status', CASE WHEN v_state LIKE 'PT%' THEN substr(v_state, 3)::integer ELSE 500 END);
    END;
END
$$;
COMMENT ON FUNCTION payments.ingest_webhook(text, jsonb, text) IS
'Receive one call of a rail (the HTTP edge, as the back office, passes the provider''s code, the request headers and
the raw body): the raw body is stored first (payments.webhook_event), then in a subtransaction the call is
authenticated (signed rails: x-mercato-timestamp and x-mercato-signature; unsigned rails: x-mercato-path-token and
x-mercato-source-address, which the edge sets from the URL path and the peer address), parsed, deduplicated on
(provider, provider''s id) and applied through the instruction''s state machine. A refusal or failure is recorded on
the stored event with its code, never rolled back with it. Returns {event_id, state (PROCESSED, IGNORED, DUPLICATE,
QUARANTINED, REFUSED, FAILED), detail, error_code, http_status (the answer for the provider: 200 once the event is
kept and judged, 4xx refused, 500 failed: worth a retry)}. Errors: IDENTITY_PERMISSION_DENIED (not the back office).
Assumes READ COMMITTED; a concurrent delivery of the same event waits for the first and is DUPLICATE.';

CREATE OR REPLACE FUNCTION payments.rail_acknowledge(p_message_id bigint, p_lease uuid, p_response_text text)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ins    payments.rail_instruction;
    v_rail   payments.rail;
    v_code   text;
    v_result text[];
    p_response jsonb;
BEGIN
    PERFORM outbox.require_sender();
    BEGIN
        p_response := p_response_text::jsonb;
    EXCEPTION WHEN invalid_text_representation THEN
        p_response := NULL;
    END;
    IF jsonb_typeof(p_response) IS DISTINCT FROM 'object' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'the provider''s response must be a JSON object');
    END IF;
    PERFORM outbox.report_sent(p_message_id, p_lease);
    SELECT * INTO v_ins FROM payments.rail_instruction WHERE message_id = p_message_id FOR UPDATE;
    IF NOT FOUND THEN          -- a status query (or another RAIL message): being sent is all there is to record
        RETURN jsonb_build_object('message_id', p_message_id, 'instruction_id', NULL, 'state', NULL);
    END IF;
    SELECT * INTO v_rail FROM payments.rail WHERE code = v_ins.rail_code;
    v_code := CASE v_rail.kind WHEN 'UNSIGNED' THEN p_response ->> 'ResponseCode'
                               ELSE CASE WHEN p_response ->> 'accepted' = 'true' THEN '0' ELSE coalesce(p_response ->> 'reason_code', 'REFUSED') END END;
    IF v_code = '0' THEN   -- accepted by the provider: not a payment
        UPDATE payments.rail_instruction
           SET state = CASE WHEN state = 'SENT' THEN 'ACCEPTED' ELSE state END,
               provider_request_id = coalesce(provider_request_id, left(p_response ->> 'MerchantRequestID', 128)),
               provider_ref = coalesce(provider_ref, left(coalesce(p_response ->> 'CheckoutRequestID',
                                                                   p_response ->> 'ConversationID',
                                                                   p_response ->> 'bank_reference'), 128))
         WHERE id = v_ins.id
        RETURNING * INTO v_ins;
        RETURN jsonb_build_object('message_id', p_message_id, 'instruction_id', v_ins.id, 'state', v_ins.state);
    END IF;
    -- The provider refused the request itself (its synchronous answer, over our own connection): nothing moved.
    v_result := payments.settle_instruction(v_ins.id, 'FAILED', coalesce(v_code, 'NO_RESPONSE_CODE'),
                                            coalesce(p_response ->> 'ResponseDescription', p_response ->> 'reason',
                                                     'refused by the provider'));
    RETURN jsonb_build_object('message_id', p_message_id, 'instruction_id', v_ins.id,
                              'state', (SELECT i.state FROM payments.rail_instruction i WHERE i.id = v_ins.id),
                              'detail', v_result[2]);
END
$$;
COMMENT ON FUNCTION payments.rail_acknowledge(bigint, uuid, text) IS
'The rail adapter (an outbox sender) reports the provider''s synchronous answer (its JSON body as text) to a RAIL
message it holds under its lease: the message becomes SENT (outbox.report_sent) and the instruction records the provider''s ids
(MerchantRequestID, CheckoutRequestID of an STK push; ConversationID of a B2C payment; bank_reference). ResponseCode 0
(or a bank''s accepted: true) makes it ACCEPTED, which is not a payment: only a confirmed result moves money. Any other
answer is the provider refusing the request: the instruction FAILED and its subject with it (the session failed, the
withdrawal''s hold released). Errors: OUTBOX_NOT_SENDER, OUTBOX_LEASE_LOST, PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.webhook_events(p_state text DEFAULT NULL, p_provider text DEFAULT NULL,
                                                   p_limit integer DEFAULT 100)
RETURNS TABLE (id bigint, provider text, received_at timestamptz, source_address text, event_kind text,
               processing_state text, error_code text, error text, instruction_id bigint, duplicate_of bigint,
               dedupe_key text, body text)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM identity.require_permission('payments.manage');
    IF (p_limit BETWEEN 1 AND 1000) IS NOT TRUE THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'limit must be 1 to 1,000');
    END IF;
    RETURN QUERY
    SELECT e.id, e.provider, e.received_at, host(e.source_address), e.event_kind, e.processing_state, e.error_code,
           e.error, e.instruction_id, e.duplicate_of, e.dedupe_key, e.body
      FROM payments.webhook_event e
     WHERE (p_state IS NULL OR e.processing_state = upper(p_state)) AND (p_provider IS NULL OR e.provider = upper(p_provider))
     ORDER BY e.id DESC
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION payments.webhook_events(text, text, integer) IS
'The latest webhook events (newest first, at most p_limit, 1 to 1,000), optionally of one processing state
(QUARANTINED: the ones to review) and provider: kind, state, error code and text, the instruction, the event it
duplicates, the dedupe key and the raw body (never the headers). For payments administrators and the back office.
Errors: IDENTITY_PERMISSION_DENIED, PAYMENTS_INVALID_INPUT.';

REVOKE ALL ON FUNCTION payments.header(jsonb, text), payments.settle_instruction(bigint, text, text, text),
    payments.authenticate_webhook(payments.rail, jsonb, text, inet), payments.parse_webhook(payments.rail, jsonb, text),
    payments.status_outcome(payments.rail_instruction, payments.rail, jsonb),
    payments.apply_webhook(bigint, payments.rail, jsonb), payments.ingest_webhook(text, jsonb, text),
    payments.rail_acknowledge(bigint, uuid, text), payments.webhook_events(text, text, integer) FROM PUBLIC;

COMMIT;
