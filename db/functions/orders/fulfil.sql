-- Deploy mercato:functions/orders/fulfil to pg
-- Fulfilling an order, whole or in part: the lines' live reservations are shipped (inventory.ship_for: on hand and
-- reserved drop, a SHIP movement), fulfilled_quantity grows (never above quantity: ORDERS_FULFILMENT_EXCEEDS), tracking
-- numbers are appended, fulfilment status follows (UNFULFILLED → PARTIAL → FULFILLED) and status too (PENDING →
-- PROCESSING on the first shipment, → FULFILLED with fulfilled_at once every line is).
--
-- The payment rule: an ONLINE_STORE order ships only once paid in full (financial status PAID, or PARTIALLY_REFUNDED
-- after it was); orders of every other source (POS, MANUAL, the marketplaces) may ship unpaid — the money was taken at
-- the counter or by the channel, and is recorded against it (record_external_payment) when it is known. A VOIDED or
-- REFUNDED order never ships. Untracked variants reserve nothing and just count.
--
-- orders.fulfil_for is the internal entry point for other modules (the store's fulfilment batches: they decide the
-- tenant and the caller's right); orders.fulfil is the staff entry point (orders.manage), behind api.fulfil_order.
-- Lock order: the order row, its lines (ascending id), the live reservations of those lines (ascending id), then
-- stock rows in ascending (variant_id, location_id) — the inventory's own order. READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION orders.fulfil_for(p_tenant_id bigint, p_order_id bigint, p_lines jsonb DEFAULT NULL,
                                             p_tracking_numbers text[] DEFAULT '{}', p_location_id bigint DEFAULT NULL)
RETURNS TABLE (line_id bigint, variant_id bigint, quantity integer, reservation_id bigint, location_id bigint)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    o          orders.sales_order;
    v_want     jsonb := '{}';          -- line id → quantity to fulfil
    e          jsonb;
    i          integer;
    v_id       bigint;
    v_q        bigint;
    v_bad      record;
    v_plan     jsonb := '[]';          -- [{line_id, variant_id, reservation_id, location_id, quantity}]
    l          record;
    r          record;
    v_left     integer;
    v_take     integer;
    v_tracking text[];
    v_done     boolean;
BEGIN
    SELECT * INTO o FROM orders.sales_order s WHERE s.id = p_order_id AND s.tenant_id = p_tenant_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('ORDERS_UNKNOWN_ORDER', format('order %s', p_order_id));
    ELSIF o.status NOT IN ('PENDING', 'PROCESSING') THEN
        PERFORM core.raise('ORDERS_NOT_FULFILLABLE', format('order %s is %s', o.number, o.status));
    ELSIF o.financial_status IN ('VOIDED', 'REFUNDED') THEN
        PERFORM core.raise('ORDERS_NOT_FULFILLABLE', format('order %s is %s', o.number, o.financial_status));
    ELSIF o.source = 'ONLINE_STORE' AND o.financial_status NOT IN ('PAID', 'PARTIALLY_REFUNDED') THEN
        PERFORM core.raise('ORDERS_NOT_FULFILLABLE',
                           format('order %s: an ONLINE_STORE order ships once paid in full (it is %s)', o.number,
                                  o.financial_status));
    END IF;
    IF p_tracking_numbers IS NOT NULL AND (cardinality(p_tracking_numbers) > 50 OR EXISTS (
            SELECT 1 FROM unnest(p_tracking_numbers) t WHERE t IS NULL OR length(btrim(t)) NOT BETWEEN 1 AND 100)) THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'tracking_numbers: at most 50 of 1 to 100 characters');
    END IF;

    -- what to fulfil: everything unfulfilled, or the lines named (each at most once)
    IF p_lines IS NULL THEN
        SELECT coalesce(jsonb_object_agg(x.id::text, x.quantity - x.fulfilled_quantity), '{}') INTO v_want
          FROM orders.line x WHERE x.order_id = o.id AND x.tenant_id = p_tenant_id AND x.fulfilled_quantity < x.quantity;
    ELSE
        IF jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) NOT BETWEEN 1 AND 500 THEN
            PERFORM core.raise('ORDERS_INVALID_INPUT', 'lines: a JSON array of 1 to 500 {line_id, quantity}');
        END IF;
        FOR e, i IN SELECT x.e, x.n FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS x(e, n) LOOP
            PERFORM orders.doc_keys(e, ARRAY['line_id', 'quantity'], format('lines[%s]', i));
            v_id := orders.doc_id(e, 'line_id', format('lines[%s]', i));
            v_q := orders.doc_id(e, 'quantity', format('lines[%s]', i));
            IF v_id IS NULL OR v_q IS NULL OR v_q > 1000000 OR v_want ? v_id::text THEN
                PERFORM core.raise('ORDERS_INVALID_INPUT',
                                   format('lines[%s]: line_id (once each) and quantity (1 to 1000000) are required', i));
            END IF;
            v_want := v_want || jsonb_build_object(v_id::text, v_q);
        END LOOP;
    END IF;
    IF v_want = '{}' THEN
        PERFORM core.raise('ORDERS_FULFILMENT_EXCEEDS', format('order %s: nothing is left to fulfil', o.number));
    END IF;

    -- the lines, locked in ascending id; none of another order, none beyond what remains
    FOR l IN SELECT x.id, x.variant_id, x.quantity, x.fulfilled_quantity, (v_want ->> x.id::text)::integer AS want,
                    v.track_inventory
               FROM orders.line x JOIN catalog.variant v ON v.id = x.variant_id AND v.tenant_id = x.tenant_id
              WHERE x.order_id = o.id AND x.tenant_id = p_tenant_id AND v_want ? x.id::text
              ORDER BY x.id FOR UPDATE OF x LOOP
        IF l.want > l.quantity - l.fulfilled_quantity THEN
            PERFORM core.raise('ORDERS_FULFILMENT_EXCEEDS',
                               format('line %s: %s asked, %s left to fulfil', l.id, l.want, l.quantity - l.fulfilled_quantity));
        END IF;
        IF NOT l.track_inventory THEN
            v_plan := v_plan || jsonb_build_array(jsonb_build_object('line_id', l.id, 'variant_id', l.variant_id,
                                                                     'quantity', l.want));
            CONTINUE;
        END IF;
        -- its live reservations (at the location named), locked in ascending id, shipped in that order
        v_left := l.want;
        FOR r IN SELECT x.id, x.quantity - x.consumed AS open, s.location_id
                   FROM inventory.reservation x JOIN inventory.stock s ON s.id = x.stock_id
                  WHERE x.tenant_id = p_tenant_id AND x.ref_module = 'orders' AND x.ref_entity = 'line'
                    AND x.ref_id = l.id::text AND x.state = 'ACTIVE'
                    AND (p_location_id IS NULL OR s.location_id = p_location_id)
                  ORDER BY x.id FOR UPDATE OF x LOOP
            EXIT WHEN v_left = 0;
            v_take := least(v_left, r.open);
            v_plan := v_plan || jsonb_build_array(jsonb_build_object('line_id', l.id, 'variant_id', l.variant_id,
                                                                     'reservation_id', r.id, 'location_id', r.location_id,
                                                                     'quantity', v_take));
            v_left := v_left - v_take;
        END LOOP;
        IF v_left > 0 THEN
            PERFORM core.raise('ORDERS_NOT_FULFILLABLE',
                               format('line %s: %s asked, only %s reserved%s', l.id, l.want, l.want - v_left,
                                      coalesce(' at location ' || p_location_id, '')));
        END IF;
    END LOOP;
    SELECT k INTO v_bad FROM jsonb_object_keys(v_want) k
     WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(v_plan) p WHERE p ->> 'line_id' = k) LIMIT 1;
    IF FOUND THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', format('line %s is not a line of order %s', v_bad.k, o.number));
    END IF;

    -- ship: stock rows in ascending (variant, location), the inventory's lock order
    FOR r IN SELECT (p ->> 'reservation_id')::bigint AS rid, (p ->> 'quantity')::integer AS q
               FROM jsonb_array_elements(v_plan) p WHERE p ? 'reservation_id'
              ORDER BY (p ->> 'variant_id')::bigint, (p ->> 'location_id')::bigint, (p ->> 'reservation_id')::bigint LOOP
        PERFORM inventory.ship_for(p_tenant_id, r.rid, r.q);
    END LOOP;
    UPDATE orders.line x SET fulfilled_quantity = x.fulfilled_quantity + (v_want ->> x.id::text)::integer
     WHERE x.order_id = o.id AND x.tenant_id = p_tenant_id AND v_want ? x.id::text;

    SELECT bool_and(x.fulfilled_quantity = x.quantity) INTO v_done
      FROM orders.line x WHERE x.order_id = o.id AND x.tenant_id = p_tenant_id;
    v_tracking := ARRAY(SELECT t FROM unnest(o.tracking_numbers) t
                        UNION SELECT btrim(t) FROM unnest(coalesce(p_tracking_numbers, '{}')) t ORDER BY 1);
    IF cardinality(v_tracking) > 100 THEN
        PERFORM core.raise('ORDERS_INVALID_INPUT', 'tracking_numbers: an order keeps at most 100');
    END IF;
    IF o.status = 'PENDING' THEN
        UPDATE orders.sales_order s SET status = 'PROCESSING', processed_at = coalesce(s.processed_at, now())
         WHERE s.id = o.id;
    END IF;
    UPDATE orders.sales_order s
       SET fulfillment_status = CASE WHEN v_done THEN 'FULFILLED' ELSE 'PARTIAL' END,
           status = CASE WHEN v_done THEN 'FULFILLED' ELSE s.status END,
           fulfilled_at = CASE WHEN v_done THEN now() END,
           tracking_numbers = v_tracking
     WHERE s.id = o.id;

    RETURN QUERY SELECT (p ->> 'line_id')::bigint, (p ->> 'variant_id')::bigint, (p ->> 'quantity')::integer,
                        (p ->> 'reservation_id')::bigint, (p ->> 'location_id')::bigint
                   FROM jsonb_array_elements(v_plan) p
                  ORDER BY (p ->> 'line_id')::bigint, (p ->> 'reservation_id')::bigint NULLS FIRST;
END
$$;
COMMENT ON FUNCTION orders.fulfil_for(bigint, bigint, jsonb, text[], bigint) IS
'Fulfil an order of the tenant, whole (p_lines NULL: everything unfulfilled) or in part ([{"line_id", "quantity"}]),
for a module that has decided the tenant and the caller''s right (the store''s fulfilment batches): ships the lines''
live reservations (at p_location_id when named) through inventory.ship_for, adds fulfilled_quantity, appends tracking
numbers, moves fulfilment status UNFULFILLED → PARTIAL → FULFILLED and status PENDING → PROCESSING → FULFILLED (with
fulfilled_at) once every line is. An ONLINE_STORE order ships only once paid in full; other sources may ship unpaid.
Untracked variants just count. Returns what was shipped: one row per reservation shipped from (reservation_id NULL for
an untracked line). Internal: granted to no API role. Lock order: order, lines, reservations (ascending id), stock rows
(ascending variant, location). Errors: ORDERS_UNKNOWN_ORDER, ORDERS_NOT_FULFILLABLE, ORDERS_FULFILMENT_EXCEEDS,
ORDERS_INVALID_INPUT, INVENTORY_BACKORDERED, INVENTORY_NO_PARTITION. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION orders.fulfil(p_order_id bigint, p_lines jsonb DEFAULT NULL,
                                         p_tracking_numbers text[] DEFAULT '{}', p_location_id bigint DEFAULT NULL,
                                         p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (line_id bigint, variant_id bigint, quantity integer, reservation_id bigint, location_id bigint)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM orders.fulfil_for(orders.manage_tenant(p_tenant_id), p_order_id, p_lines, p_tracking_numbers,
                                    p_location_id);
END;
COMMENT ON FUNCTION orders.fulfil(bigint, jsonb, text[], bigint, bigint) IS
'Fulfil an order, whole (p_lines NULL) or in part ([{"line_id", "quantity"}]): ships the lines'' live reservations (at
p_location_id when named), records fulfilled quantities and tracking numbers; fulfilment status and status follow
(FULFILLED once every line is). An ONLINE_STORE order ships only once paid in full; POS, manual and marketplace orders
may ship unpaid. Returns one row per reservation shipped from (untracked lines with reservation_id NULL). Needs
orders.manage in the tenant (the back office names it). Errors: ORDERS_UNKNOWN_ORDER, ORDERS_NOT_FULFILLABLE,
ORDERS_FULFILMENT_EXCEEDS, ORDERS_INVALID_INPUT, INVENTORY_BACKORDERED, IDENTITY_PERMISSION_DENIED. Assumes READ
COMMITTED.';

REVOKE ALL ON FUNCTION orders.fulfil_for(bigint, bigint, jsonb, text[], bigint),
    orders.fulfil(bigint, jsonb, text[], bigint, bigint) FROM PUBLIC;

COMMIT;
