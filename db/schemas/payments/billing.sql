-- Deploy mercato:schemas/payments/billing to pg
-- Merchant billing (issue 19; docs/payments.md, "Merchants, invoices and merchant webhooks"): invoices with their
-- items and payments, and the outbound webhooks to merchants (endpoints, signing secrets with rotation, events with a
-- per-object sequence number, deliveries through the outbox). Tables, the rules that need no function (CHECKs, keys),
-- error codes and the secret declaration; the triggers that hold for every writer come with functions/payments/invoices.
-- No API role holds a privilege on any of these tables: the api functions of functions/api/payments_billing read them.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- invoices ------------------------------------------------------------------------------------------------------------
CREATE TABLE payments.invoice (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT invoice_pkey PRIMARY KEY,
    organization_id  bigint NOT NULL CONSTRAINT invoice_organization_id_fkey REFERENCES identity.organization (id),
    number           bigint CONSTRAINT invoice_number_check CHECK (number > 0),
    status           text NOT NULL DEFAULT 'DRAFT'
                     CONSTRAINT invoice_status_check CHECK (status IN ('DRAFT', 'OPEN', 'PAID', 'VOID', 'UNCOLLECTIBLE')),
    currency         char(3) NOT NULL CONSTRAINT invoice_currency_fkey REFERENCES masterdata.currency (code),
    minor_units      smallint NOT NULL CONSTRAINT invoice_minor_units_check CHECK (minor_units BETWEEN 0 AND 4),
    customer_user_id bigint CONSTRAINT invoice_customer_user_id_fkey REFERENCES identity.user_account (id),
    customer_email   text CONSTRAINT invoice_customer_email_check
                     CHECK (length(customer_email) <= 256 AND customer_email ~ '^[^@\s]+@[^@\s]+$'),
    customer_name    text CONSTRAINT invoice_customer_name_check CHECK (length(btrim(customer_name)) BETWEEN 1 AND 256),
    memo             text NOT NULL DEFAULT '' CONSTRAINT invoice_memo_check CHECK (length(memo) <= 2000),
    due_date         date NOT NULL,
    subtotal         numeric NOT NULL DEFAULT 0 CONSTRAINT invoice_subtotal_check CHECK (subtotal >= 0 AND subtotal < 1e12),
    tax_total        numeric NOT NULL DEFAULT 0 CONSTRAINT invoice_tax_total_check CHECK (tax_total >= 0 AND tax_total < 1e12),
    total            numeric GENERATED ALWAYS AS (subtotal + tax_total) STORED,
    amount_paid      numeric NOT NULL DEFAULT 0,
    amount_due       numeric GENERATED ALWAYS AS (subtotal + tax_total - amount_paid) STORED,
    overdue_at       timestamptz,
    opened_at        timestamptz,
    paid_at          timestamptz,
    closed_at        timestamptz,
    created_by       bigint CONSTRAINT invoice_created_by_fkey REFERENCES identity.user_account (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    metadata         jsonb NOT NULL DEFAULT '{}' CONSTRAINT invoice_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    CONSTRAINT invoice_organization_id_number_key UNIQUE (organization_id, number),
    CONSTRAINT invoice_id_minor_units_key UNIQUE (id, minor_units),
    CONSTRAINT invoice_customer_check CHECK (customer_user_id IS NOT NULL OR customer_email IS NOT NULL),
    CONSTRAINT invoice_amounts_check CHECK (scale(subtotal) <= minor_units AND scale(tax_total) <= minor_units
                                            AND scale(amount_paid) <= minor_units),
    CONSTRAINT invoice_amount_paid_check CHECK (amount_paid >= 0 AND amount_paid <= subtotal + tax_total),
    -- numbered at opening: a DRAFT has no number, OPEN, PAID and UNCOLLECTIBLE have one, VOID has one if it was opened
    CONSTRAINT invoice_number_status_check CHECK (CASE status WHEN 'DRAFT' THEN number IS NULL WHEN 'VOID' THEN true
                                                  ELSE number IS NOT NULL END AND (number IS NULL) = (opened_at IS NULL)),
    CONSTRAINT invoice_paid_check CHECK ((status = 'PAID') = (paid_at IS NOT NULL)
                                         AND (status <> 'PAID' OR amount_paid = subtotal + tax_total)),
    CONSTRAINT invoice_closed_at_check CHECK (CASE status WHEN 'PAID' THEN true
                                              ELSE (status IN ('VOID', 'UNCOLLECTIBLE')) = (closed_at IS NOT NULL) END),
    CONSTRAINT invoice_overdue_at_check CHECK (overdue_at IS NULL OR status <> 'DRAFT')
);
COMMENT ON TABLE payments.invoice IS
'A merchant''s invoice (organization_id: a MERCHANT) to a customer (a user, or an e-mail and name) in a currency, due on
due_date. DRAFT (items may change) -> OPEN (numbered: number is sequential and gapless per merchant, from
core.next_number at opening; items frozen) -> PAID (amount_paid = total) | VOID | UNCOLLECTIBLE (-> PAID or VOID later),
enforced for every writer by trigger invoice_guard. subtotal and tax_total are the sums of the items'' amount and
tax_amount, proven at commit by the deferred constraint triggers invoice_totals / invoice_item_totals; total and
amount_due are generated. overdue_at: when the job payments.invoice_overdue found it OPEN past its due date.';
COMMENT ON COLUMN payments.invoice.minor_units IS
'The currency''s minor units, copied from masterdata.currency by trigger invoice_guard at insert: every amount of the
invoice and of its items (composite foreign key invoice_item_invoice_id_minor_units_fkey) has at most that scale.';
COMMENT ON COLUMN payments.invoice.closed_at IS 'When it became VOID or UNCOLLECTIBLE (kept when an UNCOLLECTIBLE one is paid).';
CREATE INDEX invoice_customer_user_id_idx ON payments.invoice (customer_user_id);
CREATE INDEX invoice_created_by_idx ON payments.invoice (created_by);
CREATE INDEX invoice_currency_idx ON payments.invoice (currency);
-- the overdue job's scan: open invoices not yet marked, by due date (no by-id UPDATE names overdue_at IS NULL)
CREATE INDEX invoice_due_date_idx ON payments.invoice (due_date) WHERE overdue_at IS NULL AND status = 'OPEN';
CREATE TRIGGER invoice_audit AFTER INSERT OR UPDATE OR DELETE ON payments.invoice
    FOR EACH ROW EXECUTE FUNCTION audit.track();

CREATE TABLE payments.invoice_item (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT invoice_item_pkey PRIMARY KEY,
    invoice_id  bigint NOT NULL,
    minor_units smallint NOT NULL,
    position    integer NOT NULL CONSTRAINT invoice_item_position_check CHECK (position BETWEEN 1 AND 500),
    description text NOT NULL CONSTRAINT invoice_item_description_check CHECK (length(btrim(description)) BETWEEN 1 AND 500),
    quantity    numeric NOT NULL CONSTRAINT invoice_item_quantity_check CHECK (quantity > 0 AND quantity < 1e6 AND scale(quantity) <= 3),
    unit_price  numeric NOT NULL CONSTRAINT invoice_item_unit_price_check CHECK (unit_price >= 0 AND unit_price < 1e12),
    tax_rate    numeric NOT NULL DEFAULT 0
                CONSTRAINT invoice_item_tax_rate_check CHECK (tax_rate >= 0 AND tax_rate <= 100 AND scale(tax_rate) <= 4),
    amount      numeric NOT NULL,
    tax_amount  numeric NOT NULL,
    CONSTRAINT invoice_item_invoice_id_minor_units_fkey FOREIGN KEY (invoice_id, minor_units)
        REFERENCES payments.invoice (id, minor_units),
    CONSTRAINT invoice_item_invoice_id_position_key UNIQUE (invoice_id, position),
    CONSTRAINT invoice_item_unit_price_scale_check CHECK (scale(unit_price) <= minor_units),
    -- the line's amount and tax, computed by the database: quantity x unit price, and the tax on it, each rounded half
    -- away from zero (round(numeric, n)) to the currency's minor units
    CONSTRAINT invoice_item_amount_check CHECK (amount = round(quantity * unit_price, minor_units)),
    CONSTRAINT invoice_item_tax_amount_check CHECK (tax_amount = round(amount * tax_rate / 100, minor_units))
);
COMMENT ON TABLE payments.invoice_item IS
'A line of an invoice: description, quantity x unit_price = amount and its tax (tax_rate percent), both rounded half
away from zero to the currency''s minor units and checked by CHECKs; written only while the invoice is DRAFT (trigger
invoice_item_frozen, every writer).';

CREATE TABLE payments.invoice_payment (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT invoice_payment_pkey PRIMARY KEY,
    invoice_id  bigint NOT NULL CONSTRAINT invoice_payment_invoice_id_fkey REFERENCES payments.invoice (id),
    amount      numeric NOT NULL CONSTRAINT invoice_payment_amount_check CHECK (amount > 0 AND amount < 1e12),
    reference   text NOT NULL CONSTRAINT invoice_payment_reference_key UNIQUE
                CONSTRAINT invoice_payment_reference_check CHECK (length(reference) BETWEEN 1 AND 200),
    intent_id   bigint,
    wallet_id   bigint CONSTRAINT invoice_payment_wallet_id_fkey REFERENCES payments.wallet (account_id),
    created_by  bigint CONSTRAINT invoice_payment_created_by_fkey REFERENCES identity.user_account (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE payments.invoice_payment IS
'A payment applied to an invoice, partial or full, linked to what paid it: a payment intent (intent_id, no foreign key
until intents are integrated) or a wallet (wallet_id, api.pay_invoice_from_wallet). reference is unique: applying the
same reference again is idempotent. Written only by payments.apply_invoice_payment, never above the amount due;
append-only (invoice_payment_fixed).';
CREATE INDEX invoice_payment_invoice_id_idx ON payments.invoice_payment (invoice_id);
CREATE INDEX invoice_payment_wallet_id_idx ON payments.invoice_payment (wallet_id);
CREATE INDEX invoice_payment_created_by_idx ON payments.invoice_payment (created_by);
CREATE TRIGGER invoice_payment_fixed BEFORE UPDATE OR DELETE ON payments.invoice_payment
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER invoice_payment_no_truncate BEFORE TRUNCATE ON payments.invoice_payment
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER invoice_payment_audit AFTER INSERT ON payments.invoice_payment
    FOR EACH ROW EXECUTE FUNCTION audit.track();

-- merchant webhooks ---------------------------------------------------------------------------------------------------
CREATE TABLE payments.webhook_endpoint (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT webhook_endpoint_pkey PRIMARY KEY,
    organization_id bigint NOT NULL CONSTRAINT webhook_endpoint_organization_id_fkey REFERENCES identity.organization (id),
    url             text NOT NULL CONSTRAINT webhook_endpoint_url_check CHECK (length(url) <= 2048 AND url ~ '^https://[^\s/]+'),
    event_types     text[] NOT NULL
                    CONSTRAINT webhook_endpoint_event_types_check
                    CHECK (cardinality(event_types) BETWEEN 1 AND 64 AND array_position(event_types, NULL) IS NULL
                           AND array_to_string(event_types, ',') ~ '^(\*|[a-z][a-z_]*\.[a-z][a-z_]*)(,(\*|[a-z][a-z_]*\.[a-z][a-z_]*))*$'),
    status          text NOT NULL DEFAULT 'ENABLED' CONSTRAINT webhook_endpoint_status_check CHECK (status IN ('ENABLED', 'DISABLED')),
    created_by      bigint CONSTRAINT webhook_endpoint_created_by_fkey REFERENCES identity.user_account (id),
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE payments.webhook_endpoint IS
'Where a merchant receives its events: an https URL, the event types it wants (invoice.paid, ..., or * for all) and a
status (ENABLED, DISABLED: no new deliveries). Its signing secrets are in payments.webhook_secret.';
CREATE INDEX webhook_endpoint_organization_id_idx ON payments.webhook_endpoint (organization_id);
CREATE INDEX webhook_endpoint_created_by_idx ON payments.webhook_endpoint (created_by);
CREATE TRIGGER webhook_endpoint_audit AFTER INSERT OR UPDATE OR DELETE ON payments.webhook_endpoint
    FOR EACH ROW EXECUTE FUNCTION audit.track();

CREATE TABLE payments.webhook_secret (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT webhook_secret_pkey PRIMARY KEY,
    endpoint_id bigint NOT NULL CONSTRAINT webhook_secret_endpoint_id_fkey REFERENCES payments.webhook_endpoint (id),
    secret      text NOT NULL CONSTRAINT webhook_secret_secret_check CHECK (secret ~ '^whsec_[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz,
    CONSTRAINT webhook_secret_expires_at_check CHECK (expires_at IS NULL OR expires_at >= created_at)
);
COMMENT ON TABLE payments.webhook_secret IS
'An endpoint''s signing secrets (HMAC-SHA256 keys, shown to the merchant once, at creation or rotation). A secret is
valid from created_at until expires_at (NULL: no end): a rotation sets the old one''s expires_at to the end of the
rotation window, so both sign every message until then. secret is SECRET (core.secret): no role but the owner holds a
privilege on this table, and row-level security is on without a policy.';
CREATE INDEX webhook_secret_endpoint_id_idx ON payments.webhook_secret (endpoint_id);
ALTER TABLE payments.webhook_secret ENABLE ROW LEVEL SECURITY;

CREATE TABLE payments.merchant_event (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT merchant_event_pkey PRIMARY KEY,
    organization_id bigint NOT NULL CONSTRAINT merchant_event_organization_id_fkey REFERENCES identity.organization (id),
    object_type     text NOT NULL CONSTRAINT merchant_event_object_type_check CHECK (object_type ~ '^[a-z][a-z_]{0,31}$'),
    object_id       bigint NOT NULL,
    sequence        bigint NOT NULL CONSTRAINT merchant_event_sequence_check CHECK (sequence > 0),
    event_type      text NOT NULL
                    CONSTRAINT merchant_event_event_type_check CHECK (event_type ~ '^[a-z][a-z_]{0,31}\.[a-z][a-z_]{0,31}$'),
    payload         jsonb NOT NULL CONSTRAINT merchant_event_payload_check
                    CHECK (jsonb_typeof(payload) = 'object' AND octet_length(payload::text) <= 65536),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT merchant_event_object_sequence_key UNIQUE (object_type, object_id, sequence)
);
COMMENT ON TABLE payments.merchant_event IS
'An event for a merchant about one of its objects (an invoice, a payment intent, ...): sequence numbers the object''s
events 1, 2, 3, ... without gaps (core.next_number under the counter row''s lock), so a merchant orders what it
receives. Written only by payments.emit_merchant_event; append-only (merchant_event_fixed).';
CREATE INDEX merchant_event_organization_id_idx ON payments.merchant_event (organization_id, id);
CREATE TRIGGER merchant_event_fixed BEFORE UPDATE OR DELETE ON payments.merchant_event
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');
CREATE TRIGGER merchant_event_no_truncate BEFORE TRUNCATE ON payments.merchant_event
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('PAYMENTS_IMMUTABLE');

CREATE TABLE payments.webhook_delivery (
    id          bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT webhook_delivery_pkey PRIMARY KEY,
    event_id    bigint NOT NULL CONSTRAINT webhook_delivery_event_id_fkey REFERENCES payments.merchant_event (id),
    endpoint_id bigint NOT NULL CONSTRAINT webhook_delivery_endpoint_id_fkey REFERENCES payments.webhook_endpoint (id),
    attempt     integer NOT NULL CONSTRAINT webhook_delivery_attempt_check CHECK (attempt BETWEEN 1 AND 1000),
    message_id  bigint CONSTRAINT webhook_delivery_message_id_fkey REFERENCES outbox.message (id) ON DELETE SET NULL,
    signed_at   timestamptz NOT NULL,
    created_by  bigint CONSTRAINT webhook_delivery_created_by_fkey REFERENCES identity.user_account (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_delivery_event_id_endpoint_id_attempt_key UNIQUE (event_id, endpoint_id, attempt)
);
COMMENT ON TABLE payments.webhook_delivery IS
'An event handed to one endpoint: attempt 1 when emitted, 2, 3, ... for each replay (api.replay_merchant_event). The
outbox message (message_id; NULL once the outbox''s retention deleted it, SENT) carries the signed request and its
retries with backoff; its state, attempts and last error are the delivery''s. signed_at is the signature''s timestamp.';
CREATE INDEX webhook_delivery_endpoint_id_idx ON payments.webhook_delivery (endpoint_id);
CREATE INDEX webhook_delivery_message_id_idx ON payments.webhook_delivery (message_id);
CREATE INDEX webhook_delivery_created_by_idx ON payments.webhook_delivery (created_by);

REVOKE ALL ON payments.invoice, payments.invoice_item, payments.invoice_payment, payments.webhook_endpoint,
    payments.webhook_secret, payments.merchant_event, payments.webhook_delivery FROM PUBLIC;

INSERT INTO core.secret (table_schema, table_name, column_name, kind, reason) VALUES
('payments', 'webhook_secret', 'secret', 'SECRET', 'the key that signs a merchant''s webhooks: a forged event otherwise');

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('PAYMENTS_UNKNOWN_MERCHANT', 'payments', 'PT404', 'no such merchant', NULL,
 'No MERCHANT organization with this id, or one the caller does not act for with the role the action needs (answered '
 'alike).'),
('PAYMENTS_UNKNOWN_INVOICE', 'payments', 'PT404', 'no such invoice', NULL,
 'No invoice with this id, or one the caller may not see (its merchant''s members, its customer; answered alike).'),
('PAYMENTS_INVOICE_STATE', 'payments', 'PT409', 'the invoice is not in a state that allows this', NULL,
 'DRAFT -> OPEN | VOID, OPEN -> PAID | VOID | UNCOLLECTIBLE, UNCOLLECTIBLE -> PAID | VOID; items change only while '
 'DRAFT; an invoice with payments is not voided; the detail names the invoice, its state and the change refused.'),
('PAYMENTS_INVOICE_TOTALS_MISMATCH', 'payments', 'PT409', 'the invoice totals are not the sums of its items', NULL,
 'At commit an invoice''s subtotal and tax_total must equal the sums of its items'' amount and tax_amount, and a '
 'caller''s expected total must equal the one the database computed; the detail gives both sides.'),
('PAYMENTS_INVOICE_OVERPAID', 'payments', 'PT409', 'the payment exceeds the amount due', NULL,
 'A payment is never above the invoice''s amount due; the detail gives both.'),
('PAYMENTS_REFERENCE_CONFLICT', 'payments', 'PT409', 'this payment reference was used for another payment', NULL,
 'A payment reference is applied once: the same reference with another invoice, amount or intent is refused.'),
('PAYMENTS_UNKNOWN_ENDPOINT', 'payments', 'PT404', 'no such webhook endpoint', NULL,
 'No webhook endpoint with this id, or one of a merchant the caller does not administer (answered alike).'),
('PAYMENTS_UNKNOWN_EVENT', 'payments', 'PT404', 'no such merchant event', NULL,
 'No merchant event with this id, or one of a merchant the caller does not administer (answered alike).');

COMMIT;
