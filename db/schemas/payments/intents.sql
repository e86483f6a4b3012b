-- Deploy mercato:schemas/payments/intents to pg
-- Payment intents (issue 19; docs/payments.md, "Payment intents, idempotency keys and QR codes"): idempotency keys
-- (the seed's payment_idempotency: a caller's key, the request's fingerprint and the stored response), payment intents
-- on Stripe's lifecycle with their shares (one per source: a wallet hold or an external funding), the append-only log
-- of every state change, refunds, and the server-side records of KE-QR codes (static and dynamic).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- idempotency keys ----------------------------------------------------------------------------------------------------
CREATE TABLE payments.idempotency_key (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT idempotency_key_pkey PRIMARY KEY,
    scope_type      text NOT NULL CONSTRAINT idempotency_key_scope_type_check CHECK (scope_type IN ('USER', 'ORG', 'SERVICE')),
    scope_id        bigint NOT NULL,
    key             text NOT NULL CONSTRAINT idempotency_key_key_check CHECK (key ~ '^[ -~]{1,255}$'),
    operation       text NOT NULL CONSTRAINT idempotency_key_operation_check CHECK (operation ~ '^[a-z][a-z_.]{0,62}$'),
    fingerprint     text NOT NULL CONSTRAINT idempotency_key_fingerprint_check CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    status          text NOT NULL DEFAULT 'IN_PROGRESS'
                    CONSTRAINT idempotency_key_status_check CHECK (status IN ('IN_PROGRESS', 'COMPLETED')),
    response        jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    completed_at    timestamptz,
    expires_at      timestamptz NOT NULL DEFAULT now() + interval '30 days',
    CONSTRAINT idempotency_key_scope_key UNIQUE (scope_type, scope_id, key),
    CONSTRAINT idempotency_key_retention_check CHECK (expires_at >= created_at + interval '30 days'),
    CONSTRAINT idempotency_key_response_check CHECK ((status = 'COMPLETED') = (response IS NOT NULL))
);
COMMENT ON TABLE payments.idempotency_key IS
'Idempotency keys (the seed''s payment_idempotency): a caller''s key (scope: the user, the organization it acts for, or
the back office as SERVICE/0), unique per scope, with the operation, the fingerprint of its request (SHA-256 of the
canonical JSON of its parameters) and the response stored when it completed. Written by payments.idempotency_begin and
payments.idempotency_finish in the transaction of the operation (and of its ledger postings): a failed operation leaves
no key. Kept at least 30 days (expires_at), then deleted by the job payments.idempotency_retention.';
CREATE INDEX idempotency_key_expires_at_idx ON payments.idempotency_key (expires_at);

-- payment intents -----------------------------------------------------------------------------------------------------
CREATE TABLE payments.payment_intent (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT payment_intent_pkey PRIMARY KEY,
    merchant_id      bigint NOT NULL CONSTRAINT payment_intent_merchant_id_fkey REFERENCES identity.organization (id),
    payer_user_id    bigint CONSTRAINT payment_intent_payer_user_id_fkey REFERENCES identity.user_account (id),
    created_by       bigint CONSTRAINT payment_intent_created_by_fkey REFERENCES identity.user_account (id),
    amount           numeric NOT NULL CONSTRAINT payment_intent_amount_check CHECK (amount > 0 AND amount < 1e12),
    currency         char(3) NOT NULL CONSTRAINT payment_intent_currency_fkey REFERENCES masterdata.currency (code),
    description      text NOT NULL DEFAULT '' CONSTRAINT payment_intent_description_check CHECK (length(description) <= 1000),
    metadata         jsonb NOT NULL DEFAULT '{}'
                     CONSTRAINT payment_intent_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    capture_method   text NOT NULL DEFAULT 'AUTOMATIC'
                     CONSTRAINT payment_intent_capture_method_check CHECK (capture_method IN ('AUTOMATIC', 'MANUAL')),
    status           text NOT NULL DEFAULT 'REQUIRES_PAYMENT_METHOD'
                     CONSTRAINT payment_intent_status_check CHECK (status IN ('REQUIRES_PAYMENT_METHOD',
                         'REQUIRES_CONFIRMATION', 'PROCESSING', 'REQUIRES_CAPTURE', 'SUCCEEDED', 'CANCELED')),
    attempt          integer NOT NULL DEFAULT 0 CONSTRAINT payment_intent_attempt_check CHECK (attempt >= 0),
    amount_captured  numeric NOT NULL DEFAULT 0,
    amount_refunded  numeric NOT NULL DEFAULT 0,
    fee              numeric,
    fee_rule_id      bigint CONSTRAINT payment_intent_fee_rule_id_fkey REFERENCES payments.fee_rule (id),
    last_error       text,
    cancellation_reason text,
    expires_at       timestamptz NOT NULL,
    open_expires_at  timestamptz GENERATED ALWAYS AS
                     (CASE WHEN status NOT IN ('SUCCEEDED', 'CANCELED') THEN expires_at END) STORED,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payment_intent_captured_check CHECK (amount_captured >= 0 AND amount_captured <= amount),
    CONSTRAINT payment_intent_refunded_check CHECK (amount_refunded >= 0 AND amount_refunded <= amount_captured),
    CONSTRAINT payment_intent_fee_check CHECK (fee IS NULL OR (fee >= 0 AND fee <= amount_captured))
) WITH (fillfactor = 80);
COMMENT ON TABLE payments.payment_intent IS
'A payment intent (Stripe''s lifecycle): REQUIRES_PAYMENT_METHOD -> REQUIRES_CONFIRMATION (sources given, not yet
confirmed) -> PROCESSING (confirmed, an external share not yet funded) -> REQUIRES_CAPTURE (MANUAL capture: every share
held) or SUCCEEDED (captured), and CANCELED; only SUCCEEDED and CANCELED are final. A failed share returns it to
REQUIRES_PAYMENT_METHOD (attempt counts the confirmations). Transitions and fixed terms are enforced for every writer by
payments.payment_intent_guard_trg; every state change is logged in payments.intent_event. amount_refunded never exceeds
amount_captured (CHECK, behind the conditional UPDATE of payments.refund_intent). The fee is snapshotted at capture.';
COMMENT ON COLUMN payments.payment_intent.open_expires_at IS
'expires_at while the intent is not final (NULL once SUCCEEDED or CANCELED): the expiry job''s index reads it.';
CREATE INDEX payment_intent_merchant_id_idx ON payments.payment_intent (merchant_id, id);
CREATE INDEX payment_intent_payer_user_id_idx ON payments.payment_intent (payer_user_id, id);
CREATE INDEX payment_intent_created_by_idx ON payments.payment_intent (created_by);
CREATE INDEX payment_intent_currency_idx ON payments.payment_intent (currency);
CREATE INDEX payment_intent_fee_rule_id_idx ON payments.payment_intent (fee_rule_id);
CREATE INDEX payment_intent_open_expires_at_idx ON payments.payment_intent (open_expires_at)
    WHERE open_expires_at IS NOT NULL;
CREATE TRIGGER payment_intent_audit AFTER INSERT OR UPDATE ON payments.payment_intent
    FOR EACH ROW EXECUTE FUNCTION audit.track();

CREATE TABLE payments.intent_share (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT intent_share_pkey PRIMARY KEY,
    intent_id       bigint NOT NULL CONSTRAINT intent_share_intent_id_fkey REFERENCES payments.payment_intent (id),
    attempt         integer NOT NULL,
    source          text NOT NULL CONSTRAINT intent_share_source_check CHECK (source IN ('WALLET', 'EXTERNAL')),
    wallet_id       bigint CONSTRAINT intent_share_wallet_id_fkey REFERENCES payments.wallet (account_id),
    rail            text CONSTRAINT intent_share_rail_check CHECK (rail ~ '^[A-Z][A-Z0-9_-]{0,31}$'),
    amount          numeric NOT NULL CONSTRAINT intent_share_amount_check CHECK (amount > 0),
    status          text NOT NULL
                    CONSTRAINT intent_share_status_check CHECK (status IN ('PLANNED', 'PENDING', 'HELD', 'CAPTURED',
                        'RELEASED', 'FAILED', 'CANCELED')),
    hold_id         bigint CONSTRAINT intent_share_hold_id_fkey REFERENCES ledger.hold (id),
    captured        numeric NOT NULL DEFAULT 0,
    refunded        numeric NOT NULL DEFAULT 0,
    failure_reason  text CONSTRAINT intent_share_failure_reason_check CHECK (length(failure_reason) <= 500),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT intent_share_source_fields_check CHECK ((source = 'WALLET') = (rail IS NULL)
                                                       AND (source = 'WALLET' AND wallet_id IS NOT NULL
                                                            OR source = 'EXTERNAL')),
    CONSTRAINT intent_share_held_check CHECK (status NOT IN ('HELD', 'CAPTURED') OR hold_id IS NOT NULL),
    CONSTRAINT intent_share_captured_check CHECK (captured >= 0 AND captured <= amount),
    CONSTRAINT intent_share_refunded_check CHECK (refunded >= 0 AND refunded <= captured),
    CONSTRAINT intent_share_hold_id_key UNIQUE (hold_id)
) WITH (fillfactor = 80);
COMMENT ON TABLE payments.intent_share IS
'One source of a payment intent''s confirmation attempt: a WALLET share (a ledger hold on the payer''s wallet, placed at
confirmation) or an EXTERNAL share (a rail: PENDING until its funding credits a wallet of the payer, then held there;
payments.external_share_funded / external_share_failed). PLANNED: given before confirmation. HELD -> CAPTURED (part or
all; the rest released) or RELEASED; a FAILED share unwinds the attempt (the other holds RELEASED, pending ones
CANCELED). captured and refunded per share: refunds go back to the wallets the money came from.';
CREATE INDEX intent_share_intent_id_idx ON payments.intent_share (intent_id, attempt);
CREATE INDEX intent_share_wallet_id_idx ON payments.intent_share (wallet_id);

CREATE TABLE payments.intent_event (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT intent_event_pkey PRIMARY KEY,
    intent_id       bigint NOT NULL CONSTRAINT intent_event_intent_id_fkey REFERENCES payments.payment_intent (id),
    from_status     text,
    to_status       text NOT NULL,
    actor_user_id   bigint CONSTRAINT intent_event_actor_user_id_fkey REFERENCES identity.user_account (id),
    detail          text,
    at              timestamptz NOT NULL DEFAULT clock_timestamp()
);
COMMENT ON TABLE payments.intent_event IS
'The append-only log of every state change of a payment intent (creation included: from_status NULL), written by the
trigger payments.payment_intent_log for every writer, with the acting user (NULL: the back office or a job) and the
reason (cancellation, failure). Never changes (payments.intent_event_fixed).';
CREATE INDEX intent_event_intent_id_idx ON payments.intent_event (intent_id, id);
CREATE INDEX intent_event_actor_user_id_idx ON payments.intent_event (actor_user_id);
CREATE TRIGGER intent_event_fixed BEFORE UPDATE OR DELETE ON payments.intent_event
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER intent_event_no_truncate BEFORE TRUNCATE ON payments.intent_event
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');

CREATE TABLE payments.intent_refund (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT intent_refund_pkey PRIMARY KEY,
    intent_id       bigint NOT NULL CONSTRAINT intent_refund_intent_id_fkey REFERENCES payments.payment_intent (id),
    amount          numeric NOT NULL CONSTRAINT intent_refund_amount_check CHECK (amount > 0),
    reason          text NOT NULL DEFAULT '' CONSTRAINT intent_refund_reason_check CHECK (length(reason) <= 500),
    reference       text NOT NULL CONSTRAINT intent_refund_reference_key UNIQUE,
    created_by      bigint CONSTRAINT intent_refund_created_by_fkey REFERENCES identity.user_account (id),
    created_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE payments.intent_refund IS
'A refund of a SUCCEEDED payment intent, part or all of what was captured: one ledger posting (reference) from the
merchant''s wallet back to the wallets of the shares. Append-only (payments.intent_refund_fixed).';
CREATE INDEX intent_refund_intent_id_idx ON payments.intent_refund (intent_id);
CREATE INDEX intent_refund_created_by_idx ON payments.intent_refund (created_by);
CREATE TRIGGER intent_refund_audit AFTER INSERT ON payments.intent_refund
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER intent_refund_fixed BEFORE UPDATE OR DELETE ON payments.intent_refund
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER intent_refund_no_truncate BEFORE TRUNCATE ON payments.intent_refund
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');

-- QR codes ------------------------------------------------------------------------------------------------------------
CREATE TABLE payments.qr_code (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT qr_code_pkey PRIMARY KEY,
    merchant_id     bigint NOT NULL CONSTRAINT qr_code_merchant_id_fkey REFERENCES identity.organization (id),
    kind            text NOT NULL CONSTRAINT qr_code_kind_check CHECK (kind IN ('STATIC', 'DYNAMIC')),
    intent_id       bigint CONSTRAINT qr_code_intent_id_fkey REFERENCES payments.payment_intent (id),
    reference       text NOT NULL CONSTRAINT qr_code_reference_key UNIQUE
                    CONSTRAINT qr_code_reference_check CHECK (reference ~ '^[A-Z0-9]{1,25}$'),
    amount          numeric CONSTRAINT qr_code_amount_check CHECK (amount > 0),
    payload         text NOT NULL CONSTRAINT qr_code_payload_key UNIQUE,
    status          text NOT NULL DEFAULT 'ACTIVE' CONSTRAINT qr_code_status_check CHECK (status IN ('ACTIVE', 'USED', 'REVOKED')),
    expires_at      timestamptz,
    used_at         timestamptz,
    created_by      bigint CONSTRAINT qr_code_created_by_fkey REFERENCES identity.user_account (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT qr_code_kind_fields_check CHECK (
        (kind = 'DYNAMIC' AND intent_id IS NOT NULL AND amount IS NOT NULL AND expires_at IS NOT NULL)
        OR (kind = 'STATIC' AND intent_id IS NULL AND amount IS NULL AND status <> 'USED')),
    CONSTRAINT qr_code_intent_id_key UNIQUE (intent_id)
);
COMMENT ON TABLE payments.qr_code IS
'The server-side record a KE-QR payload must match (the payload carries no signature): a merchant''s STATIC code (the
payer enters the amount; usable again) or a DYNAMIC one (a fixed amount, an expiry, single use: ACTIVE -> USED, bound to
one payment intent by its reference in tag 62/05). Paying by QR looks the record up by the reference and requires the
very payload stored; a forged payload (a valid CRC but no matching record) is refused.';
CREATE INDEX qr_code_merchant_id_idx ON payments.qr_code (merchant_id);
CREATE INDEX qr_code_created_by_idx ON payments.qr_code (created_by);
CREATE TRIGGER qr_code_audit AFTER INSERT OR UPDATE ON payments.qr_code
    FOR EACH ROW EXECUTE FUNCTION audit.track();

-- client secrets ------------------------------------------------------------------------------------------------------
CREATE TABLE payments.intent_secret_key (
    id         integer GENERATED ALWAYS AS IDENTITY CONSTRAINT intent_secret_key_pkey PRIMARY KEY,
    secret     bytea NOT NULL CONSTRAINT intent_secret_key_secret_check CHECK (length(secret) >= 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE payments.intent_secret_key IS
'The HMAC key of payment intents'' client secrets (Stripe''s client_secret): an intent''s secret is
pi_<id>_secret_<hex HMAC-SHA256 of the id under this key>, derived when needed and never stored (payments.
intent_client_secret). One row, written by this change. SECRET (core.secret): no role but the owner holds a privilege,
row-level security on.';
CREATE UNIQUE INDEX intent_secret_key_single_idx ON payments.intent_secret_key ((true));
ALTER TABLE payments.intent_secret_key ENABLE ROW LEVEL SECURITY;
INSERT INTO payments.intent_secret_key (secret) VALUES (public.gen_random_bytes(32));
REVOKE ALL ON payments.intent_secret_key FROM PUBLIC;
INSERT INTO core.secret (table_schema, table_name, column_name, kind, reason) VALUES
('payments', 'intent_secret_key', 'secret', 'SECRET', 'the key of payment intents'' client secrets: anyone could confirm a merchant''s intent otherwise');

REVOKE ALL ON payments.idempotency_key, payments.payment_intent, payments.intent_share, payments.intent_event,
    payments.intent_refund, payments.qr_code FROM PUBLIC;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('PAYMENTS_IDEMPOTENCY_MISMATCH', 'payments', 'PT422', 'this idempotency key was used for a different request',
 'use a new key for a new request',
 'The caller already used this idempotency key with other parameters (or another operation); nothing was done.'),
('PAYMENTS_IDEMPOTENCY_IN_PROGRESS', 'payments', 'PT409', 'a request with this idempotency key is in progress',
 'retry the same request shortly: it will return the stored response',
 'Another request with the same key is running now; retry (retryable). Nothing was done.'),
('PAYMENTS_UNKNOWN_INTENT', 'payments', 'PT404', 'no such payment intent', NULL,
 'No payment intent with this id, or one the caller may not see (answered alike): the payer''s, its merchant''s members''. '
 'Confirming (or reading as a non-member) an intent that has no payer yet needs its client secret: an absent or wrong '
 'secret is answered alike, and nothing changes.'),
('PAYMENTS_INTENT_STATE', 'payments', 'PT409', 'the payment intent''s state does not allow this', NULL,
 'The action or transition is not allowed from the intent''s current state (e.g. capture before requires_capture, cancel '
 'after success, refund before success); the detail names both.'),
('PAYMENTS_REFUND_EXCEEDS', 'payments', 'PT409', 'the refund exceeds what remains captured', NULL,
 'Refunds of an intent never exceed the captured amount; the detail gives what remains refundable.'),
('PAYMENTS_UNKNOWN_SHARE', 'payments', 'PT404', 'no such payment intent share', NULL,
 'No external share with this id awaiting its funding.'),
('PAYMENTS_QR_UNKNOWN', 'payments', 'PT404', 'no QR code record matches this payload', NULL,
 'The payload parses (its CRC is right) but no server-side record of the merchant matches it exactly: a forged or '
 'altered code. Nothing was paid.'),
('PAYMENTS_QR_USED', 'payments', 'PT409', 'this QR code was already used', NULL,
 'A dynamic code pays once. Nothing was paid.'),
('PAYMENTS_QR_EXPIRED', 'payments', 'PT409', 'this QR code has expired', NULL,
 'A dynamic code past its expiry (or whose intent is no longer payable). Nothing was paid.');

COMMIT;
