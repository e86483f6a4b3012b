-- Deploy mercato:functions/store/fulfilment to pg
-- Fulfilment batches (schemas/store/fulfilment): create a batch at a location with open orders, read its pick list
-- (the orders' live reservations there, summed per variant), move it through picking and packing, ship it (each order
-- through orders.fulfil_for: the inventory ships the reservations and the order's fulfilment status follows),
-- complete or cancel it. The batch never writes stock or orders itself.
--
-- Who: staff holding store.manage or orders.manage in the tenant (a platform user or the back office names it).
-- Lock order: the batch row, then the orders in ascending id (orders.fulfil_for), then what the inventory locks.
-- Status transitions are enforced for every writer by the trigger fulfilment_batch_transition. READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION store.batch_transition_trg()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.tenant_id <> OLD.tenant_id OR NEW.number <> OLD.number OR NEW.location_id <> OLD.location_id THEN
        PERFORM core.raise('STORE_BATCH_TRANSITION', format('batch %s: id, tenant, number and location never change', OLD.id));
    END IF;
    IF NEW.status <> OLD.status AND NOT (OLD.status, NEW.status) IN (
            ('CREATED', 'PICKING'), ('PICKING', 'PICKED'), ('PICKED', 'PACKING'), ('PACKING', 'SHIPPED'),
            ('SHIPPED', 'COMPLETED'), ('CREATED', 'CANCELLED'), ('PICKING', 'CANCELLED'), ('PICKED', 'CANCELLED'),
            ('PACKING', 'CANCELLED')) THEN
        PERFORM core.raise('STORE_BATCH_TRANSITION', format('batch %s: %s -> %s', OLD.id, OLD.status, NEW.status));
    END IF;
    NEW.updated_at := now();
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION store.batch_transition_trg() IS
'Trigger fulfilment_batch_transition: a batch moves only CREATED -> PICKING -> PICKED -> PACKING -> SHIPPED -> COMPLETED,
or to CANCELLED before it ships, and its id, tenant, number and location never change (STORE_BATCH_TRANSITION),
whoever writes.';
CREATE TRIGGER fulfilment_batch_transition BEFORE UPDATE ON store.fulfilment_batch
    FOR EACH ROW EXECUTE FUNCTION store.batch_transition_trg();

CREATE OR REPLACE FUNCTION store.fulfilment_tenant(p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
RETURN identity.role_admin_tenant(p_tenant_id, 'store.manage', 'orders.manage');
COMMENT ON FUNCTION store.fulfilment_tenant(bigint) IS
'The tenant whose fulfilment a staff call manages: a tenant''s user its own, a platform user or the back office the one
it names; the caller holds store.manage or orders.manage there. Internal.';

CREATE OR REPLACE FUNCTION store.lock_batch(p_tenant_id bigint, p_batch_id bigint)
RETURNS store.fulfilment_batch
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    b store.fulfilment_batch;
BEGIN
    SELECT * INTO b FROM store.fulfilment_batch x WHERE x.id = p_batch_id AND x.tenant_id = p_tenant_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('STORE_UNKNOWN_BATCH', format('batch %s', p_batch_id));
    END IF;
    RETURN b;
END
$$;
COMMENT ON FUNCTION store.lock_batch(bigint, bigint) IS
'Lock a batch of the tenant for the rest of the transaction (STORE_UNKNOWN_BATCH when there is none). Internal.';

CREATE OR REPLACE FUNCTION store.batch_lines(p_tenant_id bigint, p_batch_id bigint)
RETURNS TABLE (order_id bigint, line_id bigint, variant_id bigint, sku text, title text, live integer)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH b AS (SELECT x.location_id FROM store.fulfilment_batch x WHERE x.id = p_batch_id AND x.tenant_id = p_tenant_id),
         lines AS (SELECT l.* FROM orders.open_lines_for(p_tenant_id,
                       ARRAY(SELECT bo.order_id FROM store.batch_order bo
                              WHERE bo.batch_id = p_batch_id AND bo.tenant_id = p_tenant_id AND bo.open)) l
                    WHERE l.unfulfilled > 0),
         res AS (SELECT r.ref_id, sum(r.live)::integer AS live
                   FROM inventory.live_reservations_for(p_tenant_id, 'orders', 'line',
                            ARRAY(SELECT lines.line_id::text FROM lines), (SELECT b.location_id FROM b)) r
                  GROUP BY r.ref_id)
    SELECT lines.order_id, lines.line_id, lines.variant_id, lines.sku, lines.title, least(res.live, lines.unfulfilled)
      FROM lines JOIN res ON res.ref_id = lines.line_id::text
     WHERE res.live > 0
     ORDER BY lines.order_id, lines.line_id;
END;
COMMENT ON FUNCTION store.batch_lines(bigint, bigint) IS
'What a batch will ship: per open order line of its orders, the quantity held by live reservations at the batch''s
location (at most what remains unfulfilled). Read from orders.open_lines_for and inventory.live_reservations_for.
Internal.';

CREATE OR REPLACE FUNCTION store.recount_batch(p_tenant_id bigint, p_batch_id bigint)
RETURNS void
LANGUAGE sql
VOLATILE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    UPDATE store.fulfilment_batch b
       SET total_orders = (SELECT count(*) FROM store.batch_order bo
                            WHERE bo.batch_id = p_batch_id AND bo.tenant_id = p_tenant_id AND bo.open),
           total_items = (SELECT coalesce(sum(x.live), 0) FROM store.batch_lines(p_tenant_id, p_batch_id) x)
     WHERE b.id = p_batch_id AND b.tenant_id = p_tenant_id;
END;
COMMENT ON FUNCTION store.recount_batch(bigint, bigint) IS
'Set a batch''s total_orders (its open orders) and total_items (what its pick list holds). Internal.';

CREATE OR REPLACE FUNCTION store.order_id_list(p_order_ids jsonb)
RETURNS bigint[]
LANGUAGE plpgsql
IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_order_ids IS NULL OR jsonb_typeof(p_order_ids) <> 'array' OR jsonb_array_length(p_order_ids) NOT BETWEEN 1 AND 500
       OR EXISTS (SELECT 1 FROM jsonb_array_elements(p_order_ids) e
                   WHERE jsonb_typeof(e) <> 'number' OR e::text !~ '^[1-9][0-9]{0,17}$') THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT', 'order_ids: a JSON array of 1-500 order ids');
    END IF;
    RETURN ARRAY(SELECT DISTINCT e::text::bigint FROM jsonb_array_elements(p_order_ids) e ORDER BY 1);
END
$$;
COMMENT ON FUNCTION store.order_id_list(jsonb) IS
'Order ids from a JSON array of 1-500 positive integers, distinct and ascending (STORE_INVALID_BATCH_INPUT otherwise).
Internal.';

CREATE OR REPLACE FUNCTION store.add_batch_orders(p_batch_id bigint, p_order_ids_json jsonb, p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.fulfilment_tenant(p_tenant_id);
    b           store.fulfilment_batch := store.lock_batch(v_tenant, p_batch_id);
    p_order_ids bigint[] := store.order_id_list(p_order_ids_json);
    v_bad       text;
BEGIN
    IF b.status <> 'CREATED' THEN
        PERFORM core.raise('STORE_BATCH_TRANSITION', format('batch %s is %s: orders join a CREATED batch only', b.id, b.status));
    END IF;
    WITH asked AS (SELECT DISTINCT x AS order_id FROM unnest(p_order_ids) x),
         lines AS (SELECT * FROM orders.open_lines_for(v_tenant, p_order_ids)),   -- read once, used twice
         o AS (SELECT DISTINCT l.order_id, l.status, l.fulfillment_status FROM lines l),
         held AS (SELECT l.order_id, sum(r.live) AS live
                    FROM lines l
                    JOIN inventory.live_reservations_for(v_tenant, 'orders', 'line',
                             ARRAY(SELECT x.line_id::text FROM lines x), b.location_id) r ON r.ref_id = l.line_id::text
                   GROUP BY l.order_id)
    SELECT format('order %s: %s', a.order_id, CASE
               WHEN o.order_id IS NULL THEN 'not an order of the tenant (or without lines)'
               WHEN o.status NOT IN ('PENDING', 'PROCESSING') THEN format('it is %s', o.status)
               WHEN o.fulfillment_status = 'FULFILLED' THEN 'it is fulfilled'
               WHEN coalesce(h.live, 0) = 0 THEN 'nothing of it is reserved at the batch''s location'
               ELSE 'it is in another open batch' END)
      INTO v_bad
      FROM asked a
      LEFT JOIN o ON o.order_id = a.order_id
      LEFT JOIN held h ON h.order_id = a.order_id
     WHERE o.order_id IS NULL OR o.status NOT IN ('PENDING', 'PROCESSING') OR o.fulfillment_status = 'FULFILLED'
        OR coalesce(h.live, 0) = 0
        OR EXISTS (SELECT 1 FROM store.batch_order bo WHERE bo.order_id = a.order_id AND bo.open AND bo.batch_id <> b.id)
     ORDER BY a.order_id LIMIT 1;
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('STORE_ORDER_NOT_BATCHABLE', v_bad);
    END IF;
    BEGIN
        INSERT INTO store.batch_order (batch_id, tenant_id, order_id)
        SELECT b.id, v_tenant, x FROM unnest(p_order_ids) x
        ON CONFLICT (batch_id, order_id) DO NOTHING;
    EXCEPTION WHEN unique_violation THEN
        -- a concurrent batch took one of the orders first (batch_order_open_key)
        PERFORM core.raise('STORE_ORDER_NOT_BATCHABLE', 'an order was added to another open batch meanwhile');
    END;
    PERFORM store.recount_batch(v_tenant, b.id);
    SELECT * INTO b FROM store.fulfilment_batch x WHERE x.id = b.id;
    RETURN b;
END
$$;
COMMENT ON FUNCTION store.add_batch_orders(bigint, jsonb, bigint) IS
'Add orders (a JSON array of ids) to a CREATED batch: each must be an order of the tenant, PENDING or PROCESSING, not fulfilled, with live
reservations at the batch''s location, and in no other open batch (STORE_ORDER_NOT_BATCHABLE naming the order and the
rule; nothing added). Adding an order already in the batch is a no-op. Recounts the batch. Errors: STORE_UNKNOWN_BATCH,
STORE_BATCH_TRANSITION, STORE_INVALID_BATCH_INPUT, STORE_ORDER_NOT_BATCHABLE, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.create_batch(p_location_id bigint, p_order_ids jsonb DEFAULT NULL,
                                              p_assigned_to bigint DEFAULT NULL, p_estimated_pick_time integer DEFAULT NULL,
                                              p_note text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.fulfilment_tenant(p_tenant_id);
    b        store.fulfilment_batch;
BEGIN
    IF p_location_id IS NULL THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT', 'location_id: required');
    ELSIF p_assigned_to IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM identity.user_account u WHERE u.id = p_assigned_to AND u.tenant_id = v_tenant AND u.status = 'ACTIVE') THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT', format('assigned_to: user %s is not an active user of the tenant', p_assigned_to));
    ELSIF p_estimated_pick_time IS NOT NULL AND p_estimated_pick_time NOT BETWEEN 0 AND 100000 THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT', 'estimated_pick_time: 0-100000 minutes');
    ELSIF length(p_note) > 2000 THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT', 'note: at most 2000 characters');
    END IF;
    BEGIN
        INSERT INTO store.fulfilment_batch (tenant_id, number, location_id, assigned_to, estimated_pick_time, note, created_by)
        VALUES (v_tenant, core.next_number('store.fulfilment_batch', v_tenant::text), p_location_id, p_assigned_to,
                p_estimated_pick_time, p_note, identity.current_user_id())
        RETURNING * INTO b;
    EXCEPTION WHEN foreign_key_violation THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT', format('location_id: %s is not a location of the tenant', p_location_id));
    END;
    IF p_order_ids IS NOT NULL THEN
        b := store.add_batch_orders(b.id, p_order_ids, v_tenant);
    END IF;
    RETURN b;
END
$$;
COMMENT ON FUNCTION store.create_batch(bigint, jsonb, bigint, integer, text, bigint) IS
'Create a fulfilment batch at a location of the caller''s tenant (number sequential per tenant), optionally assigned to
an active user of the tenant, with an estimated pick time and a note, and add the given orders (a JSON array of ids: store.add_batch_orders;
a refused order refuses the whole call). Needs store.manage or orders.manage. Errors: STORE_INVALID_BATCH_INPUT,
STORE_ORDER_NOT_BATCHABLE, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.batch_pick_list(p_batch_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (variant_id bigint, sku text, title text, quantity integer, orders integer)
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.fulfilment_tenant(p_tenant_id);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM store.fulfilment_batch b WHERE b.id = p_batch_id AND b.tenant_id = v_tenant) THEN
        PERFORM core.raise('STORE_UNKNOWN_BATCH', format('batch %s', p_batch_id));
    END IF;
    RETURN QUERY
    SELECT x.variant_id, min(x.sku), min(x.title), sum(x.live)::integer, count(DISTINCT x.order_id)::integer
      FROM store.batch_lines(v_tenant, p_batch_id) x
     GROUP BY x.variant_id
     ORDER BY min(x.sku), x.variant_id;
END
$$;
COMMENT ON FUNCTION store.batch_pick_list(bigint, bigint) IS
'The pick list of a batch: per variant, the quantity to pick at the batch''s location (the live reservations of its
open orders'' unfulfilled lines there, summed) and how many orders want it, by SKU. Errors: STORE_UNKNOWN_BATCH,
IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.advance_batch(p_batch_id bigint, p_status text, p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.fulfilment_tenant(p_tenant_id);
    b        store.fulfilment_batch := store.lock_batch(v_tenant, p_batch_id);
BEGIN
    IF p_status IS NULL OR p_status NOT IN ('PICKING', 'PICKED', 'PACKING', 'COMPLETED') THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT',
                           'status: PICKING, PICKED, PACKING or COMPLETED (ship with ship_batch, cancel with cancel_batch)');
    ELSIF p_status = 'PICKING' AND b.total_orders = 0 THEN
        PERFORM core.raise('STORE_BATCH_TRANSITION', format('batch %s has no orders to pick', b.id));
    END IF;
    UPDATE store.fulfilment_batch x
       SET status = p_status,
           started_at = CASE WHEN p_status = 'PICKING' THEN now() ELSE x.started_at END,
           picked_at = CASE WHEN p_status = 'PICKED' THEN now() ELSE x.picked_at END,
           completed_at = CASE WHEN p_status = 'COMPLETED' THEN now() ELSE x.completed_at END
     WHERE x.id = b.id
    RETURNING * INTO b;
    IF p_status = 'COMPLETED' THEN
        UPDATE store.batch_order bo SET open = false WHERE bo.batch_id = b.id AND bo.tenant_id = v_tenant AND bo.open;
    END IF;
    RETURN b;
END
$$;
COMMENT ON FUNCTION store.advance_batch(bigint, text, bigint) IS
'Move a batch to PICKING (it must hold orders), PICKED, PACKING, or — once SHIPPED — COMPLETED (its orders leave it);
the trigger refuses any other step (STORE_BATCH_TRANSITION). Errors: STORE_UNKNOWN_BATCH, STORE_INVALID_BATCH_INPUT,
STORE_BATCH_TRANSITION, IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.ship_batch(p_batch_id bigint, p_tracking jsonb DEFAULT '{}', p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant   bigint := store.fulfilment_tenant(p_tenant_id);
    b          store.fulfilment_batch := store.lock_batch(v_tenant, p_batch_id);
    v_order    record;
    v_tracking text[];
BEGIN
    IF b.status <> 'PACKING' THEN
        PERFORM core.raise('STORE_BATCH_TRANSITION', format('batch %s is %s: a batch ships from PACKING', b.id, b.status));
    ELSIF p_tracking IS NULL OR jsonb_typeof(p_tracking) <> 'object' THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT', 'tracking: a JSON object {"<order id>": ["tracking number", …]}');
    END IF;
    IF EXISTS (SELECT 1 FROM jsonb_each(p_tracking) t
                WHERE t.key !~ '^[0-9]{1,18}$'
                   OR NOT EXISTS (SELECT 1 FROM store.batch_order bo WHERE bo.batch_id = b.id AND bo.open
                                     AND bo.order_id = t.key::bigint)
                   OR jsonb_typeof(t.value) <> 'array' OR jsonb_array_length(t.value) > 20
                   OR EXISTS (SELECT 1 FROM jsonb_array_elements(t.value) e
                               WHERE jsonb_typeof(e) <> 'string' OR length(btrim(e #>> '{}')) NOT BETWEEN 1 AND 100)) THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT',
                           'tracking: keys must be orders of the batch, values arrays of at most 20 tracking numbers (1-100 characters)');
    END IF;
    FOR v_order IN
        SELECT x.order_id, jsonb_agg(jsonb_build_object('line_id', x.line_id, 'quantity', x.live) ORDER BY x.line_id) AS lines,
               sum(x.live)::integer AS items
          FROM store.batch_lines(v_tenant, b.id) x
         GROUP BY x.order_id
         ORDER BY x.order_id
    LOOP
        v_tracking := ARRAY(SELECT btrim(e) FROM jsonb_array_elements_text(coalesce(p_tracking -> v_order.order_id::text, '[]')) e);
        PERFORM orders.fulfil_for(v_tenant, v_order.order_id, v_order.lines, v_tracking, b.location_id);
        UPDATE store.batch_order bo SET shipped_items = bo.shipped_items + v_order.items, tracking_numbers = v_tracking
         WHERE bo.batch_id = b.id AND bo.order_id = v_order.order_id;
    END LOOP;
    UPDATE store.fulfilment_batch x SET status = 'SHIPPED', shipped_at = now() WHERE x.id = b.id RETURNING * INTO b;
    RETURN b;
END
$$;
COMMENT ON FUNCTION store.ship_batch(bigint, jsonb, bigint) IS
'Ship a PACKING batch: for each of its open orders in ascending id, what is reserved for it at the batch''s location
ships through orders.fulfil_for (the inventory consumes the reservations with SHIP movements; the order records the
tracking numbers and becomes partially or wholly fulfilled); lines reserved elsewhere stay open (partial fulfilment).
p_tracking: {"<order id>": ["tracking number", …]}. The batch becomes SHIPPED. All or nothing. Errors:
STORE_UNKNOWN_BATCH, STORE_BATCH_TRANSITION, STORE_INVALID_BATCH_INPUT, the orders'' and the inventory''s refusals,
IDENTITY_PERMISSION_DENIED.';

CREATE OR REPLACE FUNCTION store.cancel_batch(p_batch_id bigint, p_reason text, p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.fulfilment_tenant(p_tenant_id);
    b        store.fulfilment_batch := store.lock_batch(v_tenant, p_batch_id);
BEGIN
    IF p_reason IS NULL OR length(btrim(p_reason)) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('STORE_INVALID_BATCH_INPUT', 'reason: 1-500 characters required');
    END IF;
    UPDATE store.fulfilment_batch x SET status = 'CANCELLED', cancelled_at = now(), cancel_reason = btrim(p_reason)
     WHERE x.id = b.id RETURNING * INTO b;
    UPDATE store.batch_order bo SET open = false WHERE bo.batch_id = b.id AND bo.tenant_id = v_tenant AND bo.open;
    RETURN b;
END
$$;
COMMENT ON FUNCTION store.cancel_batch(bigint, text, bigint) IS
'Cancel a batch that has not shipped, with a reason: its orders leave it (they may join another batch); their
reservations stay. Errors: STORE_UNKNOWN_BATCH, STORE_INVALID_BATCH_INPUT, STORE_BATCH_TRANSITION,
IDENTITY_PERMISSION_DENIED.';

REVOKE ALL ON FUNCTION store.batch_transition_trg(), store.fulfilment_tenant(bigint), store.lock_batch(bigint, bigint),
    store.batch_lines(bigint, bigint), store.recount_batch(bigint, bigint),
    store.order_id_list(jsonb), store.add_batch_orders(bigint, jsonb, bigint),
    store.create_batch(bigint, jsonb, bigint, integer, text, bigint),
    store.batch_pick_list(bigint, bigint), store.advance_batch(bigint, text, bigint),
    store.ship_batch(bigint, jsonb, bigint), store.cancel_batch(bigint, text, bigint) FROM PUBLIC;

COMMIT;
