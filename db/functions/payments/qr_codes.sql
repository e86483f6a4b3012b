-- Deploy mercato:functions/payments/qr_codes to pg
-- KE-QR codes with server records (docs/payments.md, "QR codes"): a merchant's static code (the payer enters the
-- amount) and dynamic codes (a payment intent's fixed amount, an expiry, single use, bound to the intent by the
-- reference in tag 62/05). Paying by QR parses the scanned payload (CRC first), finds the record by its reference and
-- requires the very payload stored (merchant, amount: everything), unused and unexpired, then confirms the bound
-- intent (dynamic) or creates and confirms one (static) from the payer's wallet. A refusal changes nothing.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION payments.create_qr_code(p_merchant_id bigint, p_intent_id bigint DEFAULT NULL,
                                                   p_mcc text DEFAULT '5999', p_city text DEFAULT 'Nairobi',
                                                   p_expires_at timestamptz DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_org     identity.organization;
    v         payments.payment_intent;
    v_ref     text;
    v_expires timestamptz;
    v_payload text;
    q         payments.qr_code;
BEGIN
    SELECT * INTO v_org FROM identity.organization WHERE id = p_merchant_id AND kind = 'MERCHANT' AND status = 'ACTIVE';
    IF NOT FOUND OR NOT (identity.is_service() OR identity.acts_for(p_merchant_id, 'STAFF')) THEN
        PERFORM identity.require_user();
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('merchant %s', p_merchant_id));
    ELSIF p_city IS NULL OR length(p_city) NOT BETWEEN 1 AND 15 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'city must be 1-15 characters');
    END IF;
    IF p_intent_id IS NULL THEN
        IF p_expires_at IS NOT NULL THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'a static code does not expire');
        END IF;
        v_ref := 'S' || upper(left(replace(gen_random_uuid()::text, '-', ''), 20));
        v_payload := payments.build_ke_qr(false, '28', 'MERCATO', 'M' || p_merchant_id, p_mcc, left(v_org.name, 25),
                                          p_city, NULL, v_ref);
    ELSE
        v := payments.lock_intent(p_intent_id);
        IF v.merchant_id <> p_merchant_id THEN
            PERFORM core.raise('PAYMENTS_UNKNOWN_INTENT', format('payment intent %s', p_intent_id));
        ELSIF v.status <> 'REQUIRES_PAYMENT_METHOD' OR v.expires_at <= now() THEN
            PERFORM core.raise('PAYMENTS_INTENT_STATE',
                               format('payment intent %s is %s: a code is made for an intent awaiting its payment', v.id, v.status));
        ELSIF v.currency <> 'KES' OR scale(v.amount) > 2 THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'KE-QR codes are in KES');
        END IF;
        v_expires := least(coalesce(p_expires_at, now() + interval '15 minutes'), v.expires_at);
        IF v_expires <= now() THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'expires_at must be in the future');
        END IF;
        v_ref := 'PI' || v.id;
        v_payload := payments.build_ke_qr(true, '28', 'MERCATO', 'M' || p_merchant_id, p_mcc, left(v_org.name, 25),
                                          p_city, v.amount, v_ref);
    END IF;
    INSERT INTO payments.qr_code (merchant_id, kind, intent_id, reference, amount, payload, expires_at, created_by)
    VALUES (p_merchant_id, CASE WHEN v.id IS NULL THEN 'STATIC' ELSE 'DYNAMIC' END, v.id, v_ref, v.amount, v_payload,
            v_expires, identity.current_user_id())
    ON CONFLICT (intent_id) DO NOTHING
    RETURNING * INTO q;
    IF q.id IS NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('payment intent %s already has its code', p_intent_id));
    END IF;
    RETURN jsonb_build_object('id', q.id, 'merchant_id', q.merchant_id, 'kind', q.kind, 'intent_id', q.intent_id,
                              'reference', q.reference, 'amount', q.amount::text, 'payload', q.payload,
                              'status', q.status, 'expires_at', q.expires_at);
END
$$;
COMMENT ON FUNCTION payments.create_qr_code(bigint, bigint, text, text, timestamptz) IS
'A KE-QR code of a merchant and its server record: static (no p_intent_id: the payer enters the amount; reusable) or
dynamic for a payment intent awaiting its payment (its amount, single use, expiring at p_expires_at or in 15 minutes,
never after the intent; tag 62/05 = PI<intent id>). Template 28, provider MERCATO, account M<merchant id>. A member of
the merchant or the back office. Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_UNKNOWN_ORGANIZATION,
PAYMENTS_UNKNOWN_INTENT, PAYMENTS_INTENT_STATE, PAYMENTS_INVALID_INPUT, PAYMENTS_INVALID_QR.';

CREATE OR REPLACE FUNCTION payments.pay_qr(p_payload text, p_wallet_id bigint, p_amount numeric DEFAULT NULL,
                                           p_idempotency_key text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_actor  identity.actor := identity.require_user();
    v_fields jsonb;
    v_replay jsonb;
    q        payments.qr_code;
    v_intent jsonb;
BEGIN
    v_fields := payments.parse_ke_qr(p_payload);   -- the CRC first: an altered code stops here
    v_replay := payments.idempotency_begin('pay_qr', p_idempotency_key,
        jsonb_build_object('payload', p_payload, 'wallet_id', p_wallet_id, 'amount', trim_scale(p_amount)::text));
    IF v_replay IS NOT NULL THEN
        RETURN v_replay;
    END IF;
    SELECT * INTO q FROM payments.qr_code WHERE reference = v_fields ->> 'reference' FOR UPDATE;
    IF NOT FOUND OR q.payload <> p_payload OR q.status = 'REVOKED' THEN
        PERFORM core.raise('PAYMENTS_QR_UNKNOWN', format('reference %s', coalesce(v_fields ->> 'reference', 'none')));
    END IF;
    IF q.kind = 'DYNAMIC' THEN
        IF q.status = 'USED' THEN
            PERFORM core.raise('PAYMENTS_QR_USED', format('code %s was used at %s', q.reference, q.used_at));
        ELSIF q.expires_at <= now() THEN
            PERFORM core.raise('PAYMENTS_QR_EXPIRED', format('code %s expired at %s', q.reference, q.expires_at));
        ELSIF p_amount IS NOT NULL AND p_amount <> q.amount THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('the code is for %s', q.amount));
        END IF;
        UPDATE payments.qr_code SET status = 'USED', used_at = now() WHERE id = q.id;
        -- the server side: the merchant bound this code to the intent, and the code (its exact stored payload,
        -- unused, unexpired) is what the merchant handed its customer, so it stands for the intent's client secret
        v_intent := payments.confirm_intent(q.intent_id, jsonb_build_array(
                        jsonb_build_object('wallet_id', p_wallet_id, 'amount', q.amount::text)),
                        NULL, payments.intent_client_secret(q.intent_id));
    ELSE
        IF p_amount IS NULL THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'a static code needs the amount the payer enters');
        END IF;
        v_intent := payments.create_intent(q.merchant_id, p_amount, 'KES', format('QR %s', q.reference),
                                           jsonb_build_object('qr_code_id', q.id), 'AUTOMATIC',
                                           jsonb_build_array(jsonb_build_object('wallet_id', p_wallet_id,
                                                                                'amount', p_amount::text)));
        v_intent := payments.confirm_intent((v_intent ->> 'id')::bigint);   -- the payer's own intent: no secret
    END IF;
    RETURN payments.idempotency_finish('pay_qr', p_idempotency_key, v_intent);
END
$$;
COMMENT ON FUNCTION payments.pay_qr(text, bigint, numeric, text) IS
'Pay a scanned KE-QR payload from the payer''s wallet: the CRC checked, the server record found by the reference
(tag 62/05) and matched exactly (the payload stored: merchant, amount, everything); a dynamic code must be unused and
unexpired, becomes USED and confirms its intent (the code stands for the intent''s client secret: the merchant bound
it to the intent and handed it to its customer); a static code creates an intent of p_amount to its merchant and
confirms it. Returns the intent. A forged, altered, reused or expired code is refused and nothing changes. Idempotent
with p_idempotency_key. Errors: IDENTITY_NOT_AUTHENTICATED, PAYMENTS_INVALID_QR, PAYMENTS_QR_UNKNOWN, PAYMENTS_QR_USED,
PAYMENTS_QR_EXPIRED, PAYMENTS_INVALID_INPUT, PAYMENTS_UNKNOWN_WALLET, PAYMENTS_INTENT_STATE, LEDGER_INSUFFICIENT_FUNDS,
PAYMENTS_IDEMPOTENCY_MISMATCH, PAYMENTS_IDEMPOTENCY_IN_PROGRESS.';

REVOKE ALL ON FUNCTION payments.create_qr_code(bigint, bigint, text, text, timestamptz),
    payments.pay_qr(text, bigint, numeric, text) FROM PUBLIC;

COMMIT;
