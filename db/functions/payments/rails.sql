-- Deploy mercato:functions/payments/rails to pg
-- Rails (docs/payments.md, "Rails and webhooks"): the back office configures a rail and its secrets (an HMAC key of a
-- signed rail, rotated with two live keys; the path token of an unsigned rail, returned once and stored hashed);
-- instructions and status queries go to a rail through the outbox (channel RAIL) in the shapes of the real providers
-- (M-Pesa Daraja: STK push, B2C with ResultURL and QueueTimeOutURL, Transaction Status; banks: Mercato's own format).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.set_rail(
    p_code                        text,
    p_kind                        text DEFAULT NULL,
    p_name                        text DEFAULT NULL,
    p_status                      text DEFAULT NULL,
    p_shortcode                   text DEFAULT NULL,
    p_answer_timeout_seconds      integer DEFAULT NULL,
    p_timestamp_tolerance_seconds integer DEFAULT NULL,
    p_source_allowlist            text[] DEFAULT NULL,
    p_currency                    text DEFAULT 'KES')
RETURNS payments.rail
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rail  payments.rail;
    v_cidrs cidr[];
BEGIN
    PERFORM identity.require_permission('payments.manage');
    IF p_code IS NULL OR p_code !~ '^[A-Z][A-Z0-9_]{1,31}$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'code must be 2 to 32 of A-Z, 0-9 and _ (e.g. MPESA)');
    ELSIF p_kind IS NOT NULL AND p_kind NOT IN ('SIGNED', 'UNSIGNED') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'kind must be SIGNED or UNSIGNED');
    ELSIF p_status IS NOT NULL AND p_status NOT IN ('ACTIVE', 'DISABLED') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'status must be ACTIVE or DISABLED');
    ELSIF p_name IS NOT NULL AND length(p_name) NOT BETWEEN 1 AND 100 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'name must be 1 to 100 characters');
    ELSIF p_shortcode IS NOT NULL AND p_shortcode !~ '^[A-Za-z0-9_-]{0,32}$' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'shortcode must be at most 32 of A-Z, a-z, 0-9, _ and -');
    ELSIF p_answer_timeout_seconds IS NOT NULL AND p_answer_timeout_seconds NOT BETWEEN 5 AND 86400 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'answer_timeout_seconds must be 5 to 86,400');
    ELSIF p_timestamp_tolerance_seconds IS NOT NULL AND p_timestamp_tolerance_seconds NOT BETWEEN 1 AND 3600 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'timestamp_tolerance_seconds must be 1 to 3,600');
    ELSIF cardinality(p_source_allowlist) > 64 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'source_allowlist holds at most 64 networks');
    END IF;
    BEGIN
        v_cidrs := p_source_allowlist::cidr[];
    EXCEPTION WHEN invalid_text_representation OR invalid_binary_representation THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'source_allowlist must be networks such as 196.201.214.0/24');
    END;
    IF array_position(v_cidrs, NULL) IS NOT NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'source_allowlist holds no null');
    END IF;
    SELECT * INTO v_rail FROM payments.rail WHERE code = p_code FOR UPDATE;
    IF NOT FOUND THEN
        IF p_kind IS NULL OR p_name IS NULL THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'a new rail needs its kind and name');
        END IF;
        INSERT INTO payments.rail (code, name, kind, currency, clearing_account_id, status, shortcode,
                                   answer_timeout_seconds, timestamp_tolerance_seconds, source_allowlist)
        VALUES (p_code, p_name, p_kind, p_currency,
                ledger.open_account('RAIL', p_code, 'CLEARING', p_currency, true, p_slots => 16), coalesce(p_status, 'DISABLED'),
                coalesce(p_shortcode, ''), coalesce(p_answer_timeout_seconds, 120),
                coalesce(p_timestamp_tolerance_seconds, 300), coalesce(v_cidrs, '{}'))
        RETURNING * INTO v_rail;
        RETURN v_rail;
    ELSIF p_kind IS NOT NULL AND p_kind <> v_rail.kind THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('rail %s is %s; its kind never changes', p_code, v_rail.kind));
    END IF;
    UPDATE payments.rail
       SET name = coalesce(p_name, name), status = coalesce(p_status, status), shortcode = coalesce(p_shortcode, shortcode),
           answer_timeout_seconds = coalesce(p_answer_timeout_seconds, answer_timeout_seconds),
           timestamp_tolerance_seconds = coalesce(p_timestamp_tolerance_seconds, timestamp_tolerance_seconds),
           source_allowlist = coalesce(v_cidrs, source_allowlist), updated_at = now()
     WHERE code = p_code
    RETURNING * INTO v_rail;
    RETURN v_rail;
END
$$;
COMMENT ON FUNCTION payments.set_rail(text, text, text, text, text, integer, integer, text[], text) IS
'Configure a rail (payments.manage): a new one (kind SIGNED or UNSIGNED and name needed; its ledger CLEARING account
opened, DISABLED unless p_status says otherwise) or an existing one (each NULL parameter keeps its value; the kind
never changes): name, status ACTIVE/DISABLED, shortcode (the business account a status result must name), the
sweeper''s answer_timeout_seconds, the signed callbacks'' timestamp_tolerance_seconds, the unsigned callbacks''
source_allowlist (networks). Audited. Errors: IDENTITY_PERMISSION_DENIED, PAYMENTS_INVALID_INPUT,
MASTERDATA_UNKNOWN_CURRENCY.';

CREATE OR REPLACE FUNCTION payments.add_rail_hmac_secret(p_code text, p_secret text, p_retire_others boolean DEFAULT false)
RETURNS bigint
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
BEGIN
    PERFORM identity.require_permission('payments.manage');
    PERFORM 1 FROM payments.rail WHERE code = p_code AND kind = 'SIGNED' FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_RAIL', format('no signed rail %s', p_code));
    ELSIF octet_length(convert_to(coalesce(p_secret, ''), 'UTF8')) NOT BETWEEN 32 AND 256 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'an HMAC secret is 32 to 256 bytes');
    END IF;
    -- During a rotation two keys are live: the new one and the newest before it; older ones retire now.
    UPDATE payments.rail_secret SET retired_at = now()
     WHERE rail_code = p_code AND kind = 'HMAC' AND retired_at IS NULL
       AND (p_retire_others OR id < (SELECT max(s.id) FROM payments.rail_secret s
                                      WHERE s.rail_code = p_code AND s.kind = 'HMAC' AND s.retired_at IS NULL));
    INSERT INTO payments.rail_secret (rail_code, kind, secret) VALUES (p_code, 'HMAC', convert_to(p_secret, 'UTF8'))
    RETURNING id INTO v_id;
    PERFORM audit.record('payments', 'payments.rail_secret', v_id::text, 'HMAC_SECRET_ADDED',
                         p_new_values => jsonb_build_object('rail', p_code, 'retire_others', p_retire_others));
    RETURN v_id;
END
$$;
COMMENT ON FUNCTION payments.add_rail_hmac_secret(text, text, boolean) IS
'Add an HMAC-SHA256 key (32 to 256 bytes) to a signed rail (payments.manage); returns its id. Rotation: the new key
and the newest previous one both verify until the next addition (or p_retire_others retires every other key at once).
The key is never readable again. Audited (without the key). Errors: IDENTITY_PERMISSION_DENIED, PAYMENTS_UNKNOWN_RAIL,
PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.new_rail_path_token(p_code text)
RETURNS text
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_token text := translate(encode(public.gen_random_bytes(32), 'base64'), '+/=', '-_');
    v_id    bigint;
BEGIN
    PERFORM identity.require_permission('payments.manage');
    PERFORM 1 FROM payments.rail WHERE code = p_code AND kind = 'UNSIGNED' FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_RAIL', format('no unsigned rail %s', p_code));
    END IF;
    UPDATE payments.rail_secret SET retired_at = now()
     WHERE rail_code = p_code AND kind = 'PATH_TOKEN' AND retired_at IS NULL;
    INSERT INTO payments.rail_secret (rail_code, kind, token_hash)
    VALUES (p_code, 'PATH_TOKEN', public.digest(v_token, 'sha256'))
    RETURNING id INTO v_id;
    PERFORM audit.record('payments', 'payments.rail_secret', v_id::text, 'PATH_TOKEN_ISSUED',
                         p_new_values => jsonb_build_object('rail', p_code));
    RETURN v_token;
END
$$;
COMMENT ON FUNCTION payments.new_rail_path_token(text) IS
'Issue a new secret path token for an unsigned rail (payments.manage) and return it, once: 43 base64url characters
from a cryptographic source. Only its SHA-256 is stored; the previous token stops working. Configure it into the
callback URLs the provider calls (the HTTP edge passes it in the header x-mercato-path-token). Audited (without the
token). Errors: IDENTITY_PERMISSION_DENIED, PAYMENTS_UNKNOWN_RAIL.';

CREATE OR REPLACE FUNCTION payments.rails()
RETURNS TABLE (code text, name text, kind text, currency text, status text, answer_timeout_seconds integer,
               timestamp_tolerance_seconds integer, live_hmac_secrets integer, has_path_token boolean,
               source_allowlist text[])
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_admin boolean := identity.is_service();
BEGIN
    IF NOT v_admin THEN
        v_admin := identity.has_permission((identity.require_user()).user_id, 'payments.manage');
    END IF;
    RETURN QUERY
    SELECT r.code, r.name, r.kind, r.currency::text, r.status,
           CASE WHEN v_admin THEN r.answer_timeout_seconds END, CASE WHEN v_admin THEN r.timestamp_tolerance_seconds END,
           CASE WHEN v_admin THEN (SELECT count(*)::integer FROM payments.rail_secret s
                                    WHERE s.rail_code = r.code AND s.kind = 'HMAC' AND s.retired_at IS NULL) END,
           CASE WHEN v_admin THEN EXISTS (SELECT FROM payments.rail_secret s
                                           WHERE s.rail_code = r.code AND s.kind = 'PATH_TOKEN' AND s.retired_at IS NULL) END,
           CASE WHEN v_admin THEN r.source_allowlist::text[] END
      FROM payments.rail r
     WHERE v_admin OR r.status = 'ACTIVE'
     ORDER BY r.code;
END
$$;
COMMENT ON FUNCTION payments.rails() IS
'The rails: code, name, kind, currency, status. A signed-in user sees the ACTIVE ones; the back office and payments
administrators see all of them with their settings, how many HMAC keys are live and whether a path token is set
(never a secret). Errors: IDENTITY_NOT_AUTHENTICATED.';

CREATE OR REPLACE FUNCTION payments.new_provider_id(p_prefix text)
RETURNS text
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
RETURN p_prefix || '-' || encode(public.gen_random_bytes(16), 'hex');
COMMENT ON FUNCTION payments.new_provider_id(text) IS
'A fresh unguessable id to send a rail (128 random bits, hex, after p_prefix and "-"): an instruction''s reference
(MI-…), a status query''s OriginatorConversationID (MQ-…). Internal.';

CREATE OR REPLACE FUNCTION payments.send_instruction(
    p_rail_code    text,
    p_direction    text,
    p_subject_type text,
    p_subject_id   bigint,
    p_amount       numeric,
    p_account      text)
RETURNS payments.rail_instruction
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rail      payments.rail;
    v_ref       text := payments.new_provider_id('MI');
    v_template  text;
    v_params    jsonb;
    v_message   bigint;
    v_row       payments.rail_instruction;
BEGIN
    SELECT * INTO v_rail FROM payments.rail WHERE code = p_rail_code;
    IF v_rail.kind = 'UNSIGNED' THEN   -- M-Pesa Daraja's shapes
        IF p_direction = 'COLLECT' THEN
            v_template := 'mpesa.stk_push';
            v_params := jsonb_build_object('BusinessShortCode', v_rail.shortcode, 'TransactionType', 'CustomerPayBillOnline',
                'Amount', p_amount::text, 'PartyA', p_account, 'PartyB', v_rail.shortcode, 'PhoneNumber', p_account,
                'CallBackURL', '/webhooks/' || p_rail_code || '/stk', 'AccountReference', 'MF' || p_subject_id,
                'TransactionDesc', 'Mercato wallet top-up');
        ELSE
            v_template := 'mpesa.b2c';
            v_params := jsonb_build_object('OriginatorConversationID', v_ref, 'CommandID', 'BusinessPayment',
                'Amount', p_amount::text, 'PartyA', v_rail.shortcode, 'PartyB', p_account,
                'Remarks', 'Mercato wallet withdrawal', 'Occasion', 'MW' || p_subject_id,
                'QueueTimeOutURL', '/webhooks/' || p_rail_code || '/b2c-timeout',
                'ResultURL', '/webhooks/' || p_rail_code || '/b2c-result');
        END IF;
    ELSE                               -- a bank: Mercato's own format, answered by signed callbacks
        v_template := CASE p_direction WHEN 'COLLECT' THEN 'bank.collect' ELSE 'bank.payout' END;
        v_params := jsonb_build_object('reference', v_ref, 'amount', p_amount::text, 'currency', v_rail.currency,
                                       'account', p_account, 'shortcode', v_rail.shortcode,
                                       'callback_url', '/webhooks/' || p_rail_code);
    END IF;
    v_params := v_params || jsonb_build_object('rail', p_rail_code, 'reference', v_ref);
    v_message := outbox.enqueue('RAIL', p_rail_code, v_template, v_params, NULL,
                                'payments:instruction:' || v_ref);
    INSERT INTO payments.rail_instruction (rail_code, direction, subject_type, subject_id, amount, currency, account,
                                           reference, message_id, next_check_at)
    VALUES (p_rail_code, p_direction, p_subject_type, p_subject_id, p_amount, v_rail.currency, p_account, v_ref,
            v_message, now() + make_interval(secs => v_rail.answer_timeout_seconds))
    RETURNING * INTO v_row;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION payments.send_instruction(text, text, text, bigint, numeric, text) IS
'Internal, in the transaction of its subject (a funding session, a withdrawal): write an instruction to a rail and
enqueue it (outbox channel RAIL, recipient the rail''s code, dedupe key payments:instruction:<reference>) in the
provider''s shape: M-Pesa mpesa.stk_push (Daraja STK push: BusinessShortCode, Amount, PartyA, PhoneNumber,
CallBackURL, AccountReference…) or mpesa.b2c (OriginatorConversationID = our reference, PartyB, QueueTimeOutURL,
ResultURL…); a bank bank.collect / bank.payout (reference, amount, currency, account). The params name URL paths;
the adapter prefixes its public base and, for an unsigned rail, the path token. Its first status check is due after
the rail''s answer_timeout_seconds. Assumes the caller checked the rail, the amount and the account.';

CREATE OR REPLACE FUNCTION payments.send_status_query(p_instruction_id bigint, p_reason text)
RETURNS payments.rail_status_query
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ins    payments.rail_instruction;
    v_rail   payments.rail;
    v_id     text := payments.new_provider_id('MQ');
    v_params jsonb;
    v_row    payments.rail_status_query;
BEGIN
    SELECT * INTO v_ins FROM payments.rail_instruction WHERE id = p_instruction_id;
    SELECT * INTO v_rail FROM payments.rail WHERE code = v_ins.rail_code;
    IF v_rail.kind = 'UNSIGNED' THEN   -- Daraja's Transaction Status query
        v_params := jsonb_build_object('CommandID', 'TransactionStatusQuery', 'OriginatorConversationID', v_id,
            'PartyA', v_rail.shortcode, 'IdentifierType', '4', 'TransactionID', v_ins.provider_transaction_id,
            'OriginalConversationID', v_ins.provider_ref, 'Remarks', 'Mercato status check',
            'ResultURL', '/webhooks/' || v_rail.code || '/status-result',
            'QueueTimeOutURL', '/webhooks/' || v_rail.code || '/status-timeout');
    ELSE
        v_params := jsonb_build_object('query_id', v_id, 'callback_url', '/webhooks/' || v_rail.code);
    END IF;
    v_params := v_params || jsonb_build_object('rail', v_rail.code, 'reference', v_ins.reference);
    INSERT INTO payments.rail_status_query (instruction_id, originator_conversation_id, reason, message_id)
    VALUES (p_instruction_id, v_id, p_reason,
            outbox.enqueue('RAIL', v_rail.code, CASE v_rail.kind WHEN 'UNSIGNED' THEN 'mpesa.transaction_status'
                                                                 ELSE 'bank.status_query' END,
                           v_params, NULL, 'payments:status_query:' || v_id))
    RETURNING * INTO v_row;
    UPDATE payments.rail_instruction
       SET queries = queries + 1, next_check_at = now() + make_interval(secs => v_rail.answer_timeout_seconds)
     WHERE id = p_instruction_id;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION payments.send_status_query(bigint, text) IS
'Internal: ask a rail for the status of an instruction (p_reason CALLBACK: to confirm an unsigned callback; SWEEP: no
answer in time). Enqueues mpesa.transaction_status (Daraja''s Transaction Status query with a fresh unguessable
OriginatorConversationID, kept in payments.rail_status_query: only a result answering it moves money) or
bank.status_query (the bank answers with a signed callback); the instruction''s next check moves on by the rail''s
answer_timeout_seconds. The caller holds the instruction''s row lock.';

CREATE OR REPLACE FUNCTION payments.sweep_rail_instructions(p_limit integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
    v_n  integer := 0;
BEGIN
    FOR v_id IN
        SELECT i.id FROM payments.rail_instruction i
         WHERE i.open_check_at <= now()
         ORDER BY i.open_check_at
         LIMIT p_limit
           FOR UPDATE SKIP LOCKED
    LOOP
        PERFORM payments.send_status_query(v_id, 'SWEEP');
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION payments.sweep_rail_instructions(integer) IS
'Job payments.sweep_rail_instructions: every instruction without a final answer whose check is due (the rail''s
answer_timeout_seconds after it was sent or last queried) gets a status query, at most p_limit per run. An
instruction is never sent again: a payout whose answer was lost (a B2C timeout) is asked about, so it is never paid
twice; only a conclusive answer settles it. Rows being settled are skipped (SKIP LOCKED). Returns how many queries.';

REVOKE ALL ON FUNCTION payments.set_rail(text, text, text, text, text, integer, integer, text[], text),
    payments.add_rail_hmac_secret(text, text, boolean), payments.new_rail_path_token(text), payments.rails(),
    payments.new_provider_id(text), payments.send_instruction(text, text, text, bigint, numeric, text),
    payments.send_status_query(bigint, text), payments.sweep_rail_instructions(integer) FROM PUBLIC;

COMMIT;
