-- Deploy mercato:functions/payments/intents to pg
-- Payment intents (docs/payments.md, "Payment intents"): Stripe's lifecycle, confirmed with one or more sources at
-- once (wallet shares become ledger holds on the payer's wallets in the confirming transaction; external shares wait
-- PENDING for their funding: payments.external_share_funded / external_share_failed), captured automatically or by the
-- merchant (part: the rest released), the PAYMENT fee snapshotted at capture and moved with the capture (one
-- ledger.capture_hold per hold, several destinations), refunds (partial, concurrent, never above the capture), cancel
-- (every hold released) and the expiry sweep. This file is longer than a few hundred lines: the lifecycle is one unit.
-- Locks: the idempotency key's advisory try-lock, then the intent row (FOR UPDATE), then ledger rows (by the ledger,
-- ascending ids). Every function assumes READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- the rules for every writer ------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.payment_intent_guard_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (NEW.merchant_id, NEW.amount, NEW.currency, NEW.capture_method, NEW.created_by, NEW.created_at)
       IS DISTINCT FROM (OLD.merchant_id, OLD.amount, OLD.currency, OLD.capture_method, OLD.created_by, OLD.created_at)
       OR (OLD.payer_user_id IS NOT NULL AND NEW.payer_user_id IS DISTINCT FROM OLD.payer_user_id) THEN
        PERFORM core.raise('PAYMENTS_IMMUTABLE', format('payment intent %s: its terms and payer never change', OLD.id));
    END IF;
    IF OLD.status = 'CANCELED'
       OR (OLD.status = 'SUCCEEDED' AND (NEW.status <> 'SUCCEEDED'
           OR (NEW.amount_captured, NEW.fee, NEW.fee_rule_id, NEW.attempt)
              IS DISTINCT FROM (OLD.amount_captured, OLD.fee, OLD.fee_rule_id, OLD.attempt)))
       OR (NEW.status <> OLD.status AND NOT (OLD.status, NEW.status) IN (
              ('REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION'), ('REQUIRES_PAYMENT_METHOD', 'PROCESSING'),
              ('REQUIRES_PAYMENT_METHOD', 'CANCELED'),
              ('REQUIRES_CONFIRMATION', 'PROCESSING'), ('REQUIRES_CONFIRMATION', 'REQUIRES_PAYMENT_METHOD'),
              ('REQUIRES_CONFIRMATION', 'CANCELED'),
              ('PROCESSING', 'REQUIRES_CAPTURE'), ('PROCESSING', 'SUCCEEDED'), ('PROCESSING', 'REQUIRES_PAYMENT_METHOD'),
              ('PROCESSING', 'CANCELED'),
              ('REQUIRES_CAPTURE', 'SUCCEEDED'), ('REQUIRES_CAPTURE', 'CANCELED')))
       OR (NEW.amount_captured <> OLD.amount_captured AND NEW.status <> 'SUCCEEDED')
       OR (NEW.amount_refunded <> OLD.amount_refunded AND OLD.status <> 'SUCCEEDED') THEN
        PERFORM core.raise('PAYMENTS_INTENT_STATE',
                           format('payment intent %s: %s -> %s is not allowed', OLD.id, OLD.status, NEW.status));
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.payment_intent_guard_trg() IS
'Trigger payment_intent_guard (BEFORE UPDATE, every writer): terms fixed (merchant, amount, currency, capture method,
creator; the payer set once), only the lifecycle''s transitions (only SUCCEEDED and CANCELED are final; a SUCCEEDED
intent changes only its refunded amount), captured amounts only on success, refunds only after it. Errors:
PAYMENTS_IMMUTABLE, PAYMENTS_INTENT_STATE.';

CREATE OR REPLACE FUNCTION payments.payment_intent_log_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        INSERT INTO payments.intent_event (intent_id, from_status, to_status, actor_user_id, detail)
        VALUES (NEW.id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END, NEW.status, identity.current_user_id(),
                CASE NEW.status WHEN 'CANCELED' THEN NEW.cancellation_reason
                                WHEN 'REQUIRES_PAYMENT_METHOD' THEN NEW.last_error END);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.payment_intent_log_trg() IS
'Trigger payment_intent_log (AFTER INSERT OR UPDATE OF status, every writer): append the state change to
payments.intent_event with the acting user and the reason (cancellation, failure).';

CREATE TRIGGER payment_intent_guard BEFORE UPDATE ON payments.payment_intent
    FOR EACH ROW EXECUTE FUNCTION payments.payment_intent_guard_trg();
CREATE TRIGGER payment_intent_log AFTER INSERT OR UPDATE OF status ON payments.payment_intent
    FOR EACH ROW EXECUTE FUNCTION payments.payment_intent_log_trg();
CREATE TRIGGER payment_intent_no_delete BEFORE DELETE ON payments.payment_intent
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');

-- internals -----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.intent_json(p_id bigint)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- PL/pgSQL, not a SQL function: its query is planned once per session (a SQL function that is not inlined, as a
    -- SECURITY DEFINER one never is, plans its query again at every call: most of its cost on the intent path)
    RETURN (SELECT jsonb_build_object(
               'id', i.id, 'merchant_id', i.merchant_id, 'payer_user_id', i.payer_user_id, 'created_by', i.created_by,
               'amount', i.amount::text, 'currency', i.currency, 'description', i.description, 'metadata', i.metadata,
               'capture_method', i.capture_method, 'status', i.status, 'attempt', i.attempt,
               'amount_captured', i.amount_captured::text, 'amount_refunded', i.amount_refunded::text,
               'fee', i.fee::text, 'last_error', i.last_error, 'cancellation_reason', i.cancellation_reason,
               'expires_at', i.expires_at, 'created_at', i.created_at,
               'shares', coalesce((SELECT jsonb_agg(jsonb_build_object(
                             'id', s.id, 'source', s.source, 'wallet_id', s.wallet_id, 'rail', s.rail,
                             'amount', s.amount::text, 'status', s.status, 'captured', s.captured::text,
                             'refunded', s.refunded::text, 'failure_reason', s.failure_reason) ORDER BY s.id)
                             FROM payments.intent_share s
                            WHERE s.intent_id = i.id
                              AND s.attempt = (SELECT max(t.attempt) FROM payments.intent_share t WHERE t.intent_id = i.id)),
                          '[]'::jsonb))
      FROM payments.payment_intent i
     WHERE i.id = p_id);
END
$$;
COMMENT ON FUNCTION payments.intent_json(bigint) IS
'A payment intent as JSON (amounts as text) with the shares of its latest attempt. Internal: callers check who may see it.';

CREATE OR REPLACE FUNCTION payments.intent_role(p_intent payments.payment_intent)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF identity.is_service() THEN
        RETURN 'SERVICE';
    ELSIF p_intent.id IS NULL THEN
        RETURN NULL;
    ELSIF identity.acts_for(p_intent.merchant_id, 'ADMIN') THEN
        RETURN 'MERCHANT_ADMIN';
    ELSIF identity.acts_for(p_intent.merchant_id, 'STAFF') THEN
        RETURN 'MERCHANT_STAFF';
    ELSIF p_intent.payer_user_id = identity.current_user_id() THEN
        RETURN 'PAYER';
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION payments.intent_role(payments.payment_intent) IS
'How the caller relates to a payment intent: SERVICE (the back office), MERCHANT_ADMIN / MERCHANT_STAFF (a member of
its merchant), PAYER, or NULL (none: the intent is unknown to it). Internal.';

CREATE OR REPLACE FUNCTION payments.lock_intent(p_intent_id bigint)
RETURNS payments.payment_intent
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v payments.payment_intent;
BEGIN
    SELECT * INTO v FROM payments.payment_intent WHERE id = p_intent_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_INTENT', format('payment intent %s', p_intent_id));
    END IF;
    RETURN v;
END
$$;
COMMENT ON FUNCTION payments.lock_intent(bigint) IS
'The payment intent, locked FOR UPDATE (the lock every state change of an intent takes first). Internal. Errors:
PAYMENTS_UNKNOWN_INTENT.';

CREATE OR REPLACE FUNCTION payments.check_amount(p_amount numeric, p_currency text, p_field text DEFAULT 'amount')
RETURNS void
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_amount IS NULL OR p_amount <= 0 OR p_amount >= 1e12
       OR scale(p_amount) > masterdata.currency_minor_units(p_currency) THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('%s must be a positive amount in %s (its minor units)', p_field, p_currency));
    END IF;
END
$$;
COMMENT ON FUNCTION payments.check_amount(numeric, text, text) IS
'Refuse an amount that is not positive, too large, or finer than the currency''s minor units. Internal. Errors:
PAYMENTS_INVALID_INPUT, MASTERDATA_UNKNOWN_CURRENCY.';

CREATE OR REPLACE FUNCTION payments.intent_pays_platform_object(p_metadata jsonb)
RETURNS boolean
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN coalesce(p_metadata ?| ARRAY['order_id', 'installment_id'], false);
END
$$;
COMMENT ON FUNCTION payments.intent_pays_platform_object(jsonb) IS
'Whether an intent (by its metadata) pays a platform object whose own money path takes the PAYMENT fee and refunds it:
a shop order (order_id; functions/payments/order_intents) or an installment of a plan (installment_id), both of which
go on into the order''s goods escrow, whose release takes the fee. Such an intent takes no PAYMENT fee at capture
(payments.capture_shares) and is never refunded as an intent (payments.refund_intent, and the trigger
intent_refund_platform_object for every writer). The one predicate of that rule. Internal.';

CREATE OR REPLACE FUNCTION payments.intent_refund_platform_object_trg()
RETURNS trigger
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF (SELECT payments.intent_pays_platform_object(i.metadata) FROM payments.payment_intent i WHERE i.id = NEW.intent_id) THEN
        PERFORM core.raise('PAYMENTS_INTENT_STATE',
                           format('payment intent %s paid a platform object (an order or an installment): refund it '
                                  'through the order''s goods escrow', NEW.intent_id));
    END IF;
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION payments.intent_refund_platform_object_trg() IS
'Trigger intent_refund_platform_object (BEFORE INSERT of an intent refund, every writer): an intent that paid a
platform object (payments.intent_pays_platform_object: a shop order, an installment) is refunded through its goods
escrow, never as an intent (its money is there, not in the merchant''s wallet). Error: PAYMENTS_INTENT_STATE.';

CREATE TRIGGER intent_refund_platform_object BEFORE INSERT ON payments.intent_refund
    FOR EACH ROW EXECUTE FUNCTION payments.intent_refund_platform_object_trg();

CREATE OR REPLACE FUNCTION payments.intent_client_secret(p_intent_id bigint)
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN (SELECT 'pi_' || p_intent_id || '_secret_'
                   || encode(public.hmac(convert_to(p_intent_id::text, 'UTF8'), k.secret, 'sha256'), 'hex')
              FROM payments.intent_secret_key k);
END
$$;
COMMENT ON FUNCTION payments.intent_client_secret(bigint) IS
'A payment intent''s client secret (Stripe''s client_secret): pi_<id>_secret_<HMAC-SHA256 of the id under
payments.intent_secret_key, hex>. Derived, never stored: returned once by payments.create_intent (and by a replay of the
same keyed request), required to confirm (and to read as a non-member) an intent that has no payer yet. Internal: no
API role executes it.';

CREATE OR REPLACE FUNCTION payments.intent_secret_ok(p_intent_id bigint, p_secret text)
RETURNS boolean
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- compared as SHA-256 digests: the time a comparison takes says nothing about the expected secret's prefix
    RETURN coalesce(sha256(convert_to(p_secret, 'UTF8'))
                    = sha256(convert_to(payments.intent_client_secret(p_intent_id), 'UTF8')), false);
END
$$;
COMMENT ON FUNCTION payments.intent_secret_ok(bigint, text) IS
'Whether p_secret is the client secret of payment intent p_intent_id (false when NULL). Internal.';

CREATE OR REPLACE FUNCTION payments.plan_shares(p_intent payments.payment_intent, p_sources jsonb, p_attempt integer)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_src    jsonb;
    v_amount numeric;
    v_total  numeric := 0;
    v_wallet payments.wallet;
    v_n      integer := 0;
    v_is_wallet boolean;
    v_is_rail   boolean;
BEGIN
    IF NOT coalesce(CASE WHEN jsonb_typeof(p_sources) = 'array' THEN jsonb_array_length(p_sources) BETWEEN 1 AND 10 END,
                    false) THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'sources must be an array of 1 to 10 sources');
    END IF;
    FOR v_src IN SELECT e FROM jsonb_array_elements(p_sources) AS x(e) LOOP
        v_n := v_n + 1;
        v_is_wallet := coalesce(jsonb_typeof(v_src -> 'wallet_id') = 'number'
                                AND (v_src ->> 'wallet_id') ~ '^[0-9]{1,18}$', false);
        v_is_rail := coalesce(jsonb_typeof(v_src -> 'rail') = 'string'
                              AND (v_src ->> 'rail') ~ '^[A-Z][A-Z0-9_-]{0,31}$', false);
        IF NOT coalesce(jsonb_typeof(v_src) = 'object' AND jsonb_typeof(v_src -> 'amount') IN ('string', 'number')
                        AND (v_src ->> 'amount') ~ '^[0-9]{1,12}(\.[0-9]{1,6})?$', false)
           OR v_is_wallet = v_is_rail THEN
            PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                               format('source %s: {"wallet_id": <id>, "amount": "<amount>"} or {"rail": "<RAIL>", "amount": "<amount>"}', v_n));
        END IF;
        v_amount := (v_src ->> 'amount')::numeric;
        PERFORM payments.check_amount(v_amount, p_intent.currency, format('source %s amount', v_n));
        v_total := v_total + v_amount;
        IF v_is_wallet THEN
            v_wallet := payments.require_wallet((v_src ->> 'wallet_id')::bigint, 'ADMIN');
            IF v_wallet.currency <> p_intent.currency THEN
                PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                                   format('source %s: wallet %s is in %s, the intent in %s', v_n, v_wallet.account_id,
                                          v_wallet.currency, p_intent.currency));
            ELSIF v_wallet.owner_type = 'ORG' AND v_wallet.organization_id = p_intent.merchant_id THEN
                PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('source %s: a merchant does not pay itself', v_n));
            END IF;
            INSERT INTO payments.intent_share (intent_id, attempt, source, wallet_id, amount, status)
            VALUES (p_intent.id, p_attempt, 'WALLET', v_wallet.account_id, v_amount, 'PLANNED');
        ELSE
            INSERT INTO payments.intent_share (intent_id, attempt, source, rail, amount, status)
            VALUES (p_intent.id, p_attempt, 'EXTERNAL', v_src ->> 'rail', v_amount, 'PLANNED');
        END IF;
    END LOOP;
    IF v_total <> p_intent.amount THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT',
                           format('the sources add up to %s, the intent is %s', v_total, p_intent.amount));
    END IF;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION payments.plan_shares(payments.payment_intent, jsonb, integer) IS
'Record the sources of an intent''s attempt as PLANNED shares: [{"wallet_id": 12, "amount": "60.00"}, {"rail":
"MPESA", "amount": "40.00"}], 1 to 10, adding up to the intent''s amount; wallets the caller may move money from
(payments.require_wallet ADMIN), in the intent''s currency, never the merchant''s own. Internal. Errors:
PAYMENTS_INVALID_INPUT, PAYMENTS_UNKNOWN_WALLET.';

CREATE OR REPLACE FUNCTION payments.unwind_shares(p_intent_id bigint, p_attempt integer, p_status text)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s   payments.intent_share;
    v_n integer := 0;
BEGIN
    FOR s IN SELECT * FROM payments.intent_share
              WHERE intent_id = p_intent_id AND attempt = p_attempt AND status IN ('PLANNED', 'PENDING', 'HELD')
              ORDER BY id FOR UPDATE LOOP
        IF s.status = 'HELD' THEN
            PERFORM ledger.release_hold(format('payments:intent_share:%s:release', s.id), s.hold_id);
            UPDATE payments.intent_share SET status = 'RELEASED', updated_at = now() WHERE id = s.id;
        ELSE
            UPDATE payments.intent_share SET status = p_status, updated_at = now() WHERE id = s.id;
        END IF;
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION payments.unwind_shares(bigint, integer, text) IS
'Unwind an attempt: release every HELD share''s hold (RELEASED) and mark the PLANNED and PENDING ones p_status
(CANCELED). Internal, under the intent''s lock.';

CREATE OR REPLACE FUNCTION payments.capture_shares(p_intent payments.payment_intent, p_amount numeric)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s          payments.intent_share;
    v_quote    record;
    v_merchant bigint := payments.wallet_for('ORG', p_intent.merchant_id, p_intent.currency);
    v_revenue  bigint;
    v_left     numeric := p_amount;
    v_fee_left numeric;
    v_take     numeric;
    v_fee      numeric;
    v_dest     jsonb;
    v_ref      text;
BEGIN
    IF payments.intent_pays_platform_object(p_intent.metadata) THEN
        -- a shop order's or an installment's payment: the money goes on into the order's goods escrow, whose release
        -- takes the PAYMENT fee; none is taken twice
        SELECT 0::numeric AS fee, NULL::bigint AS fee_rule_id INTO v_quote;
    ELSE
        SELECT q.fee, q.fee_rule_id INTO v_quote
          FROM payments.fee_quote('PAYMENT', NULL, p_intent.merchant_id, p_intent.currency, p_amount) q;
    END IF;
    v_fee_left := v_quote.fee;
    IF v_quote.fee > 0 THEN
        v_revenue := payments.revenue_account(p_intent.currency);
    END IF;
    FOR s IN SELECT * FROM payments.intent_share
              WHERE intent_id = p_intent.id AND attempt = p_intent.attempt AND status = 'HELD'
              ORDER BY id FOR UPDATE LOOP
        v_take := least(s.amount, v_left);
        IF v_take > 0 THEN
            v_fee := least(v_fee_left, v_take);
            v_dest := '[]'::jsonb;
            IF v_take - v_fee > 0 THEN
                v_dest := v_dest || jsonb_build_object('account_id', v_merchant, 'amount', (v_take - v_fee)::text);
            END IF;
            IF v_fee > 0 THEN
                v_dest := v_dest || jsonb_build_object('account_id', v_revenue, 'amount', v_fee::text);
            END IF;
            v_ref := format('payments:intent_share:%s:capture', s.id);
            PERFORM ledger.capture_hold(v_ref, s.hold_id, v_dest, format('payment intent %s', p_intent.id));
            IF v_fee > 0 THEN
                PERFORM payments.record_fee(v_ref, 'PAYMENT', NULL, p_intent.merchant_id, p_intent.currency, v_take,
                                            v_fee, v_quote.fee_rule_id, 'payment_intent', p_intent.id);
            END IF;
            UPDATE payments.intent_share SET status = 'CAPTURED', captured = v_take, updated_at = now() WHERE id = s.id;
            v_left := v_left - v_take;
            v_fee_left := v_fee_left - v_fee;
        ELSE
            PERFORM ledger.release_hold(format('payments:intent_share:%s:release', s.id), s.hold_id);
            UPDATE payments.intent_share SET status = 'RELEASED', updated_at = now() WHERE id = s.id;
        END IF;
    END LOOP;
    IF v_left <> 0 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('payment intent %s: %s more than is held', p_intent.id, v_left));
    END IF;
    UPDATE payments.payment_intent
       SET status = 'SUCCEEDED', amount_captured = p_amount, fee = v_quote.fee, fee_rule_id = v_quote.fee_rule_id
     WHERE id = p_intent.id;
END
$$;
COMMENT ON FUNCTION payments.capture_shares(payments.payment_intent, numeric) IS
'Capture p_amount of an intent''s held shares (in share order; a share not reached is released): one
ledger.capture_hold per hold to the merchant''s wallet and, for the PAYMENT fee quoted now (payments.fee_quote), to the
platform''s revenue account (payments.record_fee with that capture''s reference); the intent SUCCEEDED with the
captured amount and the fee snapshotted. An intent paying a platform object (payments.intent_pays_platform_object: a
shop order, an installment) takes no fee here (0 snapshotted): its goods escrow''s release does. Internal, under the intent''s lock.';

CREATE OR REPLACE FUNCTION payments.settle_if_ready(p_intent_id bigint)
RETURNS void
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v payments.payment_intent;
BEGIN
    SELECT * INTO v FROM payments.payment_intent WHERE id = p_intent_id;
    IF v.status <> 'PROCESSING' OR EXISTS (SELECT FROM payments.intent_share s
                                            WHERE s.intent_id = v.id AND s.attempt = v.attempt
                                              AND s.status NOT IN ('HELD', 'CANCELED')) THEN   -- CANCELED: replaced before confirming
        RETURN;
    END IF;
    IF v.capture_method = 'MANUAL' THEN
        UPDATE payments.payment_intent SET status = 'REQUIRES_CAPTURE', expires_at = now() + interval '7 days'
         WHERE id = v.id;
    ELSE
        PERFORM payments.capture_shares(v, v.amount);
    END IF;
END
$$;
COMMENT ON FUNCTION payments.settle_if_ready(bigint) IS
'When every share of a PROCESSING intent''s attempt is held: REQUIRES_CAPTURE (MANUAL; 7 days to capture) or captured
in full (AUTOMATIC). Internal, under the intent''s lock.';

-- use cases -----------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.create_intent(
    p_merchant_id     bigint,
    p_amount          numeric,
    p_currency        text,
    p_description     text DEFAULT '',
    p_metadata        jsonb DEFAULT '{}',
    p_capture_method  text DEFAULT 'AUTOMATIC',
    p_sources         jsonb DEFAULT NULL,
    p_idempotency_key text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_service  boolean := identity.is_service();
    v_actor    identity.actor;
    v_merchant boolean;
    v_method   text := upper(p_capture_method);
    v_replay   jsonb;
    v_scope    bigint;
    v_intent   payments.payment_intent;
BEGIN
    IF NOT v_service THEN
        v_actor := identity.require_user();
    END IF;
    IF NOT EXISTS (SELECT FROM identity.organization WHERE id = p_merchant_id AND kind = 'MERCHANT' AND status = 'ACTIVE') THEN
        PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('merchant %s', p_merchant_id));
    END IF;
    PERFORM payments.check_amount(p_amount, p_currency);
    IF p_description IS NULL OR length(p_description) > 1000 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'description must be at most 1000 characters');
    ELSIF p_metadata IS NULL OR jsonb_typeof(p_metadata) <> 'object' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'metadata must be a JSON object');
    ELSIF v_method IS NULL OR v_method NOT IN ('AUTOMATIC', 'MANUAL') THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'capture_method must be automatic or manual');
    END IF;
    -- Who creates: a member of the merchant (or the back office) for a customer who confirms later, or the payer itself.
    v_merchant := v_service OR identity.acts_for(p_merchant_id, 'STAFF');
    IF v_merchant AND p_sources IS NOT NULL THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'only the payer gives sources; the merchant''s customer confirms');
    END IF;
    v_scope := CASE WHEN v_merchant AND NOT v_service THEN p_merchant_id END;
    v_replay := payments.idempotency_begin('create_intent', p_idempotency_key,
        jsonb_build_object('merchant_id', p_merchant_id, 'amount', trim_scale(p_amount)::text, 'currency', p_currency,
                           'description', p_description, 'metadata', p_metadata, 'capture_method', v_method,
                           'sources', p_sources), v_scope);
    IF v_replay IS NOT NULL THEN
        RETURN v_replay || jsonb_build_object('client_secret', payments.intent_client_secret((v_replay ->> 'id')::bigint));
    END IF;
    INSERT INTO payments.payment_intent (merchant_id, payer_user_id, created_by, amount, currency, description, metadata,
                                         capture_method, expires_at)
    VALUES (p_merchant_id, CASE WHEN NOT v_merchant THEN v_actor.user_id END, v_actor.user_id, p_amount, p_currency,
            p_description, p_metadata, v_method, now() + interval '1 day')
    RETURNING * INTO v_intent;
    IF p_sources IS NOT NULL THEN
        PERFORM payments.plan_shares(v_intent, p_sources, 1);
        UPDATE payments.payment_intent SET status = 'REQUIRES_CONFIRMATION' WHERE id = v_intent.id;
    END IF;
    -- the stored response has no secret (it is derived again for a replay)
    RETURN payments.idempotency_finish('create_intent', p_idempotency_key, payments.intent_json(v_intent.id), v_scope)
        || jsonb_build_object('client_secret', payments.intent_client_secret(v_intent.id));
END
$$;
COMMENT ON FUNCTION payments.create_intent(bigint, numeric, text, text, jsonb, text, jsonb, text) IS
'Create a payment intent of an amount to a merchant (an ACTIVE organization of kind MERCHANT), with a description,
metadata and capture method (automatic or manual); returns it as JSON. A member of the merchant (STAFF or more) or the
back office creates it for a customer, who becomes the payer by confirming it (REQUIRES_PAYMENT_METHOD); any other
signed-in user creates it as its payer, optionally with its sources (REQUIRES_CONFIRMATION). Expires (canceled by the
job) after a day unless confirmed. The answer carries the intent''s client_secret (payments.intent_client_secret),
once: the merchant hands it to its customer, who needs it to confirm an intent without a payer. Idempotent with
p_idempotency_key (the merchant''s keys for its members, the user''s otherwise; a replay carries the secret again).
Errors: IDENTITY_NOT_AUTHENTICATED, IDENTITY_UNKNOWN_ORGANIZATION, PAYMENTS_INVALID_INPUT,
MASTERDATA_UNKNOWN_CURRENCY, PAYMENTS_UNKNOWN_WALLET, PAYMENTS_IDEMPOTENCY_MISMATCH, PAYMENTS_IDEMPOTENCY_IN_PROGRESS.';

CREATE OR REPLACE FUNCTION payments.confirm_intent(p_intent_id bigint, p_sources jsonb DEFAULT NULL,
                                                   p_idempotency_key text DEFAULT NULL,
                                                   p_client_secret text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_service boolean := identity.is_service();
    v_actor   identity.actor;
    v_replay  jsonb;
    v         payments.payment_intent;
    s         payments.intent_share;
    v_hold    bigint;
BEGIN
    IF NOT v_service THEN
        v_actor := identity.require_user();
    END IF;
    v_replay := payments.idempotency_begin('confirm_intent', p_idempotency_key,
                                           jsonb_build_object('intent_id', p_intent_id, 'sources', p_sources)
                                           -- a request without a secret keeps the fingerprint it always had
                                           || CASE WHEN p_client_secret IS NOT NULL
                                                   THEN jsonb_build_object('client_secret', p_client_secret)
                                                   ELSE '{}' END);
    IF v_replay IS NOT NULL THEN
        RETURN v_replay;
    END IF;
    v := payments.lock_intent(p_intent_id);
    -- the designated customer (the payer, once there is one) confirms; an intent without a payer needs its client
    -- secret; a secret given must be the right one. Refusals are answered like an unknown intent, nothing changed.
    IF (NOT v_service AND v.payer_user_id <> v_actor.user_id)
       OR (NOT v_service AND v.payer_user_id IS NULL AND p_client_secret IS NULL)
       OR (p_client_secret IS NOT NULL AND NOT payments.intent_secret_ok(v.id, p_client_secret)) THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_INTENT', format('payment intent %s', p_intent_id));
    ELSIF v.status NOT IN ('REQUIRES_PAYMENT_METHOD', 'REQUIRES_CONFIRMATION') THEN
        PERFORM core.raise('PAYMENTS_INTENT_STATE', format('payment intent %s is %s: confirm needs requires_payment_method '
                                                           'or requires_confirmation', v.id, v.status));
    ELSIF v.expires_at <= now() THEN
        PERFORM core.raise('PAYMENTS_INTENT_STATE', format('payment intent %s expired at %s', v.id, v.expires_at));
    ELSIF p_sources IS NULL AND v.status = 'REQUIRES_PAYMENT_METHOD' THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'sources are required: the intent has none yet');
    END IF;
    IF p_sources IS NOT NULL THEN
        PERFORM payments.unwind_shares(v.id, v.attempt + 1, 'CANCELED');   -- sources given earlier are replaced
        PERFORM payments.plan_shares(v, p_sources, v.attempt + 1);
    END IF;
    UPDATE payments.payment_intent
       SET status = 'PROCESSING', attempt = attempt + 1, last_error = NULL,
           payer_user_id = coalesce(payer_user_id, v_actor.user_id)
     WHERE id = v.id;
    FOR s IN SELECT * FROM payments.intent_share WHERE intent_id = v.id AND attempt = v.attempt + 1 AND status = 'PLANNED'
              ORDER BY id LOOP
        IF s.source = 'WALLET' THEN
            v_hold := ledger.create_hold(format('payments:intent_share:%s:hold', s.id), s.wallet_id, s.amount, NULL,
                                         format('payment intent %s', v.id));
            UPDATE payments.intent_share SET status = 'HELD', hold_id = v_hold, updated_at = now() WHERE id = s.id;
        ELSE
            UPDATE payments.intent_share SET status = 'PENDING', updated_at = now() WHERE id = s.id;
        END IF;
    END LOOP;
    PERFORM payments.settle_if_ready(v.id);
    RETURN payments.idempotency_finish('confirm_intent', p_idempotency_key, payments.intent_json(v.id));
END
$$;
COMMENT ON FUNCTION payments.confirm_intent(bigint, jsonb, text, text) IS
'Confirm a payment intent with its sources (p_sources, see payments.plan_shares; or those given at creation): every
wallet share is held on its wallet at once, in this transaction (all or none: a wallet short of funds refuses the whole
confirmation), external shares wait PENDING for their funding. Then PROCESSING; with every share held, SUCCEEDED
(automatic capture: the merchant credited minus the PAYMENT fee) or REQUIRES_CAPTURE (manual). The confirming user
becomes the payer of an intent a merchant created, which needs its client secret (p_client_secret, given by
payments.create_intent to the merchant); only that payer confirms again after a failure (no secret needed then). An
absent or wrong secret is answered PAYMENTS_UNKNOWN_INTENT and nothing changes. Idempotent with p_idempotency_key (the
caller''s keys). Errors: IDENTITY_NOT_AUTHENTICATED, PAYMENTS_UNKNOWN_INTENT,
PAYMENTS_INTENT_STATE (not confirmable, expired), PAYMENTS_INVALID_INPUT, PAYMENTS_UNKNOWN_WALLET,
LEDGER_INSUFFICIENT_FUNDS, LEDGER_ACCOUNT_FROZEN, PAYMENTS_IDEMPOTENCY_MISMATCH, PAYMENTS_IDEMPOTENCY_IN_PROGRESS.';

CREATE OR REPLACE FUNCTION payments.capture_intent(p_intent_id bigint, p_amount numeric DEFAULT NULL,
                                                   p_idempotency_key text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v        payments.payment_intent;
    v_role   text;
    v_replay jsonb;
    v_scope  bigint;
BEGIN
    SELECT * INTO v FROM payments.payment_intent WHERE id = p_intent_id;
    v_role := payments.intent_role(v);
    IF v_role IS NULL OR v_role NOT IN ('SERVICE', 'MERCHANT_ADMIN', 'MERCHANT_STAFF') THEN
        PERFORM identity.require_user();
        PERFORM core.raise('PAYMENTS_UNKNOWN_INTENT', format('payment intent %s', p_intent_id));
    END IF;
    v_scope := CASE WHEN v_role <> 'SERVICE' THEN v.merchant_id END;
    v_replay := payments.idempotency_begin('capture_intent', p_idempotency_key,
        jsonb_build_object('intent_id', p_intent_id, 'amount', trim_scale(p_amount)::text), v_scope);
    IF v_replay IS NOT NULL THEN
        RETURN v_replay;
    END IF;
    v := payments.lock_intent(p_intent_id);
    IF v.status <> 'REQUIRES_CAPTURE' THEN
        PERFORM core.raise('PAYMENTS_INTENT_STATE',
                           format('payment intent %s is %s: capture needs requires_capture', v.id, v.status));
    END IF;
    PERFORM payments.check_amount(coalesce(p_amount, v.amount), v.currency);
    IF coalesce(p_amount, v.amount) > v.amount THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', format('capture at most %s', v.amount));
    END IF;
    PERFORM payments.capture_shares(v, coalesce(p_amount, v.amount));
    RETURN payments.idempotency_finish('capture_intent', p_idempotency_key, payments.intent_json(v.id), v_scope);
END
$$;
COMMENT ON FUNCTION payments.capture_intent(bigint, numeric, text) IS
'Capture a REQUIRES_CAPTURE (manual) payment intent, all of it or part (p_amount; the rest of the holds released): the
merchant''s wallet credited minus the PAYMENT fee quoted now and snapshotted on the intent, the fee to the platform''s
revenue, one ledger operation per hold; SUCCEEDED. A member of the merchant or the back office. Idempotent with
p_idempotency_key (the merchant''s keys). Errors: IDENTITY_NOT_AUTHENTICATED, PAYMENTS_UNKNOWN_INTENT,
PAYMENTS_INTENT_STATE, PAYMENTS_INVALID_INPUT, PAYMENTS_IDEMPOTENCY_MISMATCH, PAYMENTS_IDEMPOTENCY_IN_PROGRESS.';

CREATE OR REPLACE FUNCTION payments.cancel_intent(p_intent_id bigint, p_reason text DEFAULT 'requested_by_customer')
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v payments.payment_intent;
BEGIN
    IF p_reason IS NULL OR length(p_reason) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'reason must be 1-500 characters');
    END IF;
    SELECT * INTO v FROM payments.payment_intent WHERE id = p_intent_id;
    IF payments.intent_role(v) IS NULL THEN
        PERFORM identity.require_user();
        PERFORM core.raise('PAYMENTS_UNKNOWN_INTENT', format('payment intent %s', p_intent_id));
    END IF;
    v := payments.lock_intent(p_intent_id);
    IF v.status IN ('SUCCEEDED', 'CANCELED') THEN
        PERFORM core.raise('PAYMENTS_INTENT_STATE', format('payment intent %s is %s: it cannot be canceled', v.id, v.status));
    END IF;
    PERFORM payments.unwind_shares(v.id, s.attempt, 'CANCELED')
       FROM (SELECT DISTINCT attempt FROM payments.intent_share WHERE intent_id = v.id) s;
    UPDATE payments.payment_intent SET status = 'CANCELED', cancellation_reason = p_reason WHERE id = v.id;
    RETURN payments.intent_json(v.id);
END
$$;
COMMENT ON FUNCTION payments.cancel_intent(bigint, text) IS
'Cancel a payment intent that has not succeeded: every hold of its shares released, pending shares canceled, CANCELED
with the reason. Its payer, a member of its merchant, the back office. Errors: IDENTITY_NOT_AUTHENTICATED,
PAYMENTS_INVALID_INPUT, PAYMENTS_UNKNOWN_INTENT, PAYMENTS_INTENT_STATE (succeeded or canceled already).';

CREATE OR REPLACE FUNCTION payments.refund_intent(p_intent_id bigint, p_amount numeric DEFAULT NULL,
                                                  p_reason text DEFAULT '', p_idempotency_key text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v          payments.payment_intent;
    v_role     text;
    v_replay   jsonb;
    v_scope    bigint;
    v_amount   numeric;
    v_refund   bigint;
    v_ref      text;
    v_left     numeric;
    v_take     numeric;
    v_legs     jsonb;
    s          payments.intent_share;
BEGIN
    IF p_reason IS NULL OR length(p_reason) > 500 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'reason must be at most 500 characters');
    END IF;
    SELECT * INTO v FROM payments.payment_intent WHERE id = p_intent_id;
    v_role := payments.intent_role(v);
    IF v_role IS NULL OR v_role NOT IN ('SERVICE', 'MERCHANT_ADMIN') THEN
        PERFORM identity.require_user();
        PERFORM core.raise('PAYMENTS_UNKNOWN_INTENT', format('payment intent %s', p_intent_id));
    END IF;
    v_scope := CASE WHEN v_role <> 'SERVICE' THEN v.merchant_id END;
    v_replay := payments.idempotency_begin('refund_intent', p_idempotency_key,
        jsonb_build_object('intent_id', p_intent_id, 'amount', trim_scale(p_amount)::text, 'reason', p_reason), v_scope);
    IF v_replay IS NOT NULL THEN
        RETURN v_replay;
    END IF;
    v := payments.lock_intent(p_intent_id);
    IF v.status <> 'SUCCEEDED' THEN
        PERFORM core.raise('PAYMENTS_INTENT_STATE', format('payment intent %s is %s: refunds need succeeded', v.id, v.status));
    ELSIF payments.intent_pays_platform_object(v.metadata) THEN
        PERFORM core.raise('PAYMENTS_INTENT_STATE',
                           format('payment intent %s paid a platform object (an order or an installment): refund it '
                                  'through the order''s goods escrow', v.id));
    END IF;
    v_amount := coalesce(p_amount, v.amount_captured - v.amount_refunded);
    IF v_amount > 0 THEN
        PERFORM payments.check_amount(v_amount, v.currency);
    END IF;
    -- the rule, as one conditional UPDATE under the intent's lock (the CHECK refunded <= captured is the backstop)
    UPDATE payments.payment_intent SET amount_refunded = amount_refunded + v_amount
     WHERE id = v.id AND v_amount > 0 AND amount_refunded + v_amount <= amount_captured;
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_REFUND_EXCEEDS', format('payment intent %s: %s refundable, %s asked', v.id,
                                                             v.amount_captured - v.amount_refunded, v_amount));
    END IF;
    -- the n-th refund of the intent (counted under its lock): the ledger reference and the refund's own
    v_ref := format('payments:intent:%s:refund:%s', v.id,
                    (SELECT count(*) + 1 FROM payments.intent_refund r WHERE r.intent_id = v.id));
    INSERT INTO payments.intent_refund (intent_id, amount, reason, reference, created_by)
    VALUES (v.id, v_amount, p_reason, v_ref, identity.current_user_id())
    RETURNING id INTO v_refund;
    v_left := v_amount;
    v_legs := jsonb_build_array(jsonb_build_object('account_id', payments.wallet_for('ORG', v.merchant_id, v.currency),
                                                   'amount', v_amount::text, 'side', 'DEBIT'));
    FOR s IN SELECT * FROM payments.intent_share
              WHERE intent_id = v.id AND attempt = v.attempt AND captured > refunded ORDER BY id FOR UPDATE LOOP
        EXIT WHEN v_left = 0;
        v_take := least(s.captured - s.refunded, v_left);
        v_legs := v_legs || jsonb_build_object('account_id', s.wallet_id, 'amount', v_take::text, 'side', 'CREDIT');
        UPDATE payments.intent_share SET refunded = refunded + v_take, updated_at = now() WHERE id = s.id;
        v_left := v_left - v_take;
    END LOOP;
    PERFORM ledger.post(v_ref, v_legs, format('refund of payment intent %s', v.id));
    RETURN payments.idempotency_finish('refund_intent', p_idempotency_key,
        payments.intent_json(v.id) || jsonb_build_object('refund', jsonb_build_object('id', v_refund, 'amount',
                                                         v_amount::text, 'reference', v_ref)), v_scope);
END
$$;
COMMENT ON FUNCTION payments.refund_intent(bigint, numeric, text, text) IS
'Refund part or all (p_amount NULL: what remains) of a SUCCEEDED payment intent: from the merchant''s wallet back to
the wallets its shares were paid from (one ledger posting; the platform keeps its fee). An intent that paid a platform
object (payments.intent_pays_platform_object) is refused: it is refunded through its goods escrow. Concurrent refunds never exceed
the captured amount: a conditional UPDATE under the intent''s lock, and a CHECK behind it. An ADMIN of the merchant or
the back office. Idempotent with p_idempotency_key (the merchant''s keys). Errors: IDENTITY_NOT_AUTHENTICATED,
PAYMENTS_UNKNOWN_INTENT, PAYMENTS_INTENT_STATE, PAYMENTS_INVALID_INPUT, PAYMENTS_REFUND_EXCEEDS,
LEDGER_INSUFFICIENT_FUNDS (the merchant''s wallet), PAYMENTS_IDEMPOTENCY_MISMATCH, PAYMENTS_IDEMPOTENCY_IN_PROGRESS.';

-- hooks for the funding of external shares (wired to funding sessions at integration) ---------------------------------
CREATE OR REPLACE FUNCTION payments.external_share_funded(p_share_id bigint, p_wallet_id bigint)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s      payments.intent_share;
    v      payments.payment_intent;
    w      payments.wallet;
    v_hold bigint;
BEGIN
    SELECT * INTO s FROM payments.intent_share WHERE id = p_share_id AND source = 'EXTERNAL';
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_SHARE', format('share %s', p_share_id));
    END IF;
    v := payments.lock_intent(s.intent_id);
    SELECT * INTO s FROM payments.intent_share WHERE id = p_share_id FOR UPDATE;
    IF s.status <> 'PENDING' OR s.attempt <> v.attempt OR v.status <> 'PROCESSING' THEN
        RETURN s.status IN ('HELD', 'CAPTURED') AND s.wallet_id = p_wallet_id;   -- a replay, or too late: no hold
    END IF;
    SELECT * INTO w FROM payments.wallet WHERE account_id = p_wallet_id;
    IF NOT FOUND OR w.currency <> v.currency THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_WALLET', format('wallet %s in %s', p_wallet_id, v.currency));
    END IF;
    v_hold := ledger.create_hold(format('payments:intent_share:%s:hold', s.id), p_wallet_id, s.amount, NULL,
                                 format('payment intent %s', v.id));
    UPDATE payments.intent_share SET status = 'HELD', wallet_id = p_wallet_id, hold_id = v_hold, updated_at = now()
     WHERE id = s.id;
    PERFORM payments.settle_if_ready(v.id);
    RETURN true;
END
$$;
COMMENT ON FUNCTION payments.external_share_funded(bigint, bigint) IS
'Hook for the funding of an EXTERNAL share (called by the funding session''s completion, in its transaction, after the
rail credited the payer''s wallet p_wallet_id): the share''s amount is held on that wallet; with every share held the
intent succeeds (automatic) or requires capture (manual). Idempotent: true when the share is (now) held on that wallet;
false when it no longer awaits funding (the intent was canceled or failed: the money stays in the wallet). Internal.
Errors: PAYMENTS_UNKNOWN_SHARE, PAYMENTS_UNKNOWN_WALLET, LEDGER_INSUFFICIENT_FUNDS.';

CREATE OR REPLACE FUNCTION payments.external_share_failed(p_share_id bigint, p_reason text)
RETURNS boolean
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    s payments.intent_share;
    v payments.payment_intent;
BEGIN
    SELECT * INTO s FROM payments.intent_share WHERE id = p_share_id AND source = 'EXTERNAL';
    IF NOT FOUND THEN
        PERFORM core.raise('PAYMENTS_UNKNOWN_SHARE', format('share %s', p_share_id));
    END IF;
    v := payments.lock_intent(s.intent_id);
    SELECT * INTO s FROM payments.intent_share WHERE id = p_share_id FOR UPDATE;
    IF s.status <> 'PENDING' OR s.attempt <> v.attempt OR v.status <> 'PROCESSING' THEN
        RETURN s.status = 'FAILED';   -- a replay, or nothing left to fail
    END IF;
    UPDATE payments.intent_share SET status = 'FAILED', failure_reason = left(coalesce(p_reason, 'failed'), 500),
                                     updated_at = now()
     WHERE id = s.id;
    PERFORM payments.unwind_shares(v.id, v.attempt, 'CANCELED');
    UPDATE payments.payment_intent
       SET status = 'REQUIRES_PAYMENT_METHOD', last_error = left(format('share %s failed: %s', s.id, p_reason), 500)
     WHERE id = v.id;
    RETURN true;
END
$$;
COMMENT ON FUNCTION payments.external_share_failed(bigint, text) IS
'Hook for a failed funding of an EXTERNAL share: the share FAILED with the reason, the attempt unwound (every other
share''s hold released, pending ones canceled) and the intent back to REQUIRES_PAYMENT_METHOD with last_error (its
payer may confirm again with other sources). Idempotent: true when the share is FAILED. Internal. Errors:
PAYMENTS_UNKNOWN_SHARE.';

-- reads and the expiry sweep ------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION payments.get_intent(p_intent_id bigint, p_client_secret text DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v payments.payment_intent;
BEGIN
    SELECT * INTO v FROM payments.payment_intent WHERE id = p_intent_id;
    IF p_client_secret IS NOT NULL AND NOT payments.intent_secret_ok(v.id, p_client_secret) THEN
        PERFORM identity.require_user();
        PERFORM core.raise('PAYMENTS_UNKNOWN_INTENT', format('payment intent %s', p_intent_id));
    ELSIF payments.intent_role(v) IS NULL THEN
        PERFORM identity.require_user();
        IF v.id IS NULL OR p_client_secret IS NULL THEN
            PERFORM core.raise('PAYMENTS_UNKNOWN_INTENT', format('payment intent %s', p_intent_id));
        END IF;
        -- a customer holding the client secret: the intent's public part (no shares, payer, creator or metadata)
        RETURN payments.intent_json(v.id) - 'shares' - 'payer_user_id' - 'created_by' - 'metadata';
    END IF;
    RETURN payments.intent_json(v.id)
        || jsonb_build_object(
               'refunds', coalesce((SELECT jsonb_agg(jsonb_build_object('id', r.id, 'amount', r.amount::text,
                                        'reason', r.reason, 'reference', r.reference, 'created_at', r.created_at)
                                        ORDER BY r.id) FROM payments.intent_refund r WHERE r.intent_id = v.id), '[]'),
               'events', coalesce((SELECT jsonb_agg(jsonb_build_object('from', e.from_status, 'to', e.to_status,
                                       'actor_user_id', e.actor_user_id, 'detail', e.detail, 'at', e.at) ORDER BY e.id)
                                   FROM payments.intent_event e WHERE e.intent_id = v.id), '[]'));
END
$$;
COMMENT ON FUNCTION payments.get_intent(bigint, text) IS
'A payment intent with the shares of its latest attempt, its refunds and its state log: its payer, a member of its
merchant, the back office; any other signed-in user with its client secret (p_client_secret) reads its public part
(amount, currency, status, description, expiry: no shares, payer, creator, metadata, refunds or log). An absent or wrong
secret is answered PAYMENTS_UNKNOWN_INTENT. Errors: IDENTITY_NOT_AUTHENTICATED, PAYMENTS_UNKNOWN_INTENT.';

CREATE OR REPLACE FUNCTION payments.list_intents(p_merchant_id bigint DEFAULT NULL, p_status text DEFAULT NULL,
                                                 p_after_id bigint DEFAULT 0, p_limit integer DEFAULT 50)
RETURNS TABLE (id bigint, merchant_id bigint, payer_user_id bigint, amount numeric, currency text, status text,
               capture_method text, amount_captured numeric, amount_refunded numeric, description text,
               created_at timestamptz)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_user bigint;
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('PAYMENTS_INVALID_INPUT', 'limit must be 1-500');
    END IF;
    IF p_merchant_id IS NOT NULL THEN
        IF NOT identity.is_service() AND NOT identity.acts_for(p_merchant_id, 'STAFF') THEN
            PERFORM identity.require_user();
            PERFORM core.raise('IDENTITY_UNKNOWN_ORGANIZATION', format('merchant %s', p_merchant_id));
        END IF;
    ELSIF NOT identity.is_service() THEN
        v_user := (identity.require_user()).user_id;
    END IF;
    RETURN QUERY
    SELECT i.id, i.merchant_id, i.payer_user_id, i.amount, i.currency::text, i.status, i.capture_method,
           i.amount_captured, i.amount_refunded, i.description, i.created_at
      FROM payments.payment_intent i
     WHERE (p_merchant_id IS NULL OR i.merchant_id = p_merchant_id)
       AND (v_user IS NULL OR i.payer_user_id = v_user)
       AND (p_status IS NULL OR i.status = upper(p_status))
       AND i.id > coalesce(p_after_id, 0)
     ORDER BY i.id
     LIMIT p_limit;
END
$$;
COMMENT ON FUNCTION payments.list_intents(bigint, text, bigint, integer) IS
'Payment intents after p_after_id (keyset, at most p_limit, optionally of one status): a merchant''s (p_merchant_id,
its members), else the caller''s own as payer (the back office: all). Errors: IDENTITY_NOT_AUTHENTICATED,
IDENTITY_UNKNOWN_ORGANIZATION, PAYMENTS_INVALID_INPUT.';

CREATE OR REPLACE FUNCTION payments.expire_intents(p_limit integer DEFAULT 500)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_id bigint;
    v    payments.payment_intent;
    v_n  integer := 0;
BEGIN
    FOR v_id IN SELECT i.id FROM payments.payment_intent i
                 WHERE i.open_expires_at < now()
                 ORDER BY i.open_expires_at LIMIT greatest(coalesce(p_limit, 500), 1)
                 FOR UPDATE SKIP LOCKED LOOP
        SELECT * INTO v FROM payments.payment_intent WHERE id = v_id;
        CONTINUE WHEN v.status IN ('SUCCEEDED', 'CANCELED') OR v.expires_at >= now();
        PERFORM payments.unwind_shares(v.id, s.attempt, 'CANCELED')
           FROM (SELECT DISTINCT attempt FROM payments.intent_share WHERE intent_id = v.id) s;
        UPDATE payments.payment_intent SET status = 'CANCELED', cancellation_reason = 'expired' WHERE id = v.id;
        v_n := v_n + 1;
    END LOOP;
    RETURN v_n;
END
$$;
COMMENT ON FUNCTION payments.expire_intents(integer) IS
'The expiry sweep (job payments.intent_expiry): intents not final past their expiry (unconfirmed after a day,
uncaptured after 7 days, still waiting for a funding) are CANCELED (reason expired), every hold released; at most
p_limit per run, skipping intents locked by a running operation. Returns how many. Internal.';

REVOKE ALL ON FUNCTION payments.payment_intent_guard_trg(), payments.payment_intent_log_trg(),
    payments.intent_json(bigint), payments.intent_role(payments.payment_intent), payments.lock_intent(bigint),
    payments.check_amount(numeric, text, text), payments.intent_pays_platform_object(jsonb),
    payments.intent_client_secret(bigint), payments.intent_secret_ok(bigint, text),
    payments.intent_refund_platform_object_trg(), payments.plan_shares(payments.payment_intent, jsonb, integer),
    payments.unwind_shares(bigint, integer, text), payments.capture_shares(payments.payment_intent, numeric),
    payments.settle_if_ready(bigint),
    payments.create_intent(bigint, numeric, text, text, jsonb, text, jsonb, text),
    payments.confirm_intent(bigint, jsonb, text, text), payments.capture_intent(bigint, numeric, text),
    payments.cancel_intent(bigint, text), payments.refund_intent(bigint, numeric, text, text),
    payments.external_share_funded(bigint, bigint), payments.external_share_failed(bigint, text),
    payments.get_intent(bigint, text), payments.list_intents(bigint, text, bigint, integer),
    payments.expire_intents(integer) FROM PUBLIC;

COMMIT;
