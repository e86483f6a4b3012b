-- Deploy mercato:schemas/orders to pg
-- The shared orders module (issue 18; docs/orders.md): customers of a tenant, sales orders and their lines (snapshots
-- of the catalog at the time of the order), the payments and refunds recorded against them (money itself moves in the
-- ledger), the tenant's tax rates, and the lookups other products extend (order sources, payment methods).
-- Every row carries its tenant; children reference parents by (id, tenant_id), so no row points into another tenant.
-- No API role writes these tables: writes go through the SECURITY DEFINER functions of functions/orders/*; reads
-- through row-level security (schemas/orders/rls).
-- Status, financial status and fulfilment status move only along allowed transitions (trigger
-- sales_order_transition, functions/orders/guards), and the financial status always agrees with the amounts (CHECK).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE SCHEMA orders;
COMMENT ON SCHEMA orders IS
'Shared orders: customers, sales orders and lines, payments and refunds (money in the ledger), tax rates, order
sources and payment methods. Written by functions only; read under row-level security per tenant.';
GRANT USAGE ON SCHEMA orders TO mercato_user, mercato_service;

-- lookups other products extend ---------------------------------------------------------------------------------------
CREATE TABLE orders.source (
    code        text CONSTRAINT source_pkey PRIMARY KEY CONSTRAINT source_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]{0,31}$'),
    description text NOT NULL
);
COMMENT ON TABLE orders.source IS
'Where an order comes from (the seed''s channels): ONLINE_STORE, POS, SHOPIFY, BINDERPOS, TCGPLAYER, EBAY, AMAZON,
GOOGLE, MANUAL. A product adds its own sources with a sqitch change. Also the channel whose inventory buffer the order''s
reservations respect.';
INSERT INTO orders.source (code, description) VALUES
('ONLINE_STORE', 'The shop''s own web store'), ('POS', 'In store, at the point of sale'),
('SHOPIFY', 'Shopify'), ('BINDERPOS', 'BinderPOS'), ('TCGPLAYER', 'TCGplayer marketplace'), ('EBAY', 'eBay'),
('AMAZON', 'Amazon'), ('GOOGLE', 'Google Shopping'), ('MANUAL', 'Entered by staff');

CREATE TABLE orders.payment_method (
    code        text CONSTRAINT payment_method_pkey PRIMARY KEY
                CONSTRAINT payment_method_code_check CHECK (code ~ '^[A-Z][A-Z0-9_]{0,31}$'),
    description text NOT NULL
);
COMMENT ON TABLE orders.payment_method IS
'How an order is paid: STORE_CREDIT (the customer''s store-credit ledger account), LOYALTY_POINTS (points redeemed at
the tenant''s rate), EXTERNAL (paid on an external channel, recorded against it). Later products add WALLET,
PAYMENT_INTENT and CREDIT_LINE with a sqitch change.';
INSERT INTO orders.payment_method (code, description) VALUES
('STORE_CREDIT', 'The customer''s store credit'), ('LOYALTY_POINTS', 'Loyalty points redeemed'),
('EXTERNAL', 'Paid on an external channel (TCGplayer, eBay, a card terminal…), recorded against it');

GRANT SELECT ON orders.source, orders.payment_method TO mercato_anon, mercato_user, mercato_service;

-- customers -----------------------------------------------------------------------------------------------------------
CREATE TABLE orders.customer (
    id                   bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT customer_pkey PRIMARY KEY,
    tenant_id            bigint NOT NULL CONSTRAINT customer_tenant_id_fkey REFERENCES identity.tenant (id),
    user_id              bigint CONSTRAINT customer_user_id_fkey REFERENCES identity.user_account (id),
    email                text CONSTRAINT customer_email_check
                         CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$'
                                AND length(email) <= 254),
    first_name           text CONSTRAINT customer_first_name_check CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
    last_name            text CONSTRAINT customer_last_name_check CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
    phone                text CONSTRAINT customer_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    default_address      jsonb CONSTRAINT customer_default_address_check CHECK (jsonb_typeof(default_address) = 'object'),
    status               text NOT NULL DEFAULT 'ACTIVE'
                         CONSTRAINT customer_status_check CHECK (status IN ('ACTIVE', 'DISABLED', 'INVITED', 'DECLINED')),
    accepts_marketing    boolean NOT NULL DEFAULT false,
    marketing_consent_at timestamptz,
    tags                 text[] NOT NULL DEFAULT '{}' CONSTRAINT customer_tags_check CHECK (cardinality(tags) <= 50),
    note                 text CONSTRAINT customer_note_check CHECK (length(note) <= 5000),
    metadata             jsonb NOT NULL DEFAULT '{}' CONSTRAINT customer_metadata_check CHECK (jsonb_typeof(metadata) = 'object'),
    total_spent          numeric NOT NULL DEFAULT 0 CONSTRAINT customer_total_spent_check CHECK (total_spent >= 0),
    order_count          integer NOT NULL DEFAULT 0 CONSTRAINT customer_order_count_check CHECK (order_count >= 0),
    last_order_at        timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now(),
    -- consent is recorded with its time: the marketing flag never stands without it
    CONSTRAINT customer_consent_check CHECK (NOT accepts_marketing OR marketing_consent_at IS NOT NULL),
    CONSTRAINT customer_identified_check CHECK (email IS NOT NULL OR phone IS NOT NULL OR user_id IS NOT NULL
                                                OR last_name IS NOT NULL),
    CONSTRAINT customer_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT customer_tenant_id_email_key UNIQUE (tenant_id, email),
    CONSTRAINT customer_tenant_id_user_id_key UNIQUE (tenant_id, user_id)
);
COMMENT ON TABLE orders.customer IS
'A buyer of a tenant: e-mail (lower case, unique per tenant), names, phone (E.164), default address, status ACTIVE,
DISABLED, INVITED or DECLINED, marketing consent (with its time), tags, note, metadata; user_id links a signed-in user
of the tenant (one customer per user). total_spent, order_count and last_order_at are kept by the order flow. Store
credit and loyalty points are ledger accounts of the customer (owner CUSTOMER), never columns.';
COMMENT ON COLUMN orders.customer.total_spent IS
'Net amount paid on the customer''s orders (payments less refunds), in the tenant''s currency; kept by the payment and
refund functions in the same transaction.';
CREATE INDEX customer_tenant_id_name_idx ON orders.customer (tenant_id, last_name, first_name);
CREATE INDEX customer_tags_idx ON orders.customer USING gin (tags);
CREATE INDEX customer_user_id_idx ON orders.customer (user_id) WHERE user_id IS NOT NULL;

-- tax rates -----------------------------------------------------------------------------------------------------------
CREATE TABLE orders.tax_rate (
    tenant_id      bigint NOT NULL CONSTRAINT tax_rate_tenant_id_fkey REFERENCES identity.tenant (id),
    tax_code       text NOT NULL CONSTRAINT tax_rate_tax_code_check CHECK (length(btrim(tax_code)) BETWEEN 1 AND 64),
    effective_from date NOT NULL CONSTRAINT tax_rate_effective_from_check CHECK (effective_from BETWEEN '2000-01-01' AND '2200-01-01'),
    rate           numeric NOT NULL CONSTRAINT tax_rate_rate_check CHECK (rate >= 0 AND rate < 1 AND scale(rate) <= 6),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tax_rate_pkey PRIMARY KEY (tenant_id, tax_code, effective_from)
);
COMMENT ON TABLE orders.tax_rate IS
'A tenant''s sales-tax rate per tax code (catalog.variant.tax_code; the code STANDARD for taxable variants without
one), effective from a date until the next row of the code: an order takes the rate in force on its date. A rate is a
fraction (0.0825 = 8.25 %). Rows are added, never changed, so past orders stay reproducible.';

-- sales orders --------------------------------------------------------------------------------------------------------
CREATE TABLE orders.sales_order (
    id                 bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT sales_order_pkey PRIMARY KEY,
    tenant_id          bigint NOT NULL CONSTRAINT sales_order_tenant_id_fkey REFERENCES identity.tenant (id),
    number             bigint NOT NULL CONSTRAINT sales_order_number_check CHECK (number > 0),
    source             text NOT NULL CONSTRAINT sales_order_source_fkey REFERENCES orders.source (code),
    external_id        text CONSTRAINT sales_order_external_id_check CHECK (external_id ~ '^[^[:space:]](.{0,98}[^[:space:]])?$'),
    request_hash       uuid,
    customer_id        bigint,
    customer_email     text CONSTRAINT sales_order_customer_email_check CHECK (length(customer_email) <= 254),
    currency           char(3) NOT NULL,
    status             text NOT NULL DEFAULT 'PENDING' CONSTRAINT sales_order_status_check
                       CHECK (status IN ('PENDING', 'PROCESSING', 'FULFILLED', 'CANCELLED', 'REFUNDED')),
    financial_status   text NOT NULL DEFAULT 'PENDING' CONSTRAINT sales_order_financial_status_check
                       CHECK (financial_status IN ('PENDING', 'AUTHORIZED', 'PARTIALLY_PAID', 'PAID',
                                                   'PARTIALLY_REFUNDED', 'REFUNDED', 'VOIDED')),
    fulfillment_status text NOT NULL DEFAULT 'UNFULFILLED' CONSTRAINT sales_order_fulfillment_status_check
                       CHECK (fulfillment_status IN ('UNFULFILLED', 'PARTIAL', 'FULFILLED')),
    subtotal           numeric NOT NULL CONSTRAINT sales_order_subtotal_check CHECK (subtotal >= 0 AND subtotal < 1e15),
    total_discounts    numeric NOT NULL DEFAULT 0 CONSTRAINT sales_order_total_discounts_check CHECK (total_discounts >= 0),
    total_tax          numeric NOT NULL DEFAULT 0 CONSTRAINT sales_order_total_tax_check CHECK (total_tax >= 0),
    total_shipping     numeric NOT NULL DEFAULT 0 CONSTRAINT sales_order_total_shipping_check CHECK (total_shipping >= 0 AND total_shipping < 1e15),
    total_price        numeric NOT NULL CONSTRAINT sales_order_total_price_check CHECK (total_price >= 0),
    amount_paid        numeric NOT NULL DEFAULT 0 CONSTRAINT sales_order_amount_paid_check CHECK (amount_paid >= 0),
    amount_refunded    numeric NOT NULL DEFAULT 0 CONSTRAINT sales_order_amount_refunded_check CHECK (amount_refunded >= 0),
    shipping_address   jsonb CONSTRAINT sales_order_shipping_address_check CHECK (jsonb_typeof(shipping_address) = 'object'),
    billing_address    jsonb CONSTRAINT sales_order_billing_address_check CHECK (jsonb_typeof(billing_address) = 'object'),
    shipping_method    text CONSTRAINT sales_order_shipping_method_check CHECK (length(btrim(shipping_method)) BETWEEN 1 AND 100),
    tracking_numbers   text[] NOT NULL DEFAULT '{}' CONSTRAINT sales_order_tracking_numbers_check CHECK (cardinality(tracking_numbers) <= 100),
    tags               text[] NOT NULL DEFAULT '{}' CONSTRAINT sales_order_tags_check CHECK (cardinality(tags) <= 50),
    note               text CONSTRAINT sales_order_note_check CHECK (length(note) <= 5000),
    channel_data       jsonb NOT NULL DEFAULT '{}' CONSTRAINT sales_order_channel_data_check CHECK (jsonb_typeof(channel_data) = 'object'),
    placed_by          bigint,
    reserve_until      timestamptz,
    processed_at       timestamptz,
    fulfilled_at       timestamptz,
    cancelled_at       timestamptz,
    cancel_reason      text CONSTRAINT sales_order_cancel_reason_check CHECK (length(btrim(cancel_reason)) BETWEEN 1 AND 500),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    -- the totals add up, whoever writes
    CONSTRAINT sales_order_total_check CHECK (total_price = subtotal - total_discounts + total_tax + total_shipping),
    CONSTRAINT sales_order_discounts_check CHECK (total_discounts <= subtotal),
    -- money received and returned never exceeds what the order is worth
    CONSTRAINT sales_order_paid_check CHECK (amount_refunded <= amount_paid AND amount_paid <= total_price),
    -- the financial status says what the amounts say
    CONSTRAINT sales_order_financial_check CHECK (CASE financial_status
        WHEN 'PENDING' THEN amount_paid = 0
        WHEN 'AUTHORIZED' THEN amount_paid = 0
        WHEN 'VOIDED' THEN amount_paid = 0
        WHEN 'PARTIALLY_PAID' THEN amount_refunded = 0 AND amount_paid > 0 AND amount_paid < total_price
        WHEN 'PAID' THEN amount_refunded = 0 AND amount_paid = total_price
        WHEN 'PARTIALLY_REFUNDED' THEN amount_refunded > 0 AND amount_refunded < amount_paid
        WHEN 'REFUNDED' THEN amount_refunded > 0 AND amount_refunded = amount_paid END),
    CONSTRAINT sales_order_cancelled_check CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)
                                                  AND (cancelled_at IS NULL OR cancel_reason IS NOT NULL)),
    CONSTRAINT sales_order_external_check CHECK ((external_id IS NULL) = (request_hash IS NULL)),
    CONSTRAINT sales_order_currency_fkey FOREIGN KEY (tenant_id, currency) REFERENCES identity.tenant (id, currency),
    CONSTRAINT sales_order_customer_id_fkey FOREIGN KEY (customer_id, tenant_id) REFERENCES orders.customer (id, tenant_id),
    CONSTRAINT sales_order_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT sales_order_tenant_id_number_key UNIQUE (tenant_id, number),
    -- importing the same external order twice finds the first
    CONSTRAINT sales_order_tenant_id_source_external_id_key UNIQUE (tenant_id, source, external_id)
) WITH (fillfactor = 85);
COMMENT ON TABLE orders.sales_order IS
'An order of a tenant: number (sequential per tenant, gapless: core.next_number), source and, for an imported order,
the channel''s external id (unique per tenant and source: importing it again returns this order) with the hash of the
request that created it; customer; currency (the tenant''s, by foreign key); status, financial status and fulfilment
status (allowed transitions by trigger; the financial status agrees with amount_paid and amount_refunded by CHECK);
subtotal, discounts, tax, shipping and total computed by the database (CHECK total = subtotal - discounts + tax +
shipping; functions/orders/* check the subtotal, discounts and tax against the lines); addresses, shipping method,
tracking numbers, tags, note, channel data. Never deleted: a cancellation is a state with its reason.';
COMMENT ON COLUMN orders.sales_order.reserve_until IS
'When the order''s unpaid reservations expire (the inventory''s sweep releases them); NULL: they do not expire.';
CREATE INDEX sales_order_tenant_id_created_at_idx ON orders.sales_order (tenant_id, created_at DESC);
CREATE INDEX sales_order_tenant_id_status_idx ON orders.sales_order (tenant_id, status, created_at DESC);
CREATE INDEX sales_order_customer_id_idx ON orders.sales_order (customer_id, tenant_id) WHERE customer_id IS NOT NULL;
CREATE INDEX sales_order_open_fulfilment_idx ON orders.sales_order (tenant_id, fulfillment_status)
    WHERE fulfillment_status <> 'FULFILLED' AND status IN ('PENDING', 'PROCESSING');

CREATE TABLE orders.line (
    id                 bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT line_pkey PRIMARY KEY,
    tenant_id          bigint NOT NULL CONSTRAINT line_tenant_id_fkey REFERENCES identity.tenant (id),
    order_id           bigint NOT NULL,
    line_no            smallint NOT NULL CONSTRAINT line_line_no_check CHECK (line_no BETWEEN 1 AND 500),
    variant_id         bigint NOT NULL,
    quantity           integer NOT NULL CONSTRAINT line_quantity_check CHECK (quantity > 0 AND quantity <= 1000000),
    price              numeric NOT NULL CONSTRAINT line_price_check CHECK (price >= 0 AND price < 1e15),
    total_discount     numeric NOT NULL DEFAULT 0 CONSTRAINT line_total_discount_check CHECK (total_discount >= 0),
    taxable            boolean NOT NULL,
    tax_code           text,
    tax_rate           numeric NOT NULL DEFAULT 0 CONSTRAINT line_tax_rate_check CHECK (tax_rate >= 0 AND tax_rate < 1),
    tax_amount         numeric NOT NULL DEFAULT 0 CONSTRAINT line_tax_amount_check CHECK (tax_amount >= 0),
    subtotal           numeric GENERATED ALWAYS AS (price * quantity) STORED,
    fulfilled_quantity integer NOT NULL DEFAULT 0 CONSTRAINT line_fulfilled_quantity_check CHECK (fulfilled_quantity >= 0),
    refunded_quantity  integer NOT NULL DEFAULT 0 CONSTRAINT line_refunded_quantity_check CHECK (refunded_quantity >= 0),
    title              text NOT NULL CONSTRAINT line_title_check CHECK (length(title) BETWEEN 1 AND 500),
    sku                text NOT NULL CONSTRAINT line_sku_check CHECK (length(sku) BETWEEN 1 AND 100),
    variant_title      text CONSTRAINT line_variant_title_check CHECK (length(variant_title) <= 500),
    vendor             text CONSTRAINT line_vendor_check CHECK (length(vendor) <= 200),
    requires_shipping  boolean NOT NULL DEFAULT true,
    properties         jsonb NOT NULL DEFAULT '{}' CONSTRAINT line_properties_check CHECK (jsonb_typeof(properties) = 'object'),
    created_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT line_discount_check CHECK (total_discount <= price * quantity),
    CONSTRAINT line_fulfilled_check CHECK (fulfilled_quantity <= quantity),
    CONSTRAINT line_refunded_check CHECK (refunded_quantity <= quantity),
    CONSTRAINT line_tax_check CHECK (taxable OR (tax_rate = 0 AND tax_amount = 0)),
    CONSTRAINT line_order_id_fkey FOREIGN KEY (order_id, tenant_id) REFERENCES orders.sales_order (id, tenant_id),
    CONSTRAINT line_variant_id_fkey FOREIGN KEY (variant_id, tenant_id) REFERENCES catalog.variant (id, tenant_id),
    CONSTRAINT line_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT line_order_id_line_no_key UNIQUE (order_id, line_no)
) WITH (fillfactor = 85);
COMMENT ON TABLE orders.line IS
'A line of an order: the variant, quantity, unit price, discount and tax (rate in force on the order''s date, amount
rounded to the currency''s minor units), and a snapshot of title, SKU, variant title and vendor taken when the order was
placed (later catalog edits do not change it). fulfilled_quantity and refunded_quantity never exceed quantity. Its
stock is reserved in the inventory under the reference (orders, line, id). Never deleted.';
COMMENT ON COLUMN orders.line.subtotal IS 'price * quantity (generated), before discount and tax.';
CREATE INDEX line_variant_id_idx ON orders.line (variant_id, tenant_id);

-- payments and refunds ------------------------------------------------------------------------------------------------
CREATE TABLE orders.payment (
    id                    bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT payment_pkey PRIMARY KEY,
    tenant_id             bigint NOT NULL CONSTRAINT payment_tenant_id_fkey REFERENCES identity.tenant (id),
    order_id              bigint NOT NULL,
    kind                  text NOT NULL CONSTRAINT payment_kind_check CHECK (kind IN ('PAYMENT', 'REFUND')),
    method                text NOT NULL CONSTRAINT payment_method_fkey REFERENCES orders.payment_method (code),
    amount                numeric NOT NULL CONSTRAINT payment_amount_check CHECK (amount > 0 AND amount < 1e15),
    currency              char(3) NOT NULL CONSTRAINT payment_currency_fkey REFERENCES masterdata.currency (code),
    points                bigint CONSTRAINT payment_points_check CHECK (points > 0),
    external_reference    text CONSTRAINT payment_external_reference_check
                          CHECK (external_reference ~ '^[^[:space:]](.{0,126}[^[:space:]])?$'),
    ledger_transaction_id bigint,
    refund_of             bigint,
    reason                text CONSTRAINT payment_reason_check CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    actor_user_id         bigint,
    created_at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT payment_points_method_check CHECK ((method = 'LOYALTY_POINTS') = (points IS NOT NULL)),
    CONSTRAINT payment_external_check CHECK (method <> 'EXTERNAL' OR kind = 'REFUND' OR external_reference IS NOT NULL),
    CONSTRAINT payment_refund_check CHECK ((kind = 'REFUND') = (refund_of IS NOT NULL)),
    CONSTRAINT payment_order_id_fkey FOREIGN KEY (order_id, tenant_id) REFERENCES orders.sales_order (id, tenant_id),
    CONSTRAINT payment_refund_of_fkey FOREIGN KEY (refund_of, tenant_id) REFERENCES orders.payment (id, tenant_id),
    CONSTRAINT payment_id_tenant_id_key UNIQUE (id, tenant_id)
);
COMMENT ON TABLE orders.payment IS
'A payment received for an order, or a refund of one (kind), by a method (STORE_CREDIT, LOYALTY_POINTS, EXTERNAL, …):
amount in the order''s currency, points redeemed (LOYALTY_POINTS), the channel''s reference (EXTERNAL payments: unique
per tenant and method, so recording one twice is refused), the ledger transaction that moved the money, the payment a
refund returns (refund_of), reason, actor. Append-only: no UPDATE, DELETE or TRUNCATE, whoever writes.';
CREATE UNIQUE INDEX payment_external_reference_key ON orders.payment (tenant_id, method, external_reference)
    WHERE kind = 'PAYMENT' AND external_reference IS NOT NULL;
CREATE INDEX payment_order_id_idx ON orders.payment (order_id, tenant_id);
CREATE INDEX payment_refund_of_idx ON orders.payment (refund_of, tenant_id) WHERE refund_of IS NOT NULL;
CREATE TRIGGER payment_immutable BEFORE UPDATE OR DELETE ON orders.payment
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('ORDERS_IMMUTABLE');
CREATE TRIGGER payment_no_truncate BEFORE TRUNCATE ON orders.payment
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('ORDERS_IMMUTABLE');

CREATE TABLE orders.refund_line (
    payment_id bigint NOT NULL,
    tenant_id  bigint NOT NULL CONSTRAINT refund_line_tenant_id_fkey REFERENCES identity.tenant (id),
    line_id    bigint NOT NULL,
    quantity   integer NOT NULL CONSTRAINT refund_line_quantity_check CHECK (quantity > 0),
    restock    boolean NOT NULL,
    CONSTRAINT refund_line_pkey PRIMARY KEY (payment_id, line_id),
    CONSTRAINT refund_line_payment_id_fkey FOREIGN KEY (payment_id, tenant_id) REFERENCES orders.payment (id, tenant_id),
    CONSTRAINT refund_line_line_id_fkey FOREIGN KEY (line_id, tenant_id) REFERENCES orders.line (id, tenant_id)
);
COMMENT ON TABLE orders.refund_line IS
'The lines (and quantities) a refund returns, and whether the goods went back to stock. Append-only.';
CREATE INDEX refund_line_line_id_idx ON orders.refund_line (line_id, tenant_id);
CREATE TRIGGER refund_line_immutable BEFORE UPDATE OR DELETE ON orders.refund_line
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('ORDERS_IMMUTABLE');
CREATE TRIGGER refund_line_no_truncate BEFORE TRUNCATE ON orders.refund_line
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('ORDERS_IMMUTABLE');

CREATE TRIGGER sales_order_no_delete BEFORE DELETE OR TRUNCATE ON orders.sales_order
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('ORDERS_IMMUTABLE');
CREATE TRIGGER line_no_delete BEFORE DELETE OR TRUNCATE ON orders.line
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('ORDERS_IMMUTABLE');
CREATE TRIGGER customer_audit AFTER INSERT OR UPDATE OR DELETE ON orders.customer
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER tax_rate_immutable BEFORE UPDATE OR DELETE ON orders.tax_rate
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('ORDERS_IMMUTABLE');

REVOKE ALL ON orders.customer, orders.tax_rate, orders.sales_order, orders.line, orders.payment, orders.refund_line
    FROM PUBLIC;

-- permission --------------------------------------------------------------------------------------------------------
INSERT INTO identity.permission (code, description, tenant_grantable) VALUES
('orders.manage', 'Manage a tenant''s orders and customers: place and import orders, record payments, cancel, refund, '
 'fulfil, set tax rates.', true);
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code IN ('PLATFORM_ADMIN', 'TENANT_ADMIN') AND r.tenant_id IS NULL AND p.code = 'orders.manage';

-- errors --------------------------------------------------------------------------------------------------------------
INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('ORDERS_INVALID_INPUT', 'orders', 'PT400', 'invalid order input', NULL,
 'A parameter is missing, malformed or out of range; the detail names the field and the reason. Nothing was written.'),
('ORDERS_UNKNOWN_ORDER', 'orders', 'PT404', 'no such order', NULL, 'No order with this id in the caller''s tenant.'),
('ORDERS_UNKNOWN_CUSTOMER', 'orders', 'PT404', 'no such customer', NULL,
 'No customer with this id in the caller''s tenant.'),
('ORDERS_CUSTOMER_EXISTS', 'orders', 'PT409', 'a customer with this e-mail or user already exists', NULL,
 'A customer''s e-mail, and the user linked to it, are unique within the tenant.'),
('ORDERS_UNKNOWN_VARIANT', 'orders', 'PT404', 'no such variant', NULL,
 'An order line names a variant that is not in the caller''s tenant''s catalog, or is archived.'),
('ORDERS_TOTALS_MISMATCH', 'orders', 'PT422', 'the totals sent do not match the totals computed', NULL,
 'The database computes subtotal, discounts, tax, shipping and total from the lines; a caller that sends expected '
 'totals gets this error when they differ, with both in the detail. Nothing was written.'),
('ORDERS_INVALID_TRANSITION', 'orders', 'PT409', 'the order cannot move to this state', NULL,
 'Status, financial status and fulfilment status move only along the allowed transitions (docs/orders.md); the '
 'detail names the field, the current and the requested state.'),
('ORDERS_IMPORT_CONFLICT', 'orders', 'PT409', 'this external order was imported with different content', NULL,
 'An import with the same source and external id as an existing order but a different request: the first order '
 'stands; the detail names it.'),
('ORDERS_PAYMENT_EXCEEDS', 'orders', 'PT409', 'the payment exceeds what is owed', NULL,
 'A payment larger than the order''s total less what is already paid; the detail names the amount owed.'),
('ORDERS_REFUND_EXCEEDS', 'orders', 'PT409', 'the refund exceeds what was paid', NULL,
 'A refund larger than what was paid and not yet refunded, or of more units of a line than were bought and not yet '
 'refunded; the detail names what remains.'),
('ORDERS_NOT_PAYABLE', 'orders', 'PT409', 'the order does not take payments', NULL,
 'A cancelled, refunded or voided order, or one already paid in full.'),
('ORDERS_FULFILMENT_EXCEEDS', 'orders', 'PT409', 'more would be fulfilled than was ordered', NULL,
 'Fulfilling more units of a line than remain unfulfilled; the detail names the line and what remains.'),
('ORDERS_PAYMENT_TAKEN', 'orders', 'PT409', 'this external payment is already recorded', NULL,
 'An external payment''s reference is unique per tenant and method.'),
('ORDERS_IMMUTABLE', 'orders', 'PT409', 'order history cannot be changed or deleted', NULL,
 'Payments, refunds and tax rates are append-only; orders, lines and customers are never deleted.');

COMMIT;
