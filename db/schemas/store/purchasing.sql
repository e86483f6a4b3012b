-- Deploy mercato:schemas/store/purchasing to pg
-- CardStore's purchasing (issue 18, "Purchasing (store)"; seed 002, "Distributors", "Purchase Orders"): the distributors
-- a shop buys from, which distributor supplies which catalog variant at what cost (one preferred per variant), purchase
-- orders with their lines, and receipts (append-only) whose lines post stock in through inventory.receive_in.
-- Every table carries tenant_id and reaches its parent through a composite foreign key (id, tenant_id): no row points
-- into another tenant. Amounts are in the tenant's currency (identity.tenant.currency; a purchase order carries it,
-- bound by the foreign key (tenant_id, currency)) with at most its minor units (trigger purchasing_money,
-- functions/store/purchasing_guards). The database computes a purchase order's subtotal from its lines and keeps
-- total = subtotal + tax + shipping (CHECK); the status machine and what may change in which status are the trigger
-- purchase_order_guard's. Distributor API credentials (the seed's api_settings) are not stored here (docs/store.md).
-- Row-level security is part of this change (like schemas/store/rls): a tenant's users read their tenant's rows, the
-- back office all; no API role writes (the functions of functions/store/* do).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- distributors ------------------------------------------------------------------------------------------------------------
CREATE TABLE store.distributor (
    id                 bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT distributor_pkey PRIMARY KEY,
    tenant_id          bigint NOT NULL CONSTRAINT distributor_tenant_id_fkey REFERENCES identity.tenant (id),
    code               text NOT NULL CONSTRAINT distributor_code_check CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
    name               text NOT NULL CONSTRAINT distributor_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    contact_info       jsonb NOT NULL DEFAULT '{}'
                       CONSTRAINT distributor_contact_info_check CHECK (jsonb_typeof(contact_info) = 'object'),
    payment_terms      text CONSTRAINT distributor_payment_terms_check CHECK (length(btrim(payment_terms)) BETWEEN 1 AND 100),
    payment_terms_days integer CONSTRAINT distributor_payment_terms_days_check CHECK (payment_terms_days BETWEEN 0 AND 3650),
    shipping_terms     text CONSTRAINT distributor_shipping_terms_check CHECK (length(btrim(shipping_terms)) BETWEEN 1 AND 100),
    minimum_order      numeric NOT NULL DEFAULT 0
                       CONSTRAINT distributor_minimum_order_check CHECK (minimum_order >= 0 AND minimum_order < 1e12),
    lead_time_days     integer CONSTRAINT distributor_lead_time_days_check CHECK (lead_time_days BETWEEN 0 AND 3650),
    is_active          boolean NOT NULL DEFAULT true,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT distributor_tenant_id_code_key UNIQUE (tenant_id, code),
    CONSTRAINT distributor_id_tenant_id_key UNIQUE (id, tenant_id)
);
COMMENT ON TABLE store.distributor IS
'A distributor a shop buys from: code (unique per tenant, upper case like a location''s), name, contact details (an
object), payment terms (text and days), shipping terms, the minimum order (in the tenant''s currency, at most its minor
units; a purchase order is submitted only at or above it, on its subtotal), lead time in days, active or not. No API
credentials: the seed''s api_settings are deliberately not stored (docs/store.md, "Purchasing"). Never deleted:
deactivated. Audited.';
COMMENT ON COLUMN store.distributor.minimum_order IS
'The least subtotal (lines only, before tax and shipping) a purchase order must reach to be submitted; 0: none.';
COMMENT ON COLUMN store.distributor.contact_info IS 'Free-form contact details (an object): people, emails, phones, address.';

CREATE TABLE store.distributor_item (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT distributor_item_pkey PRIMARY KEY,
    tenant_id       bigint NOT NULL,
    distributor_id  bigint NOT NULL,
    variant_id      bigint NOT NULL,
    distributor_sku text CONSTRAINT distributor_item_distributor_sku_check CHECK (length(btrim(distributor_sku)) BETWEEN 1 AND 100),
    unit_cost       numeric NOT NULL CONSTRAINT distributor_item_unit_cost_check CHECK (unit_cost >= 0 AND unit_cost < 1e12),
    is_preferred    boolean NOT NULL DEFAULT false,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    -- (distributor, variant) once; tenant_id in the key so that it also serves the composite foreign key
    CONSTRAINT distributor_item_distributor_id_tenant_id_variant_id_key UNIQUE (distributor_id, tenant_id, variant_id),
    CONSTRAINT distributor_item_distributor_id_fkey FOREIGN KEY (distributor_id, tenant_id)
        REFERENCES store.distributor (id, tenant_id),
    CONSTRAINT distributor_item_variant_id_fkey FOREIGN KEY (variant_id, tenant_id) REFERENCES catalog.variant (id, tenant_id)
);
COMMENT ON TABLE store.distributor_item IS
'Which distributor supplies which catalog variant of the same tenant: the distributor''s SKU and its unit cost (the
default cost of a purchase order line). At most one preferred distributor per variant (partial unique index), the one
reorder suggestions order from. Audited.';
CREATE UNIQUE INDEX distributor_item_variant_id_key ON store.distributor_item (variant_id) WHERE is_preferred;
COMMENT ON INDEX store.distributor_item_variant_id_key IS
'One preferred distributor per variant (a variant belongs to one tenant, so per tenant too).';
CREATE INDEX distributor_item_variant_id_tenant_id_idx ON store.distributor_item (variant_id, tenant_id);

-- purchase orders ---------------------------------------------------------------------------------------------------------
CREATE TABLE store.purchase_order (
    id                  bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT purchase_order_pkey PRIMARY KEY,
    tenant_id           bigint NOT NULL,
    distributor_id      bigint NOT NULL,
    po_number           text NOT NULL CONSTRAINT purchase_order_po_number_check CHECK (po_number ~ '^PO-[0-9]{6,}$'),
    external_po_number  text CONSTRAINT purchase_order_external_po_number_check
                        CHECK (length(btrim(external_po_number)) BETWEEN 1 AND 50),
    status              text NOT NULL DEFAULT 'DRAFT' CONSTRAINT purchase_order_status_check
                        CHECK (status IN ('DRAFT', 'SUBMITTED', 'CONFIRMED', 'PARTIAL', 'RECEIVED', 'CANCELLED')),
    currency            char(3) NOT NULL,
    subtotal            numeric NOT NULL DEFAULT 0 CONSTRAINT purchase_order_subtotal_check CHECK (subtotal >= 0),
    tax_amount          numeric NOT NULL DEFAULT 0
                        CONSTRAINT purchase_order_tax_amount_check CHECK (tax_amount >= 0 AND tax_amount < 1e12),
    shipping_amount     numeric NOT NULL DEFAULT 0
                        CONSTRAINT purchase_order_shipping_amount_check CHECK (shipping_amount >= 0 AND shipping_amount < 1e12),
    total_amount        numeric NOT NULL DEFAULT 0,
    ship_to_location_id bigint NOT NULL,
    order_date          date NOT NULL DEFAULT current_date,
    expected_date       date,
    submitted_at        timestamptz,
    confirmed_at        timestamptz,
    closed_at           timestamptz,
    cancel_reason       text CONSTRAINT purchase_order_cancel_reason_check CHECK (length(btrim(cancel_reason)) BETWEEN 1 AND 500),
    notes               text CONSTRAINT purchase_order_notes_check CHECK (length(notes) <= 10000),
    created_by          bigint,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    open                boolean NOT NULL GENERATED ALWAYS AS (status IN ('DRAFT', 'SUBMITTED', 'CONFIRMED', 'PARTIAL')) STORED,
    CONSTRAINT purchase_order_tenant_id_po_number_key UNIQUE (tenant_id, po_number),
    CONSTRAINT purchase_order_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT purchase_order_distributor_id_fkey FOREIGN KEY (distributor_id, tenant_id)
        REFERENCES store.distributor (id, tenant_id),
    CONSTRAINT purchase_order_ship_to_location_id_fkey FOREIGN KEY (ship_to_location_id, tenant_id)
        REFERENCES inventory.location (id, tenant_id),
    -- the tenant's own currency, nothing else (identity.tenant_id_currency_key)
    CONSTRAINT purchase_order_currency_fkey FOREIGN KEY (tenant_id, currency) REFERENCES identity.tenant (id, currency),
    CONSTRAINT purchase_order_created_by_fkey FOREIGN KEY (created_by) REFERENCES identity.user_account (id),
    -- the total adds up, whoever writes
    CONSTRAINT purchase_order_total_amount_check CHECK (total_amount = subtotal + tax_amount + shipping_amount),
    CONSTRAINT purchase_order_expected_date_check CHECK (expected_date >= order_date),
    -- a status's timestamps: submitted once it left the draft (a cancelled draft never was), closed once final
    CONSTRAINT purchase_order_submitted_at_check CHECK (
        (status = 'DRAFT') = (submitted_at IS NULL) OR (status = 'CANCELLED')),
    CONSTRAINT purchase_order_closed_at_check CHECK ((status IN ('RECEIVED', 'CANCELLED')) = (closed_at IS NOT NULL)),
    CONSTRAINT purchase_order_cancel_reason_status_check CHECK (cancel_reason IS NULL OR status = 'CANCELLED')
) WITH (fillfactor = 80);
COMMENT ON TABLE store.purchase_order IS
'A purchase order of a shop to one of its distributors, shipped to one of its locations: po_number PO-000042 (gapless per
tenant, core.next_number(''store.purchase_order'', tenant)), the distributor''s own number, status DRAFT → SUBMITTED →
CONFIRMED → PARTIAL → RECEIVED, or CANCELLED from DRAFT, SUBMITTED, CONFIRMED or PARTIAL (closed short: what was
received stays, the rest is no longer expected); receipts are taken from SUBMITTED on. subtotal is the sum of the lines''
line_total, computed by the database (trigger purchase_order_line_totals); total_amount = subtotal + tax_amount +
shipping_amount (CHECK). In the tenant''s currency (foreign key). The status machine and what may change in which status:
trigger purchase_order_guard. fillfactor 80 and no index on status keep status changes HOT. Audited.';
COMMENT ON COLUMN store.purchase_order.po_number IS
'PO- and the tenant''s gapless counter (core.next_number(''store.purchase_order'', tenant id)), zero-padded to six digits.';
COMMENT ON COLUMN store.purchase_order.open IS 'Not yet RECEIVED or CANCELLED: what is still to come counts as on order.';
COMMENT ON COLUMN store.purchase_order.closed_at IS 'When it became RECEIVED or CANCELLED.';
CREATE INDEX purchase_order_distributor_id_tenant_id_idx ON store.purchase_order (distributor_id, tenant_id);
CREATE INDEX purchase_order_ship_to_location_id_tenant_id_idx ON store.purchase_order (ship_to_location_id, tenant_id);

CREATE TABLE store.purchase_order_line (
    id                     bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT purchase_order_line_pkey PRIMARY KEY,
    tenant_id              bigint NOT NULL,
    purchase_order_id      bigint NOT NULL,
    variant_id             bigint NOT NULL,
    distributor_sku        text CONSTRAINT purchase_order_line_distributor_sku_check
                           CHECK (length(btrim(distributor_sku)) BETWEEN 1 AND 100),
    quantity_ordered       integer NOT NULL
                           CONSTRAINT purchase_order_line_quantity_ordered_check CHECK (quantity_ordered BETWEEN 1 AND 1000000),
    quantity_received      integer NOT NULL DEFAULT 0
                           CONSTRAINT purchase_order_line_quantity_received_check CHECK (quantity_received >= 0),
    quantity_over_received integer NOT NULL DEFAULT 0
                           CONSTRAINT purchase_order_line_quantity_over_received_check
                           CHECK (quantity_over_received BETWEEN 0 AND quantity_received),
    unit_cost              numeric NOT NULL
                           CONSTRAINT purchase_order_line_unit_cost_check CHECK (unit_cost >= 0 AND unit_cost < 1e12),
    line_total             numeric NOT NULL GENERATED ALWAYS AS (quantity_ordered * unit_cost) STORED,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT purchase_order_line_purchase_order_id_variant_id_key UNIQUE (purchase_order_id, variant_id),
    CONSTRAINT purchase_order_line_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT purchase_order_line_purchase_order_id_fkey FOREIGN KEY (purchase_order_id, tenant_id)
        REFERENCES store.purchase_order (id, tenant_id),
    CONSTRAINT purchase_order_line_variant_id_fkey FOREIGN KEY (variant_id, tenant_id) REFERENCES catalog.variant (id, tenant_id),
    -- never more received than ordered, except what a receipt explicitly allowed beyond it (quantity_over_received)
    CONSTRAINT purchase_order_line_received_check CHECK (quantity_received <= quantity_ordered + quantity_over_received)
) WITH (fillfactor = 80);
COMMENT ON TABLE store.purchase_order_line IS
'A line of a purchase order: one catalog variant of the tenant (once per order), quantity ordered, its unit cost (in the
order''s currency) and line_total = quantity_ordered × unit_cost (generated); quantity_received grows with each receipt
and never passes quantity_ordered unless a receipt explicitly allowed more, which is recorded in quantity_over_received
(CHECK quantity_received <= quantity_ordered + quantity_over_received). Lines change only while the order is a DRAFT
(trigger purchase_order_line_guard). fillfactor 80: receipts update it. Audited.';
COMMENT ON COLUMN store.purchase_order_line.quantity_over_received IS
'The part of quantity_received beyond quantity_ordered that receipts explicitly allowed (allow_over_receipt).';
CREATE INDEX purchase_order_line_variant_id_tenant_id_idx ON store.purchase_order_line (variant_id, tenant_id);
CREATE INDEX purchase_order_line_purchase_order_id_tenant_id_idx ON store.purchase_order_line (purchase_order_id, tenant_id);

-- receipts (append-only) --------------------------------------------------------------------------------------------------
CREATE TABLE store.purchase_receipt (
    id                bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT purchase_receipt_pkey PRIMARY KEY,
    tenant_id         bigint NOT NULL,
    purchase_order_id bigint NOT NULL,
    location_id       bigint NOT NULL,
    received_at       timestamptz NOT NULL DEFAULT now(),
    actor_user_id     bigint CONSTRAINT purchase_receipt_actor_user_id_fkey REFERENCES identity.user_account (id),
    notes             text CONSTRAINT purchase_receipt_notes_check CHECK (length(notes) <= 10000),
    CONSTRAINT purchase_receipt_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT purchase_receipt_purchase_order_id_fkey FOREIGN KEY (purchase_order_id, tenant_id)
        REFERENCES store.purchase_order (id, tenant_id),
    CONSTRAINT purchase_receipt_location_id_fkey FOREIGN KEY (location_id, tenant_id) REFERENCES inventory.location (id, tenant_id)
);
COMMENT ON TABLE store.purchase_receipt IS
'A delivery received against a purchase order at its ship-to location: when, by whom. Append-only (never updated or
deleted); its lines posted the stock in.';

CREATE TABLE store.purchase_receipt_line (
    id                     bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT purchase_receipt_line_pkey PRIMARY KEY,
    tenant_id              bigint NOT NULL,
    receipt_id             bigint NOT NULL,
    purchase_order_line_id bigint NOT NULL,
    variant_id             bigint NOT NULL,
    quantity               integer NOT NULL CONSTRAINT purchase_receipt_line_quantity_check CHECK (quantity BETWEEN 1 AND 1000000),
    over_received          integer NOT NULL DEFAULT 0
                           CONSTRAINT purchase_receipt_line_over_received_check CHECK (over_received BETWEEN 0 AND quantity),
    unit_cost              numeric NOT NULL CONSTRAINT purchase_receipt_line_unit_cost_check CHECK (unit_cost >= 0),
    CONSTRAINT purchase_receipt_line_receipt_id_fkey FOREIGN KEY (receipt_id, tenant_id)
        REFERENCES store.purchase_receipt (id, tenant_id),
    CONSTRAINT purchase_receipt_line_purchase_order_line_id_fkey FOREIGN KEY (purchase_order_line_id, tenant_id)
        REFERENCES store.purchase_order_line (id, tenant_id),
    CONSTRAINT purchase_receipt_line_variant_id_fkey FOREIGN KEY (variant_id, tenant_id) REFERENCES catalog.variant (id, tenant_id)
);
COMMENT ON TABLE store.purchase_receipt_line IS
'What one receipt took in for one purchase order line: quantity (posted to the inventory as a RECEIPT movement at the
line''s unit cost, reference store/purchase_receipt/<receipt id>, so the moving average cost follows) and the part of it
beyond what was ordered that the receipt explicitly allowed (over_received). Append-only.';
CREATE INDEX purchase_receipt_purchase_order_id_tenant_id_idx ON store.purchase_receipt (purchase_order_id, tenant_id);
CREATE INDEX purchase_receipt_location_id_tenant_id_idx ON store.purchase_receipt (location_id, tenant_id);
CREATE INDEX purchase_receipt_line_receipt_id_tenant_id_idx ON store.purchase_receipt_line (receipt_id, tenant_id);
CREATE INDEX purchase_receipt_line_purchase_order_line_id_tenant_id_idx
    ON store.purchase_receipt_line (purchase_order_line_id, tenant_id);
CREATE INDEX purchase_receipt_line_variant_id_tenant_id_idx ON store.purchase_receipt_line (variant_id, tenant_id);

CREATE TRIGGER purchase_receipt_immutable BEFORE UPDATE OR DELETE ON store.purchase_receipt
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('STORE_IMMUTABLE');
CREATE TRIGGER purchase_receipt_no_truncate BEFORE TRUNCATE ON store.purchase_receipt
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('STORE_IMMUTABLE');
CREATE TRIGGER purchase_receipt_line_immutable BEFORE UPDATE OR DELETE ON store.purchase_receipt_line
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('STORE_IMMUTABLE');
CREATE TRIGGER purchase_receipt_line_no_truncate BEFORE TRUNCATE ON store.purchase_receipt_line
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('STORE_IMMUTABLE');
-- a purchase order and a distributor change status, never disappear
CREATE TRIGGER purchase_order_no_delete BEFORE DELETE OR TRUNCATE ON store.purchase_order
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('STORE_IMMUTABLE');
CREATE TRIGGER distributor_no_delete BEFORE DELETE OR TRUNCATE ON store.distributor
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('STORE_IMMUTABLE');

CREATE TRIGGER distributor_audit AFTER INSERT OR UPDATE OR DELETE ON store.distributor
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER distributor_item_audit AFTER INSERT OR UPDATE OR DELETE ON store.distributor_item
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER purchase_order_audit AFTER INSERT OR UPDATE OR DELETE ON store.purchase_order
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER purchase_order_line_audit AFTER INSERT OR UPDATE OR DELETE ON store.purchase_order_line
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON store.distributor, store.distributor_item, store.purchase_order, store.purchase_order_line,
              store.purchase_receipt, store.purchase_receipt_line FROM PUBLIC;

-- row-level security: a tenant's users read its rows, the back office all; SELECT only --------------------------------
ALTER TABLE store.distributor ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.distributor_item ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.purchase_order ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.purchase_order_line ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.purchase_receipt ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.purchase_receipt_line ENABLE ROW LEVEL SECURITY;

CREATE POLICY distributor_tenant ON store.distributor FOR SELECT TO mercato_user
    USING (distributor.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY distributor_item_tenant ON store.distributor_item FOR SELECT TO mercato_user
    USING (distributor_item.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY purchase_order_tenant ON store.purchase_order FOR SELECT TO mercato_user
    USING (purchase_order.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY purchase_order_line_tenant ON store.purchase_order_line FOR SELECT TO mercato_user
    USING (purchase_order_line.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY purchase_receipt_tenant ON store.purchase_receipt FOR SELECT TO mercato_user
    USING (purchase_receipt.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY purchase_receipt_line_tenant ON store.purchase_receipt_line FOR SELECT TO mercato_user
    USING (purchase_receipt_line.tenant_id = (SELECT identity.my_tenant_id()));

CREATE POLICY distributor_service ON store.distributor FOR SELECT TO mercato_service USING (true);
CREATE POLICY distributor_item_service ON store.distributor_item FOR SELECT TO mercato_service USING (true);
CREATE POLICY purchase_order_service ON store.purchase_order FOR SELECT TO mercato_service USING (true);
CREATE POLICY purchase_order_line_service ON store.purchase_order_line FOR SELECT TO mercato_service USING (true);
CREATE POLICY purchase_receipt_service ON store.purchase_receipt FOR SELECT TO mercato_service USING (true);
CREATE POLICY purchase_receipt_line_service ON store.purchase_receipt_line FOR SELECT TO mercato_service USING (true);

GRANT SELECT ON store.distributor, store.distributor_item, store.purchase_order, store.purchase_order_line,
                store.purchase_receipt, store.purchase_receipt_line TO mercato_user, mercato_service;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('STORE_INVALID_PURCHASE', 'store', 'PT400', 'invalid purchasing input', NULL,
 'A distributor, distributor item, purchase order, line or receipt parameter is missing, malformed or out of range; the '
 'detail is "field: reason" (lines[2].quantity: …). Amounts are in the tenant''s currency with at most its minor units.'),
('STORE_UNKNOWN_DISTRIBUTOR', 'store', 'PT404', 'no such distributor in the tenant', NULL,
 'Another tenant''s distributor is as if absent.'),
('STORE_DISTRIBUTOR_EXISTS', 'store', 'PT409', 'a distributor with this code already exists', 'choose another code',
 'A distributor''s code is unique within its tenant.'),
('STORE_DISTRIBUTOR_INACTIVE', 'store', 'PT409', 'the distributor is inactive', 'reactivate it first',
 'A purchase order is submitted only to an active distributor.'),
('STORE_UNKNOWN_PURCHASE_ORDER', 'store', 'PT404', 'no such purchase order in the tenant', NULL,
 'Another tenant''s purchase order is as if absent.'),
('STORE_PO_TRANSITION', 'store', 'PT409', 'the purchase order cannot change to this status', NULL,
 'DRAFT → SUBMITTED → CONFIRMED → PARTIAL → RECEIVED; CANCELLED from DRAFT, SUBMITTED, CONFIRMED or PARTIAL; receipts '
 'from SUBMITTED on. The detail names the order, its status and the one refused. Enforced by trigger whoever writes.'),
('STORE_PO_NOT_DRAFT', 'store', 'PT409', 'the purchase order is no longer a draft', NULL,
 'Lines, distributor, location and currency change only while the order is a DRAFT; charges until it is received.'),
('STORE_PO_TOTAL_MISMATCH', 'store', 'PT400', 'the purchase order''s total does not add up', NULL,
 'The expected total sent does not equal the subtotal of the lines plus tax plus shipping as the database computed '
 'them (the detail gives both), or a writer set a subtotal that is not the sum of the lines. Nothing is written.'),
('STORE_PO_BELOW_MINIMUM', 'store', 'PT409', 'the purchase order is below the distributor''s minimum order', NULL,
 'Submitting needs a subtotal at least the distributor''s minimum_order; the detail gives both.'),
('STORE_PO_OVER_RECEIPT', 'store', 'PT409', 'more received than ordered', 'allow the over-receipt explicitly',
 'A receipt line would take a purchase order line past its ordered quantity; a line with allow_over_receipt takes it '
 'and records the excess. Concurrent receipts never together pass it.'),
('STORE_IMMUTABLE', 'store', 'PT409', 'this purchasing record cannot be changed or removed', NULL,
 'Receipts and their lines are append-only; purchase orders and distributors are never deleted (a status changes).');

COMMIT;
