-- Deploy mercato:functions/inventory/stock to pg
-- Staff changes of stock at a location, each a conditional UPDATE of the stock row (never read-then-write) and one
-- movement per change of on hand: receive (RECEIPT or RETURN, with the moving average cost), adjust (a signed
-- ADJUSTMENT with its reason), count (an absolute COUNT, compare-and-set against the quantity the count was based on),
-- transfer (TRANSFER_OUT and TRANSFER_IN, both rows locked in location order); and what changes no on hand: the
-- unavailable quantity (damaged, quality control), planning settings and channel buffers.
-- Growth of a variant with max_quantity takes the variant's lock first (inventory.lock_variant_growth).
-- Lock order and isolation: see functions/inventory/guards. A longer file than most: one use case, stock levels.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION inventory.check_quantity(p_name text, p_quantity integer, p_min integer DEFAULT 1)
RETURNS void
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_quantity IS NULL OR p_quantity NOT BETWEEN p_min AND 1000000 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', format('%s: a whole number from %s to 1,000,000', p_name, p_min));
    END IF;
END
$$;
COMMENT ON FUNCTION inventory.check_quantity(text, integer, integer) IS
'Refuse a quantity outside p_min .. 1,000,000 with INVENTORY_INVALID_INPUT naming it. Internal.';

CREATE OR REPLACE FUNCTION inventory.receive_in(p_tenant_id bigint, p_variant_id bigint, p_location_id bigint,
                                                p_quantity integer, p_unit_cost numeric DEFAULT NULL,
                                                p_kind text DEFAULT 'RECEIPT', p_ref_module text DEFAULT NULL,
                                                p_ref_entity text DEFAULT NULL, p_ref_id text DEFAULT NULL,
                                                p_reason text DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_terms record;
    v_minor integer;
    v_stock bigint;
    v_row   inventory.stock;
BEGIN
    PERFORM inventory.check_quantity('quantity', p_quantity);
    PERFORM inventory.check_reference(p_ref_module, p_ref_entity, p_ref_id, false);
    IF p_kind IS NULL OR p_kind NOT IN ('RECEIPT', 'RETURN') THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'kind: RECEIPT or RETURN');
    ELSIF length(p_reason) > 500 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'reason: 500 characters at most');
    ELSIF p_unit_cost IS NOT NULL THEN
        SELECT c.minor_units INTO v_minor
          FROM identity.tenant t JOIN masterdata.currency c ON c.code = t.currency WHERE t.id = p_tenant_id;
        IF p_unit_cost < 0 OR p_unit_cost >= 1e12 OR scale(p_unit_cost) > coalesce(v_minor, 4) THEN
            PERFORM core.raise('INVENTORY_INVALID_INPUT',
                               format('unit_cost: >= 0 with at most %s decimals (the tenant currency''s minor units)',
                                      coalesce(v_minor, 4)));
        END IF;
    END IF;
    v_terms := inventory.variant_terms(p_tenant_id, p_variant_id);
    IF NOT v_terms.track_inventory THEN
        PERFORM core.raise('INVENTORY_NOT_TRACKED', format('variant %s', p_variant_id));
    END IF;
    PERFORM inventory.lock_variant_growth(p_tenant_id, p_variant_id, p_quantity, v_terms.max_quantity);
    v_stock := inventory.stock_id(p_tenant_id, p_variant_id, p_location_id, true);
    UPDATE inventory.stock s
       SET on_hand = s.on_hand + p_quantity,
           last_cost = coalesce(p_unit_cost, s.last_cost),
           avg_cost = CASE WHEN p_unit_cost IS NULL THEN s.avg_cost
                           WHEN s.avg_cost IS NULL OR s.on_hand = 0 THEN p_unit_cost
                           ELSE round((s.avg_cost * s.on_hand + p_unit_cost * p_quantity) / (s.on_hand + p_quantity), 6) END
     WHERE s.id = v_stock
    RETURNING s.* INTO v_row;
    PERFORM inventory.add_movement(p_tenant_id, v_stock, p_kind, p_quantity, v_row.on_hand, p_unit_cost, p_ref_module,
                                   p_ref_entity, p_ref_id, p_reason);
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION inventory.receive_in(bigint, bigint, bigint, integer, numeric, text, text, text, text, text) IS
'Receive stock into a tenant''s location, for a module that has already decided the tenant and the caller''s right
(purchasing); inventory.receive is the staff entry point. Adds p_quantity to on hand with a RECEIPT (or RETURN)
movement; a unit cost (scale at most the tenant currency''s minor units) sets last_cost and the moving average cost.
Never more than the variant''s max_quantity across locations. Returns the stock row. Internal: granted to no API role.
Errors: INVENTORY_INVALID_INPUT, INVENTORY_UNKNOWN_VARIANT, INVENTORY_NOT_TRACKED, INVENTORY_UNKNOWN_LOCATION,
INVENTORY_LOCATION_INACTIVE, INVENTORY_MAX_QUANTITY, INVENTORY_NO_PARTITION. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.receive(p_variant_id bigint, p_location_id bigint, p_quantity integer,
                                             p_unit_cost numeric DEFAULT NULL, p_kind text DEFAULT 'RECEIPT',
                                             p_ref_module text DEFAULT NULL, p_ref_entity text DEFAULT NULL,
                                             p_ref_id text DEFAULT NULL, p_reason text DEFAULT NULL,
                                             p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.receive_in(inventory.manage_tenant(p_tenant_id), p_variant_id, p_location_id, p_quantity, p_unit_cost,
                            p_kind, p_ref_module, p_ref_entity, p_ref_id, p_reason);
COMMENT ON FUNCTION inventory.receive(bigint, bigint, integer, numeric, text, text, text, text, text, bigint) IS
'Receive stock at a location: on hand grows by p_quantity with a RECEIPT (or RETURN) movement; an optional unit cost
updates last and moving average cost. Never more than the variant''s max_quantity across all locations. Returns the
stock row. Needs inventory.manage in the tenant. Errors: INVENTORY_INVALID_INPUT, INVENTORY_UNKNOWN_VARIANT,
INVENTORY_NOT_TRACKED, INVENTORY_UNKNOWN_LOCATION, INVENTORY_LOCATION_INACTIVE, INVENTORY_MAX_QUANTITY,
INVENTORY_NO_PARTITION, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.refuse_insufficient(p_stock_id bigint, p_variant_id bigint, p_location_id bigint,
                                                         p_wanted integer, p_what text DEFAULT 'available')
RETURNS void
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_available integer;
BEGIN
    SELECT s.available INTO v_available FROM inventory.stock s WHERE s.id = p_stock_id;
    PERFORM core.raise('INVENTORY_INSUFFICIENT',
                       format('variant %s at location %s: %s wanted, %s %s', p_variant_id, p_location_id, p_wanted,
                              coalesce(v_available, 0), p_what));
END
$$;
COMMENT ON FUNCTION inventory.refuse_insufficient(bigint, bigint, bigint, integer, text) IS
'Raise INVENTORY_INSUFFICIENT naming the variant, the location, what was wanted and what is available now (read after
the conditional UPDATE missed: for the message only, never to decide). Internal.';

CREATE OR REPLACE FUNCTION inventory.adjust(p_variant_id bigint, p_location_id bigint, p_delta integer, p_reason text,
                                            p_ref_module text DEFAULT NULL, p_ref_entity text DEFAULT NULL,
                                            p_ref_id text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := inventory.manage_tenant(p_tenant_id);
    v_terms  record;
    v_stock  bigint;
    v_row    inventory.stock;
BEGIN
    IF p_delta IS NULL OR p_delta = 0 OR p_delta NOT BETWEEN -1000000 AND 1000000 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'delta: a non-zero whole number from -1,000,000 to 1,000,000');
    ELSIF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'reason: 1 to 500 characters (why the stock changed)');
    END IF;
    PERFORM inventory.check_reference(p_ref_module, p_ref_entity, p_ref_id, false);
    v_terms := inventory.variant_terms(v_tenant, p_variant_id);
    IF NOT v_terms.track_inventory THEN
        PERFORM core.raise('INVENTORY_NOT_TRACKED', format('variant %s', p_variant_id));
    END IF;
    PERFORM inventory.lock_variant_growth(v_tenant, p_variant_id, p_delta, v_terms.max_quantity);
    v_stock := inventory.stock_id(v_tenant, p_variant_id, p_location_id, p_delta > 0);
    UPDATE inventory.stock s SET on_hand = s.on_hand + p_delta
     WHERE s.id = v_stock AND (p_delta > 0 OR s.available >= -p_delta)
    RETURNING s.* INTO v_row;
    IF NOT FOUND THEN
        PERFORM inventory.refuse_insufficient(v_stock, p_variant_id, p_location_id, -p_delta);
    END IF;
    PERFORM inventory.add_movement(v_tenant, v_stock, 'ADJUSTMENT', p_delta, v_row.on_hand, NULL, p_ref_module,
                                   p_ref_entity, p_ref_id, btrim(p_reason));
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION inventory.adjust(bigint, bigint, integer, text, text, text, text, bigint) IS
'Adjust on hand by a signed delta with its reason (an ADJUSTMENT movement): a decrease takes only available stock
(never what is reserved or unavailable), an increase never passes the variant''s max_quantity. Returns the stock row.
Needs inventory.manage in the tenant. Errors: INVENTORY_INVALID_INPUT, INVENTORY_UNKNOWN_VARIANT, INVENTORY_NOT_TRACKED,
INVENTORY_UNKNOWN_LOCATION, INVENTORY_LOCATION_INACTIVE, INVENTORY_INSUFFICIENT, INVENTORY_MAX_QUANTITY,
INVENTORY_NO_PARTITION, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.count(p_variant_id bigint, p_location_id bigint, p_expected integer,
                                           p_counted integer, p_next_count_at timestamptz DEFAULT NULL,
                                           p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := inventory.manage_tenant(p_tenant_id);
    v_terms  record;
    v_stock  bigint;
    v_row    inventory.stock;
BEGIN
    PERFORM inventory.check_quantity('expected', p_expected, 0);
    PERFORM inventory.check_quantity('counted', p_counted, 0);
    IF p_next_count_at IS NOT NULL AND p_next_count_at <= now() THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'next_count_at: a future time');
    END IF;
    v_terms := inventory.variant_terms(v_tenant, p_variant_id);
    IF NOT v_terms.track_inventory THEN
        PERFORM core.raise('INVENTORY_NOT_TRACKED', format('variant %s', p_variant_id));
    END IF;
    PERFORM inventory.lock_variant_growth(v_tenant, p_variant_id, p_counted - p_expected, v_terms.max_quantity);
    v_stock := inventory.stock_id(v_tenant, p_variant_id, p_location_id, false);
    -- compare-and-set: only if on hand is still what the count was based on, and never below what is promised
    UPDATE inventory.stock s
       SET on_hand = p_counted, last_counted_at = now(), next_count_at = coalesce(p_next_count_at, s.next_count_at)
     WHERE s.id = v_stock AND s.on_hand = p_expected AND p_counted >= s.reserved + s.unavailable
    RETURNING s.* INTO v_row;
    IF NOT FOUND THEN
        SELECT * INTO v_row FROM inventory.stock s WHERE s.id = v_stock;
        IF v_row.on_hand <> p_expected THEN
            PERFORM core.raise('INVENTORY_COUNT_STALE',
                               format('variant %s at location %s: on hand is %s, the count expected %s', p_variant_id,
                                      p_location_id, v_row.on_hand, p_expected));
        END IF;
        PERFORM core.raise('INVENTORY_INSUFFICIENT',
                           format('variant %s at location %s: counted %s, but %s are reserved and %s unavailable',
                                  p_variant_id, p_location_id, p_counted, v_row.reserved, v_row.unavailable));
    END IF;
    IF p_counted <> p_expected THEN
        PERFORM inventory.add_movement(v_tenant, v_stock, 'COUNT', p_counted - p_expected, v_row.on_hand, NULL, NULL,
                                       NULL, NULL, 'cycle count');
    END IF;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION inventory.count(bigint, bigint, integer, integer, timestamptz, bigint) IS
'A cycle count: set on hand to p_counted only if it still equals p_expected, the quantity the count was based on
(compare-and-set, as Shopify''s compareQuantity); else INVENTORY_COUNT_STALE naming the current quantity, nothing
changed. A difference is a COUNT movement; last_counted_at is now, next_count_at as given. A count below what is reserved
or unavailable is refused (INVENTORY_INSUFFICIENT). Needs inventory.manage in the tenant. Errors:
INVENTORY_INVALID_INPUT, INVENTORY_UNKNOWN_VARIANT, INVENTORY_NOT_TRACKED, INVENTORY_UNKNOWN_LOCATION,
INVENTORY_COUNT_STALE, INVENTORY_INSUFFICIENT, INVENTORY_MAX_QUANTITY, INVENTORY_NO_PARTITION,
IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.transfer(p_variant_id bigint, p_from_location_id bigint, p_to_location_id bigint,
                                              p_quantity integer, p_reason text DEFAULT NULL,
                                              p_tenant_id bigint DEFAULT NULL)
RETURNS SETOF inventory.stock
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := inventory.manage_tenant(p_tenant_id);
    v_terms  record;
    v_from   bigint;
    v_to     bigint;
    v_out    inventory.stock;
    v_in     inventory.stock;
BEGIN
    PERFORM inventory.check_quantity('quantity', p_quantity);
    IF p_from_location_id IS NOT DISTINCT FROM p_to_location_id THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'to_location: another location than from_location');
    ELSIF length(p_reason) > 500 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'reason: 500 characters at most');
    END IF;
    v_terms := inventory.variant_terms(v_tenant, p_variant_id);
    IF NOT v_terms.track_inventory THEN
        PERFORM core.raise('INVENTORY_NOT_TRACKED', format('variant %s', p_variant_id));
    END IF;
    v_from := inventory.stock_id(v_tenant, p_variant_id, p_from_location_id, false);
    v_to := inventory.stock_id(v_tenant, p_variant_id, p_to_location_id, true);
    -- both rows of one variant, locked in ascending location id (the lock order)
    IF p_to_location_id < p_from_location_id THEN
        UPDATE inventory.stock s SET on_hand = s.on_hand + p_quantity WHERE s.id = v_to RETURNING s.* INTO v_in;
    END IF;
    UPDATE inventory.stock s SET on_hand = s.on_hand - p_quantity
     WHERE s.id = v_from AND s.available >= p_quantity
    RETURNING s.* INTO v_out;
    IF NOT FOUND THEN
        PERFORM inventory.refuse_insufficient(v_from, p_variant_id, p_from_location_id, p_quantity);
    END IF;
    IF p_to_location_id > p_from_location_id THEN
        UPDATE inventory.stock s SET on_hand = s.on_hand + p_quantity WHERE s.id = v_to RETURNING s.* INTO v_in;
    END IF;
    PERFORM inventory.add_movement(v_tenant, v_from, 'TRANSFER_OUT', -p_quantity, v_out.on_hand, NULL, 'inventory',
                                   'location', p_to_location_id::text, p_reason);
    PERFORM inventory.add_movement(v_tenant, v_to, 'TRANSFER_IN', p_quantity, v_in.on_hand, NULL, 'inventory',
                                   'location', p_from_location_id::text, p_reason);
    RETURN NEXT v_out;
    RETURN NEXT v_in;
END
$$;
COMMENT ON FUNCTION inventory.transfer(bigint, bigint, bigint, integer, text, bigint) IS
'Move stock of a variant from one location to another: TRANSFER_OUT of available stock at the source, TRANSFER_IN at
the (ACTIVE) destination, each movement naming the other location; both rows locked in ascending location id. Returns
the two stock rows (source first). Needs inventory.manage in the tenant. Errors: INVENTORY_INVALID_INPUT,
INVENTORY_UNKNOWN_VARIANT, INVENTORY_NOT_TRACKED, INVENTORY_UNKNOWN_LOCATION, INVENTORY_LOCATION_INACTIVE,
INVENTORY_INSUFFICIENT, INVENTORY_NO_PARTITION, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.set_unavailable(p_variant_id bigint, p_location_id bigint, p_quantity integer,
                                                     p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := inventory.manage_tenant(p_tenant_id);
    v_stock  bigint;
    v_row    inventory.stock;
BEGIN
    PERFORM inventory.check_quantity('quantity', p_quantity, 0);
    PERFORM inventory.variant_terms(v_tenant, p_variant_id);
    v_stock := inventory.stock_id(v_tenant, p_variant_id, p_location_id, false);
    UPDATE inventory.stock s SET unavailable = p_quantity
     WHERE s.id = v_stock AND s.on_hand - s.reserved >= p_quantity
    RETURNING s.* INTO v_row;
    IF NOT FOUND THEN
        PERFORM inventory.refuse_insufficient(v_stock, p_variant_id, p_location_id, p_quantity,
                                              'available (on hand not reserved, besides what is unavailable now)');
    END IF;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION inventory.set_unavailable(bigint, bigint, integer, bigint) IS
'Set how much of on hand is unavailable (damaged, in quality control): still on hand, never sold; at most on hand
minus reserved. On hand is unchanged, so no movement. Needs inventory.manage in the tenant. Errors:
INVENTORY_INVALID_INPUT, INVENTORY_UNKNOWN_VARIANT, INVENTORY_UNKNOWN_LOCATION, INVENTORY_INSUFFICIENT,
IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.set_stock_settings(p_variant_id bigint, p_location_id bigint,
                                                        p_safety_stock integer DEFAULT NULL,
                                                        p_reorder_point integer DEFAULT NULL,
                                                        p_reorder_quantity integer DEFAULT NULL,
                                                        p_next_count_at timestamptz DEFAULT NULL,
                                                        p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := inventory.manage_tenant(p_tenant_id);
    v_stock  bigint;
    v_row    inventory.stock;
BEGIN
    IF p_safety_stock IS NOT NULL THEN
        PERFORM inventory.check_quantity('safety_stock', p_safety_stock, 0);
    END IF;
    IF p_reorder_point IS NOT NULL THEN
        PERFORM inventory.check_quantity('reorder_point', p_reorder_point, 0);
    END IF;
    IF p_reorder_quantity IS NOT NULL THEN
        PERFORM inventory.check_quantity('reorder_quantity', p_reorder_quantity, 1);
    END IF;
    PERFORM inventory.variant_terms(v_tenant, p_variant_id);
    v_stock := inventory.stock_id(v_tenant, p_variant_id, p_location_id, false);
    UPDATE inventory.stock s
       SET safety_stock = coalesce(p_safety_stock, s.safety_stock), reorder_point = coalesce(p_reorder_point, s.reorder_point),
           reorder_quantity = coalesce(p_reorder_quantity, s.reorder_quantity),
           next_count_at = coalesce(p_next_count_at, s.next_count_at)
     WHERE s.id = v_stock
    RETURNING s.* INTO v_row;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION inventory.set_stock_settings(bigint, bigint, integer, integer, integer, timestamptz, bigint) IS
'Set a stock row''s planning fields: safety stock, reorder point and quantity, next cycle count; NULL keeps a value.
Needs inventory.manage in the tenant. Errors: INVENTORY_INVALID_INPUT, INVENTORY_UNKNOWN_VARIANT,
INVENTORY_UNKNOWN_LOCATION, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.set_channel_buffer(p_variant_id bigint, p_location_id bigint, p_channel text,
                                                        p_buffer integer, p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.channel_buffer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := inventory.manage_tenant(p_tenant_id);
    v_stock  bigint;
    v_row    inventory.channel_buffer;
BEGIN
    IF p_channel IS NULL OR p_channel !~ '^[A-Z][A-Z0-9_]{0,31}$' THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'channel: an upper-case code such as ONLINE_STORE, EBAY, POS');
    END IF;
    PERFORM inventory.check_quantity('buffer', p_buffer, 0);
    PERFORM inventory.variant_terms(v_tenant, p_variant_id);
    v_stock := inventory.stock_id(v_tenant, p_variant_id, p_location_id, false);
    INSERT INTO inventory.channel_buffer AS b (stock_id, tenant_id, channel, buffer)
    VALUES (v_stock, v_tenant, p_channel, p_buffer)
    ON CONFLICT (stock_id, channel) DO UPDATE SET buffer = excluded.buffer, updated_at = now()
    RETURNING b.* INTO v_row;
    RETURN v_row;
END
$$;
COMMENT ON FUNCTION inventory.set_channel_buffer(bigint, bigint, text, integer, bigint) IS
'Set what a channel must leave of a variant''s stock at a location: a reservation naming that channel may take only
available - buffer. Needs inventory.manage in the tenant. Errors: INVENTORY_INVALID_INPUT, INVENTORY_UNKNOWN_VARIANT,
INVENTORY_UNKNOWN_LOCATION, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

COMMIT;
