-- Deploy mercato:schemas/store/fulfilment to pg
-- CardStore's fulfilment batches (issue 18): a batch gathers open orders of a shop to be picked, packed and shipped
-- from one location: CREATED -> PICKING -> PICKED -> PACKING -> SHIPPED -> COMPLETED, or CANCELLED before it ships.
-- The pick list is read from the orders' live reservations at the batch's location; shipping goes through
-- orders.fulfil_for (which ships the reservations through the inventory), so the batch never touches stock or orders
-- itself. An order is in at most one open batch. Row-level security: schemas/store/fulfilment_rls.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE TABLE store.fulfilment_batch (
    id                  bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT fulfilment_batch_pkey PRIMARY KEY,
    tenant_id           bigint NOT NULL CONSTRAINT fulfilment_batch_tenant_id_fkey REFERENCES identity.tenant (id),
    number              bigint NOT NULL CONSTRAINT fulfilment_batch_number_check CHECK (number > 0),
    location_id         bigint NOT NULL,
    status              text NOT NULL DEFAULT 'CREATED' CONSTRAINT fulfilment_batch_status_check
                        CHECK (status IN ('CREATED', 'PICKING', 'PICKED', 'PACKING', 'SHIPPED', 'COMPLETED', 'CANCELLED')),
    assigned_to         bigint CONSTRAINT fulfilment_batch_assigned_to_fkey REFERENCES identity.user_account (id),
    total_orders        integer NOT NULL DEFAULT 0 CONSTRAINT fulfilment_batch_total_orders_check CHECK (total_orders >= 0),
    total_items         integer NOT NULL DEFAULT 0 CONSTRAINT fulfilment_batch_total_items_check CHECK (total_items >= 0),
    estimated_pick_time integer CONSTRAINT fulfilment_batch_estimated_pick_time_check CHECK (estimated_pick_time BETWEEN 0 AND 100000),
    note                text CONSTRAINT fulfilment_batch_note_check CHECK (length(note) <= 2000),
    created_by          bigint,
    created_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    picked_at           timestamptz,
    shipped_at          timestamptz,
    completed_at        timestamptz,
    cancelled_at        timestamptz,
    cancel_reason       text CONSTRAINT fulfilment_batch_cancel_reason_check CHECK (length(btrim(cancel_reason)) BETWEEN 1 AND 500),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT fulfilment_batch_cancelled_check CHECK ((status = 'CANCELLED') = (cancelled_at IS NOT NULL)
                                                       AND (cancelled_at IS NULL) = (cancel_reason IS NULL)),
    CONSTRAINT fulfilment_batch_shipped_check CHECK ((status IN ('SHIPPED', 'COMPLETED')) = (shipped_at IS NOT NULL)),
    CONSTRAINT fulfilment_batch_location_id_fkey FOREIGN KEY (location_id, tenant_id)
        REFERENCES inventory.location (id, tenant_id),
    CONSTRAINT fulfilment_batch_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT fulfilment_batch_tenant_id_number_key UNIQUE (tenant_id, number)
);
COMMENT ON TABLE store.fulfilment_batch IS
'A fulfilment batch of a shop: number (sequential per tenant), the location it ships from, status CREATED -> PICKING ->
PICKED -> PACKING -> SHIPPED -> COMPLETED, or CANCELLED (with its reason) before it ships (trigger
fulfilment_batch_transition, whoever writes), the staff member assigned, the number of orders and of items to pick
(kept by the batch functions), an estimated pick time and the times of each step. Never deleted.';
CREATE INDEX fulfilment_batch_tenant_id_status_idx ON store.fulfilment_batch (tenant_id, status);
CREATE INDEX fulfilment_batch_location_id_tenant_id_idx ON store.fulfilment_batch (location_id, tenant_id);
CREATE INDEX fulfilment_batch_assigned_to_idx ON store.fulfilment_batch (assigned_to) WHERE assigned_to IS NOT NULL;

CREATE TABLE store.batch_order (
    batch_id         bigint NOT NULL,
    tenant_id        bigint NOT NULL CONSTRAINT batch_order_tenant_id_fkey REFERENCES identity.tenant (id),
    order_id         bigint NOT NULL,
    open             boolean NOT NULL DEFAULT true,
    added_at         timestamptz NOT NULL DEFAULT now(),
    shipped_items    integer NOT NULL DEFAULT 0 CONSTRAINT batch_order_shipped_items_check CHECK (shipped_items >= 0),
    tracking_numbers text[] NOT NULL DEFAULT '{}' CONSTRAINT batch_order_tracking_numbers_check CHECK (cardinality(tracking_numbers) <= 20),
    CONSTRAINT batch_order_pkey PRIMARY KEY (batch_id, order_id),
    CONSTRAINT batch_order_batch_id_fkey FOREIGN KEY (batch_id, tenant_id) REFERENCES store.fulfilment_batch (id, tenant_id),
    CONSTRAINT batch_order_order_id_fkey FOREIGN KEY (order_id, tenant_id) REFERENCES orders.sales_order (id, tenant_id)
);
COMMENT ON TABLE store.batch_order IS
'An order in a batch: open while the batch is neither completed nor cancelled (an order is in at most one open batch:
unique index batch_order_open_key), what was shipped of it and the tracking numbers given when the batch shipped.';
CREATE UNIQUE INDEX batch_order_open_key ON store.batch_order (order_id) WHERE open;
CREATE INDEX batch_order_order_id_tenant_id_idx ON store.batch_order (order_id, tenant_id);

CREATE TRIGGER fulfilment_batch_no_delete BEFORE DELETE OR TRUNCATE ON store.fulfilment_batch
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('STORE_BATCH_IMMUTABLE');
CREATE TRIGGER batch_order_no_delete BEFORE DELETE OR TRUNCATE ON store.batch_order
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('STORE_BATCH_IMMUTABLE');
CREATE TRIGGER fulfilment_batch_audit AFTER INSERT OR UPDATE OR DELETE ON store.fulfilment_batch
    FOR EACH ROW EXECUTE FUNCTION audit.track();

REVOKE ALL ON store.fulfilment_batch, store.batch_order FROM PUBLIC;

INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('STORE_INVALID_BATCH_INPUT', 'store', 'PT400', 'invalid fulfilment batch input', NULL,
 'A parameter of a batch call is missing, malformed or out of range; the detail names it and the reason.'),
('STORE_UNKNOWN_BATCH', 'store', 'PT404', 'no such fulfilment batch', NULL,
 'No fulfilment batch with this id in the caller''s tenant.'),
('STORE_BATCH_TRANSITION', 'store', 'PT409', 'the batch cannot move to this status', NULL,
 'A batch moves CREATED -> PICKING -> PICKED -> PACKING -> SHIPPED -> COMPLETED, or to CANCELLED before it ships; orders '
 'are added or removed only while it is CREATED. The detail names the current and the requested status.'),
('STORE_ORDER_NOT_BATCHABLE', 'store', 'PT409', 'the order cannot join this batch', NULL,
 'An order joins a batch only if it is of the tenant, PENDING or PROCESSING, not yet fulfilled, has live reservations '
 'at the batch''s location and is in no other open batch; the detail says which rule failed.'),
('STORE_BATCH_IMMUTABLE', 'store', 'PT409', 'fulfilment batches are never deleted', NULL,
 'A batch is cancelled, never deleted; its orders stay listed.');

COMMIT;
