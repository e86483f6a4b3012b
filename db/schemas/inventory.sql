-- Deploy mercato:schemas/inventory to pg
-- The shared inventory module (issue 18; docs/inventory.md): locations of a tenant, stock per variant x location
-- (on hand, reserved, backordered, unavailable, derived available), channel buffers, the append-only movements
-- (partitioned by month; partitions created ahead by the job inventory.partitions_ahead) and reservations.
-- Every row carries its tenant; children reference parents by (id, tenant_id), so no row points into another tenant.
-- No API role writes these tables: writes go through the SECURITY DEFINER functions of functions/inventory/*; reads
-- through row-level security (schemas/inventory/rls).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE SCHEMA inventory;
COMMENT ON SCHEMA inventory IS
'Shared inventory: locations, stock per variant and location, channel buffers, movements (append-only, monthly
partitions) and reservations. Written by functions only; read under row-level security per tenant.';
GRANT USAGE ON SCHEMA inventory TO mercato_user, mercato_service;

-- locations -----------------------------------------------------------------------------------------------------------
CREATE TABLE inventory.location (
    id             bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT location_pkey PRIMARY KEY,
    tenant_id      bigint NOT NULL CONSTRAINT location_tenant_id_fkey REFERENCES identity.tenant (id),
    code           text NOT NULL CONSTRAINT location_code_check CHECK (code ~ '^[A-Z0-9][A-Z0-9_-]{0,31}$'),
    name           text NOT NULL CONSTRAINT location_name_check CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    kind           text NOT NULL CONSTRAINT location_kind_check
                   CHECK (kind IN ('WAREHOUSE', 'STORE', 'VIRTUAL', 'CONSIGNMENT')),
    priority       integer NOT NULL DEFAULT 100 CONSTRAINT location_priority_check CHECK (priority BETWEEN 0 AND 1000000),
    fulfils_online boolean NOT NULL DEFAULT true,
    status         text NOT NULL DEFAULT 'ACTIVE' CONSTRAINT location_status_check CHECK (status IN ('ACTIVE', 'INACTIVE')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT location_tenant_id_code_key UNIQUE (tenant_id, code),
    CONSTRAINT location_id_tenant_id_key UNIQUE (id, tenant_id)
);
COMMENT ON TABLE inventory.location IS
'A place that holds stock: WAREHOUSE, STORE, VIRTUAL or CONSIGNMENT; code unique per tenant. priority (lower first)
orders the locations a reservation without a named location draws on; only ACTIVE locations that fulfil online take
such reservations. INACTIVE locations take no receipt, transfer in or reservation. Never deleted.';
COMMENT ON COLUMN inventory.location.priority IS 'Lower is preferred when a reservation picks the location(s).';

-- stock ---------------------------------------------------------------------------------------------------------------
CREATE TABLE inventory.stock (
    id               bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT stock_pkey PRIMARY KEY,
    tenant_id        bigint NOT NULL CONSTRAINT stock_tenant_id_fkey REFERENCES identity.tenant (id),
    variant_id       bigint NOT NULL,
    location_id      bigint NOT NULL,
    on_hand          integer NOT NULL DEFAULT 0 CONSTRAINT stock_on_hand_check CHECK (on_hand >= 0),
    reserved         integer NOT NULL DEFAULT 0 CONSTRAINT stock_reserved_check CHECK (reserved >= 0),
    backordered      integer NOT NULL DEFAULT 0 CONSTRAINT stock_backordered_check CHECK (backordered >= 0),
    unavailable      integer NOT NULL DEFAULT 0 CONSTRAINT stock_unavailable_check CHECK (unavailable >= 0),
    available        integer GENERATED ALWAYS AS (on_hand - reserved - unavailable) STORED,
    safety_stock     integer NOT NULL DEFAULT 0 CONSTRAINT stock_safety_stock_check CHECK (safety_stock >= 0),
    reorder_point    integer CONSTRAINT stock_reorder_point_check CHECK (reorder_point >= 0),
    reorder_quantity integer CONSTRAINT stock_reorder_quantity_check CHECK (reorder_quantity > 0),
    avg_cost         numeric CONSTRAINT stock_avg_cost_check CHECK (avg_cost >= 0),
    last_cost        numeric CONSTRAINT stock_last_cost_check CHECK (last_cost >= 0),
    last_counted_at  timestamptz,
    next_count_at    timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- never oversold, whoever writes: what is reserved or unavailable is on hand
    CONSTRAINT stock_available_check CHECK (reserved + unavailable <= on_hand),
    CONSTRAINT stock_variant_id_location_id_key UNIQUE (variant_id, location_id),
    CONSTRAINT stock_id_tenant_id_key UNIQUE (id, tenant_id),
    CONSTRAINT stock_variant_id_tenant_id_fkey FOREIGN KEY (variant_id, tenant_id) REFERENCES catalog.variant (id, tenant_id),
    CONSTRAINT stock_location_id_tenant_id_fkey FOREIGN KEY (location_id, tenant_id)
        REFERENCES inventory.location (id, tenant_id)
) WITH (fillfactor = 80);
COMMENT ON TABLE inventory.stock IS
'One row per variant x location: on_hand (physically here), reserved (sum of the live part of ACTIVE reservations),
unavailable (damaged or in quality control: on hand, not sellable), available = on_hand - reserved - unavailable
(generated, never negative: CHECK reserved + unavailable <= on_hand), backordered (what CONTINUE-policy reservations
took beyond what was available: tracked here, never as negative stock). Planning fields (safety stock, reorder point
and quantity), moving average and last cost, cycle count dates. fillfactor 80 and no index on a quantity keep
reservations HOT updates. on_hand equals the sum of the row''s movements (inventory.check()).';
COMMENT ON COLUMN inventory.stock.available IS 'on_hand - reserved - unavailable (generated); CHECK keeps it >= 0.';
COMMENT ON COLUMN inventory.stock.avg_cost IS
'Moving average unit cost of what is on hand, in the tenant''s currency (receipts with a unit cost update it).';
CREATE INDEX stock_location_id_tenant_id_idx ON inventory.stock (location_id, tenant_id);
CREATE INDEX stock_variant_id_tenant_id_idx ON inventory.stock (variant_id, tenant_id);
CREATE INDEX stock_tenant_id_idx ON inventory.stock (tenant_id);

-- channel buffers -----------------------------------------------------------------------------------------------------
CREATE TABLE inventory.channel_buffer (
    stock_id   bigint NOT NULL,
    tenant_id  bigint NOT NULL CONSTRAINT channel_buffer_tenant_id_fkey REFERENCES identity.tenant (id),
    channel    text NOT NULL CONSTRAINT channel_buffer_channel_check CHECK (channel ~ '^[A-Z][A-Z0-9_]{0,31}$'),
    buffer     integer NOT NULL CONSTRAINT channel_buffer_buffer_check CHECK (buffer >= 0),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT channel_buffer_pkey PRIMARY KEY (stock_id, channel),
    CONSTRAINT channel_buffer_stock_id_tenant_id_fkey FOREIGN KEY (stock_id, tenant_id)
        REFERENCES inventory.stock (id, tenant_id)
);
COMMENT ON TABLE inventory.channel_buffer IS
'What a sales channel (ONLINE_STORE, TCGPLAYER, EBAY, AMAZON, POS, …) must leave of a stock row: the channel may
reserve available - buffer. A reservation that names its channel is checked against it.';
CREATE INDEX channel_buffer_tenant_id_idx ON inventory.channel_buffer (tenant_id);
CREATE INDEX channel_buffer_stock_id_tenant_id_idx ON inventory.channel_buffer (stock_id, tenant_id);

-- movements -----------------------------------------------------------------------------------------------------------
CREATE TABLE inventory.movement (
    id            bigint GENERATED ALWAYS AS IDENTITY,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    tenant_id     bigint NOT NULL CONSTRAINT movement_tenant_id_fkey REFERENCES identity.tenant (id),
    stock_id      bigint NOT NULL,
    kind          text NOT NULL CONSTRAINT movement_kind_check
                  CHECK (kind IN ('RECEIPT', 'SHIP', 'ADJUSTMENT', 'TRANSFER_OUT', 'TRANSFER_IN', 'COUNT', 'RETURN')),
    quantity      integer NOT NULL,
    on_hand_after integer NOT NULL CONSTRAINT movement_on_hand_after_check CHECK (on_hand_after >= 0),
    unit_cost     numeric CONSTRAINT movement_unit_cost_check CHECK (unit_cost >= 0),
    ref_module    text CONSTRAINT movement_ref_module_check CHECK (ref_module ~ '^[a-z][a-z0-9_]{0,62}$'),
    ref_entity    text CONSTRAINT movement_ref_entity_check CHECK (length(ref_entity) BETWEEN 1 AND 100),
    ref_id        text CONSTRAINT movement_ref_id_check CHECK (length(ref_id) BETWEEN 1 AND 200),
    reason        text CONSTRAINT movement_reason_check CHECK (length(reason) <= 500),
    actor_user_id bigint,
    CONSTRAINT movement_pkey PRIMARY KEY (id, occurred_at),
    CONSTRAINT movement_quantity_check CHECK (CASE WHEN kind IN ('RECEIPT', 'TRANSFER_IN', 'RETURN') THEN quantity > 0
                                                   WHEN kind IN ('SHIP', 'TRANSFER_OUT') THEN quantity < 0
                                                   ELSE quantity <> 0 END),
    CONSTRAINT movement_stock_id_tenant_id_fkey FOREIGN KEY (stock_id, tenant_id) REFERENCES inventory.stock (id, tenant_id)
) PARTITION BY RANGE (occurred_at);
COMMENT ON TABLE inventory.movement IS
'Every change of on hand, append-only: RECEIPT, RETURN and TRANSFER_IN add, SHIP and TRANSFER_OUT take away,
ADJUSTMENT and COUNT either; signed quantity, the stock row''s on hand after it, unit cost (receipts), reference
(module, entity, id), reason, actor. The sum of a stock row''s movements is its on_hand (inventory.check()).
Partitioned by month (inventory.movement_yYYYYmMM), the partitions created ahead by the job inventory.partitions_ahead;
no UPDATE, DELETE or TRUNCATE, whoever writes.';
COMMENT ON COLUMN inventory.movement.occurred_at IS 'Transaction time (now()), UTC; also the partition key.';
CREATE INDEX movement_stock_id_tenant_id_idx ON inventory.movement (stock_id, tenant_id, occurred_at);
CREATE INDEX movement_tenant_id_idx ON inventory.movement (tenant_id, occurred_at);
CREATE TRIGGER movement_immutable BEFORE UPDATE OR DELETE ON inventory.movement
    FOR EACH ROW EXECUTE FUNCTION core.refuse_change_trg('INVENTORY_IMMUTABLE');
CREATE TRIGGER movement_no_truncate BEFORE TRUNCATE ON inventory.movement
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('INVENTORY_IMMUTABLE');

-- reservations --------------------------------------------------------------------------------------------------------
CREATE TABLE inventory.reservation (
    id              bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT reservation_pkey PRIMARY KEY,
    tenant_id       bigint NOT NULL CONSTRAINT reservation_tenant_id_fkey REFERENCES identity.tenant (id),
    stock_id        bigint NOT NULL,
    quantity        integer NOT NULL CONSTRAINT reservation_quantity_check CHECK (quantity > 0),
    backordered     integer NOT NULL DEFAULT 0,
    consumed        integer NOT NULL DEFAULT 0,
    state           text NOT NULL DEFAULT 'ACTIVE'
                    CONSTRAINT reservation_state_check CHECK (state IN ('ACTIVE', 'RELEASED', 'CONSUMED', 'EXPIRED')),
    channel         text CONSTRAINT reservation_channel_check CHECK (channel ~ '^[A-Z][A-Z0-9_]{0,31}$'),
    ref_module      text NOT NULL CONSTRAINT reservation_ref_module_check CHECK (ref_module ~ '^[a-z][a-z0-9_]{0,62}$'),
    ref_entity      text NOT NULL CONSTRAINT reservation_ref_entity_check CHECK (length(ref_entity) BETWEEN 1 AND 100),
    ref_id          text NOT NULL CONSTRAINT reservation_ref_id_check CHECK (length(ref_id) BETWEEN 1 AND 200),
    expires_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    actor_user_id   bigint,
    open_expires_at timestamptz GENERATED ALWAYS AS (CASE WHEN state = 'ACTIVE' THEN expires_at END) STORED,
    CONSTRAINT reservation_parts_check CHECK (backordered >= 0 AND consumed >= 0 AND backordered + consumed <= quantity),
    CONSTRAINT reservation_resolved_at_check CHECK ((state = 'ACTIVE') = (resolved_at IS NULL)),
    CONSTRAINT reservation_consumed_check CHECK ((state = 'CONSUMED') = (consumed = quantity)),
    CONSTRAINT reservation_stock_id_tenant_id_fkey FOREIGN KEY (stock_id, tenant_id) REFERENCES inventory.stock (id, tenant_id)
) WITH (fillfactor = 80);
COMMENT ON TABLE inventory.reservation IS
'Stock promised to a reference (module, entity, id: e.g. orders, order_line, 42) until it is shipped (consumed),
released or expires. quantity is what was asked; backordered the part not yet covered by stock (CONTINUE policy);
consumed what has shipped. Its live part, quantity - backordered - consumed, is counted in stock.reserved while ACTIVE
(inventory.check()). Resolves once: ACTIVE -> RELEASED, CONSUMED or EXPIRED, never back (trigger
reservation_guard); its terms never change. fillfactor 80; no index names state.';
COMMENT ON COLUMN inventory.reservation.open_expires_at IS
'expires_at while ACTIVE, else NULL (generated): the expiry sweep''s index reads it rather than state.';
CREATE INDEX reservation_stock_id_tenant_id_idx ON inventory.reservation (stock_id, tenant_id);
CREATE INDEX reservation_reference_idx ON inventory.reservation (tenant_id, ref_module, ref_entity, ref_id);
CREATE INDEX reservation_open_expires_at_idx ON inventory.reservation (open_expires_at) WHERE open_expires_at IS NOT NULL;
CREATE TRIGGER reservation_no_delete BEFORE DELETE OR TRUNCATE ON inventory.reservation
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('INVENTORY_IMMUTABLE');
CREATE TRIGGER stock_no_delete BEFORE DELETE OR TRUNCATE ON inventory.stock
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('INVENTORY_IMMUTABLE');
CREATE TRIGGER location_no_delete BEFORE DELETE OR TRUNCATE ON inventory.location
    FOR EACH STATEMENT EXECUTE FUNCTION core.refuse_change_trg('INVENTORY_IMMUTABLE');

CREATE TRIGGER location_audit AFTER INSERT OR UPDATE OR DELETE ON inventory.location
    FOR EACH ROW EXECUTE FUNCTION audit.track();
CREATE TRIGGER channel_buffer_audit AFTER INSERT OR UPDATE OR DELETE ON inventory.channel_buffer
    FOR EACH ROW EXECUTE FUNCTION audit.track('stock_id');

REVOKE ALL ON inventory.location, inventory.stock, inventory.channel_buffer, inventory.movement, inventory.reservation
    FROM PUBLIC;

-- what a reservation request becomes once its lines are placed (functions/inventory/reservations)
CREATE TYPE inventory.allocation AS (line integer, variant_id bigint, location_id bigint, quantity integer, ref_id text);
COMMENT ON TYPE inventory.allocation IS
'One placed part of a reservation request: its line (1-based), the variant, the location it draws on, the quantity and
the reference id of the line.';

-- permission --------------------------------------------------------------------------------------------------------
INSERT INTO identity.permission (code, description, tenant_grantable) VALUES
('inventory.manage', 'Manage a tenant''s inventory: locations, receipts, adjustments, counts, transfers, reservations.',
 true);
INSERT INTO identity.role_permission (role_id, permission_id)
SELECT r.id, p.id FROM identity.role r, identity.permission p
 WHERE r.code IN ('PLATFORM_ADMIN', 'TENANT_ADMIN') AND r.tenant_id IS NULL AND p.code = 'inventory.manage';

-- errors --------------------------------------------------------------------------------------------------------------
INSERT INTO core.error (code, module, sqlstate, message, hint, description) VALUES
('INVENTORY_INVALID_INPUT', 'inventory', 'PT400', 'invalid inventory input', NULL,
 'A parameter is missing, malformed or out of range; the detail names it and the reason.'),
('INVENTORY_UNKNOWN_LOCATION', 'inventory', 'PT404', 'no such location', NULL,
 'No location with this id or code in the caller''s tenant.'),
('INVENTORY_LOCATION_TAKEN', 'inventory', 'PT409', 'a location with this code already exists', 'choose another code',
 'A location''s code is unique within its tenant.'),
('INVENTORY_LOCATION_INACTIVE', 'inventory', 'PT409', 'the location is inactive', NULL,
 'An INACTIVE location takes no receipt, transfer in or reservation.'),
('INVENTORY_UNKNOWN_VARIANT', 'inventory', 'PT404', 'no such variant', NULL,
 'No catalog variant with this id in the caller''s tenant.'),
('INVENTORY_NOT_TRACKED', 'inventory', 'PT409', 'the variant''s inventory is not tracked', NULL,
 'catalog.variant.track_inventory is false: the variant holds no stock.'),
('INVENTORY_INSUFFICIENT', 'inventory', 'PT409', 'not enough stock available', NULL,
 'A reservation, shipment, transfer or decrease asked for more than is available; the detail names the variant, the '
 'location and the quantity available. Nothing was changed.'),
('INVENTORY_MAX_QUANTITY', 'inventory', 'PT409', 'the variant''s maximum quantity would be exceeded', NULL,
 'catalog.variant.max_quantity caps what all locations hold together (a one-of-a-kind item has 1).'),
('INVENTORY_COUNT_STALE', 'inventory', 'PT409', 'the count was based on a quantity that is no longer current',
 'count again', 'A cycle count sets on hand only if on hand still equals the quantity the count was based on '
 '(compare-and-set); the detail names the current quantity.'),
('INVENTORY_UNKNOWN_RESERVATION', 'inventory', 'PT404', 'no such reservation', NULL,
 'No reservation with this id in the caller''s tenant.'),
('INVENTORY_RESERVATION_RESOLVED', 'inventory', 'PT409', 'the reservation is already resolved', NULL,
 'A reservation resolves once (RELEASED, CONSUMED or EXPIRED) and never changes afterwards; its terms never change.'),
('INVENTORY_BACKORDERED', 'inventory', 'PT409', 'the reservation waits for stock', 'receive stock first',
 'Shipping a reservation whose backordered part cannot yet be covered by available stock.'),
('INVENTORY_IMMUTABLE', 'inventory', 'PT409', 'inventory history cannot be changed or deleted', NULL,
 'Movements are append-only; locations, stock rows and reservations are never deleted.'),
('INVENTORY_NO_PARTITION', 'inventory', 'PT503', 'the movement log has no partition for this month',
 'run the job inventory.partitions_ahead (mercato jobs run inventory.partitions_ahead) and schedule it',
 'inventory.movement partitions are created ahead by a job, never inside an application transaction.'),
('INVENTORY_INTEGRITY_VIOLATION', 'inventory', 'PT500', 'the inventory integrity check found violations',
 'see the detail, or run mercato inventory check',
 'Raised by the job inventory.integrity when inventory.check() reports a violated invariant; the detail names each '
 'failed check, its number of violations and a few offending rows.');

COMMIT;
