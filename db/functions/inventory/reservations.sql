-- Deploy mercato:functions/inventory/reservations to pg
-- Reservations: reserve many lines at once, release (one, or every live one of a reference), ship (consume).
--
-- Two entry points each: inventory.reserve_for / release_for / release_reference_for / ship_for take the tenant as
-- their first parameter and check no permission: they are for other modules (orders places a customer's order and has
-- decided the tenant and the caller's right itself); no API role may execute them. inventory.reserve / release /
-- release_reference / ship are the staff entry points (inventory.manage in the tenant), behind the api wrappers.
--
-- Reserve: the lines are placed first (a named location, or the ACTIVE online locations by priority), then the demand
-- is summed per (variant, location) — two lines, or a bundle, drawing on one item are checked together, never each
-- against the same stock — and the pairs are taken in ascending (variant_id, location_id), one conditional UPDATE
-- each: reserved grows only WHERE available - the channel's buffer >= the demand. A miss raises INVENTORY_INSUFFICIENT
-- naming the variant, the location and what is available, and the whole call rolls back. A CONTINUE-policy variant
-- takes what is available and records the rest as backordered, on the stock row and on the reservation.
-- Placing lines without a location reads availability without locks; the conditional UPDATEs decide (a concurrent
-- reservation can make a placement fail with INVENTORY_INSUFFICIENT; it never oversells).
--
-- Lock order: reservations in ascending id, then stock rows in ascending (variant_id, location_id). READ COMMITTED.
-- A longer file than most: one use case, reservations, with its internal and staff entry points.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION inventory.reserve_for(p_tenant_id bigint, p_lines jsonb, p_ref_module text, p_ref_entity text,
                                                 p_ref_id text, p_expires_at timestamptz DEFAULT NULL,
                                                 p_channel text DEFAULT NULL)
RETURNS TABLE (line integer, reservation_id bigint, variant_id bigint, location_id bigint, quantity integer,
               backordered integer, expires_at timestamptz)
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
#variable_conflict use_column
DECLARE
    v_bad       integer;
    v_lines     inventory.allocation[];
    v_alloc     inventory.allocation[];
    v_missing   bigint;
    v_tracked   bigint[];
    v_continue  bigint[];
    v_short     record;
    v_pair      record;
    v_stock     bigint;
    v_free      integer;
    v_take      integer;
    v_back      integer;
    v_taken     jsonb := '{}';
    a           inventory.allocation;
    v_cum       jsonb := '{}';
    v_key       text;
    v_before    integer;
    v_id        bigint;
BEGIN
    PERFORM inventory.check_reference(p_ref_module, p_ref_entity, p_ref_id, true);
    IF p_lines IS NULL OR jsonb_typeof(p_lines) <> 'array' OR jsonb_array_length(p_lines) NOT BETWEEN 1 AND 500 THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT',
                           'lines: a JSON array of 1 to 500 {variant_id, quantity, location_id (optional), ref_id (optional)}');
    ELSIF p_expires_at IS NOT NULL AND p_expires_at <= now() THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', format('expires_at %s is not in the future', p_expires_at));
    ELSIF p_channel IS NOT NULL AND p_channel !~ '^[A-Z][A-Z0-9_]{0,31}$' THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT', 'channel: an upper-case code such as ONLINE_STORE, EBAY, POS');
    END IF;
    -- parse: the first malformed line is named
    SELECT min(x.n) INTO v_bad
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS x(e, n)
     WHERE NOT (jsonb_typeof(x.e) = 'object'
                AND coalesce(x.e ->> 'variant_id' ~ '^[1-9][0-9]{0,17}$', false)
                AND coalesce(x.e ->> 'quantity' ~ '^([1-9][0-9]{0,5}|1000000)$', false)
                AND (x.e -> 'location_id' IS NULL OR jsonb_typeof(x.e -> 'location_id') = 'null'
                     OR coalesce(x.e ->> 'location_id' ~ '^[1-9][0-9]{0,17}$', false))
                AND coalesce(length(x.e ->> 'ref_id') BETWEEN 1 AND 200, true));
    IF v_bad IS NOT NULL THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT',
                           format('line %s: {"variant_id": id, "quantity": 1 to 1000000, "location_id": id (optional), '
                                  '"ref_id": 1 to 200 characters (optional)}: %s', v_bad, left((p_lines -> (v_bad - 1))::text, 200)));
    END IF;
    SELECT array_agg(ROW(x.n, (x.e ->> 'variant_id')::bigint, (x.e ->> 'location_id')::bigint, (x.e ->> 'quantity')::integer,
                         coalesce(x.e ->> 'ref_id', p_ref_id))::inventory.allocation ORDER BY x.n)
      INTO v_lines
      FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS x(e, n);
    -- the variants: of the tenant; untracked ones reserve nothing; CONTINUE ones may backorder
    SELECT min(l.variant_id) FILTER (WHERE v.id IS NULL),
           array_agg(DISTINCT l.variant_id) FILTER (WHERE v.track_inventory),
           array_agg(DISTINCT l.variant_id) FILTER (WHERE v.track_inventory AND v.inventory_policy = 'CONTINUE')
      INTO v_missing, v_tracked, v_continue
      FROM unnest(v_lines) l LEFT JOIN catalog.variant v ON v.id = l.variant_id AND v.tenant_id = p_tenant_id;
    IF v_missing IS NOT NULL THEN
        PERFORM core.raise('INVENTORY_UNKNOWN_VARIANT', format('variant %s', v_missing));
    END IF;
    v_tracked := coalesce(v_tracked, '{}');
    v_continue := coalesce(v_continue, '{}');
    -- named locations: of the tenant and ACTIVE
    SELECT l.location_id, loc.status INTO v_short
      FROM unnest(v_lines) l LEFT JOIN inventory.location loc ON loc.id = l.location_id AND loc.tenant_id = p_tenant_id
     WHERE l.location_id IS NOT NULL AND l.variant_id = ANY (v_tracked) AND loc.status IS DISTINCT FROM 'ACTIVE'
     ORDER BY l.line LIMIT 1;
    IF FOUND THEN
        PERFORM core.raise(CASE WHEN v_short.status IS NULL THEN 'INVENTORY_UNKNOWN_LOCATION' ELSE 'INVENTORY_LOCATION_INACTIVE' END,
                           format('location %s', v_short.location_id));
    END IF;

    -- place the lines without a location: the tenant's ACTIVE online locations by (priority, id), each offering what
    -- is available there less the channel's buffer and less what named lines of this call take there; lines of one
    -- variant are laid end to end and cut where the locations' offers end. A CONTINUE variant's shortfall is placed
    -- at its first location (backordered there).
    WITH lines AS (
        SELECT l.* FROM unnest(v_lines) l WHERE l.variant_id = ANY (v_tracked)),
    named AS (
        SELECT l.variant_id, l.location_id, sum(l.quantity) AS q FROM lines l WHERE l.location_id IS NOT NULL GROUP BY 1, 2),
    open_lines AS (
        SELECT l.line, l.variant_id, l.quantity, l.ref_id,
               sum(l.quantity) OVER (PARTITION BY l.variant_id ORDER BY l.line) AS hi
          FROM lines l WHERE l.location_id IS NULL),
    demand AS (
        SELECT o.variant_id, max(o.hi) AS total FROM open_lines o GROUP BY 1),
    offers AS (
        SELECT d.variant_id, d.total, loc.id AS location_id,
               greatest(coalesce(s.available, 0) - coalesce(b.buffer, 0) - coalesce(n.q, 0), 0) AS free,
               row_number() OVER w AS rk,
               sum(greatest(coalesce(s.available, 0) - coalesce(b.buffer, 0) - coalesce(n.q, 0), 0)) OVER w AS hi
          FROM demand d
          JOIN inventory.location loc ON loc.tenant_id = p_tenant_id AND loc.status = 'ACTIVE' AND loc.fulfils_online
          LEFT JOIN inventory.stock s ON s.variant_id = d.variant_id AND s.location_id = loc.id
          LEFT JOIN inventory.channel_buffer b ON b.stock_id = s.id AND b.channel = p_channel
          LEFT JOIN named n ON n.variant_id = d.variant_id AND n.location_id = loc.id
        WINDOW w AS (PARTITION BY d.variant_id ORDER BY loc.priority, loc.id)),
    segments AS (
        SELECT o.variant_id, o.location_id, o.hi - o.free AS lo, o.hi FROM offers o WHERE o.free > 0
        UNION ALL   -- a CONTINUE variant's shortfall, at its first location
        SELECT o.variant_id, o.location_id, t.offered, o.total
          FROM offers o JOIN (SELECT variant_id, max(hi) AS offered FROM offers GROUP BY 1) t USING (variant_id)
         WHERE o.rk = 1 AND o.variant_id = ANY (v_continue) AND t.offered < o.total)
    SELECT array_agg(ROW(p.line, p.variant_id, p.location_id, p.quantity, p.ref_id)::inventory.allocation)
      INTO v_alloc
      FROM (SELECT o.line, o.variant_id, s.location_id, o.ref_id,
                   sum(least(o.hi, s.hi) - greatest(o.hi - o.quantity, s.lo))::integer AS quantity
              FROM open_lines o JOIN segments s ON s.variant_id = o.variant_id AND s.lo < o.hi AND s.hi > o.hi - o.quantity
             GROUP BY o.line, o.variant_id, s.location_id, o.ref_id) p;   -- a line's part and shortfall at one place: one
    -- a DENY variant whose open lines could not all be placed (or a variant with no online location at all)
    SELECT d.variant_id, d.total, coalesce(sum(a.quantity), 0) AS placed INTO v_short
      FROM (SELECT l.variant_id, sum(l.quantity) AS total FROM unnest(v_lines) l
             WHERE l.location_id IS NULL AND l.variant_id = ANY (v_tracked) GROUP BY 1) d
      LEFT JOIN unnest(v_alloc) a ON a.variant_id = d.variant_id
     GROUP BY d.variant_id, d.total HAVING coalesce(sum(a.quantity), 0) < d.total
     ORDER BY d.variant_id LIMIT 1;
    IF FOUND THEN
        PERFORM core.raise('INVENTORY_INSUFFICIENT',
                           format('variant %s at any online location: %s wanted, %s available', v_short.variant_id,
                                  v_short.total, v_short.placed));
    END IF;
    v_alloc := coalesce(v_alloc, '{}') || coalesce(ARRAY(SELECT l FROM unnest(v_lines) l
                                                          WHERE l.location_id IS NOT NULL AND l.variant_id = ANY (v_tracked)),
                                                    '{}');

    -- take the stock: demand summed per (variant, location), in the lock order, one conditional UPDATE per pair
    FOR v_pair IN
        SELECT a.variant_id, a.location_id, sum(a.quantity)::integer AS demand, a.variant_id = ANY (v_continue) AS may_backorder
          FROM unnest(v_alloc) a GROUP BY a.variant_id, a.location_id ORDER BY a.variant_id, a.location_id
    LOOP
        IF NOT v_pair.may_backorder THEN
            UPDATE inventory.stock s SET reserved = s.reserved + v_pair.demand
             WHERE s.variant_id = v_pair.variant_id AND s.location_id = v_pair.location_id
               AND s.available - coalesce((SELECT b.buffer FROM inventory.channel_buffer b
                                            WHERE b.stock_id = s.id AND b.channel = p_channel), 0) >= v_pair.demand
            RETURNING s.id INTO v_stock;
            IF NOT FOUND THEN
                SELECT s.available - coalesce((SELECT b.buffer FROM inventory.channel_buffer b
                                                WHERE b.stock_id = s.id AND b.channel = p_channel), 0)
                  INTO v_free FROM inventory.stock s
                 WHERE s.variant_id = v_pair.variant_id AND s.location_id = v_pair.location_id;
                PERFORM core.raise('INVENTORY_INSUFFICIENT',
                                   format('variant %s at location %s: %s wanted, %s available%s', v_pair.variant_id,
                                          v_pair.location_id, v_pair.demand, greatest(coalesce(v_free, 0), 0),
                                          CASE WHEN p_channel IS NULL THEN '' ELSE ' to ' || p_channel END));
            END IF;
            v_take := v_pair.demand;
        ELSE
            -- CONTINUE: lock the row, take what is available, backorder the rest (never negative stock)
            v_stock := inventory.stock_id(p_tenant_id, v_pair.variant_id, v_pair.location_id, true);
            SELECT greatest(s.available - coalesce((SELECT b.buffer FROM inventory.channel_buffer b
                                                    WHERE b.stock_id = s.id AND b.channel = p_channel), 0), 0)
              INTO v_free FROM inventory.stock s WHERE s.id = v_stock FOR UPDATE;
            v_take := least(v_free, v_pair.demand);
            UPDATE inventory.stock s
               SET reserved = s.reserved + v_take, backordered = s.backordered + (v_pair.demand - v_take)
             WHERE s.id = v_stock;
        END IF;
        v_taken := v_taken || jsonb_build_object(v_pair.variant_id || ':' || v_pair.location_id,
                                                 jsonb_build_array(v_stock, v_take));
    END LOOP;

    -- one reservation per placed part of a line; a pair's backorder goes to its last parts
    FOR a IN SELECT * FROM unnest(v_alloc) x ORDER BY x.line, x.location_id LOOP
        v_key := a.variant_id || ':' || a.location_id;
        v_before := coalesce((v_cum ->> v_key)::integer, 0);
        v_cum := v_cum || jsonb_build_object(v_key, v_before + a.quantity);
        v_take := (v_taken -> v_key ->> 1)::integer;
        v_back := a.quantity - greatest(least(v_take - v_before, a.quantity), 0);
        INSERT INTO inventory.reservation (tenant_id, stock_id, quantity, backordered, channel, ref_module, ref_entity,
                                           ref_id, expires_at, actor_user_id)
        VALUES (p_tenant_id, (v_taken -> v_key ->> 0)::bigint, a.quantity, v_back, p_channel, p_ref_module, p_ref_entity,
                a.ref_id, p_expires_at, identity.current_user_id())
        RETURNING id INTO v_id;
        line := a.line; reservation_id := v_id; variant_id := a.variant_id; location_id := a.location_id;
        quantity := a.quantity; backordered := v_back; expires_at := p_expires_at;
        RETURN NEXT;
    END LOOP;
    -- untracked variants: accepted, nothing reserved
    RETURN QUERY SELECT l.line, NULL::bigint, l.variant_id, l.location_id, l.quantity, 0, NULL::timestamptz
                   FROM unnest(v_lines) l WHERE NOT l.variant_id = ANY (v_tracked) ORDER BY l.line;
END
$$;
COMMENT ON FUNCTION inventory.reserve_for(bigint, jsonb, text, text, text, timestamptz, text) IS
'Reserve stock for many lines at once, for a module that has decided the tenant and the caller''s right (orders);
inventory.reserve is the staff entry point. p_lines: [{"variant_id", "quantity", "location_id" (optional: else the
tenant''s ACTIVE online locations by priority), "ref_id" (optional: else p_ref_id)}]; the reference (module, entity,
id: orders, order_line, 42) and optional expiry (the sweep expires it) and channel (its buffer is respected) apply to
all. Demand is summed per variant and location and taken in ascending (variant, location), one conditional UPDATE each;
a DENY variant short anywhere refuses the whole call with INVENTORY_INSUFFICIENT naming variant, location and available,
nothing changed; a CONTINUE variant backorders what is missing. Returns one row per reservation (a line may be split
across locations), and untracked variants'' lines with no reservation. Internal: granted to no API role.
Errors: INVENTORY_INVALID_INPUT, INVENTORY_UNKNOWN_VARIANT, INVENTORY_UNKNOWN_LOCATION, INVENTORY_LOCATION_INACTIVE,
INVENTORY_INSUFFICIENT. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.reserve(p_lines jsonb, p_ref_module text, p_ref_entity text, p_ref_id text,
                                             p_expires_at timestamptz DEFAULT NULL, p_channel text DEFAULT NULL,
                                             p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (line integer, reservation_id bigint, variant_id bigint, location_id bigint, quantity integer,
               backordered integer, expires_at timestamptz)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM inventory.reserve_for(inventory.manage_tenant(p_tenant_id), p_lines, p_ref_module, p_ref_entity,
                                        p_ref_id, p_expires_at, p_channel);
END;
COMMENT ON FUNCTION inventory.reserve(jsonb, text, text, text, timestamptz, text, bigint) IS
'Reserve stock for many lines at once: [{"variant_id", "quantity", "location_id" (optional: else the ACTIVE online
locations by priority), "ref_id" (optional)}] for a reference (module, entity, id), with an optional expiry and
channel. Demand is summed per variant and location before it is checked; a DENY variant short anywhere refuses the whole
call (INVENTORY_INSUFFICIENT names variant, location and available; nothing changed); a CONTINUE variant backorders the
rest. Returns one row per reservation. Needs inventory.manage in the tenant. Errors: INVENTORY_INVALID_INPUT,
INVENTORY_UNKNOWN_VARIANT, INVENTORY_UNKNOWN_LOCATION, INVENTORY_LOCATION_INACTIVE, INVENTORY_INSUFFICIENT,
IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.resolve_reservations(p_tenant_id bigint, p_ids bigint[], p_state text)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_ids bigint[];
BEGIN
    -- reservations first, in ascending id (those another transaction resolved meanwhile drop out here)
    SELECT array_agg(r.id ORDER BY r.id) INTO v_ids
      FROM (SELECT r.id FROM inventory.reservation r
             WHERE r.id = ANY (p_ids) AND r.state = 'ACTIVE' AND (p_tenant_id IS NULL OR r.tenant_id = p_tenant_id)
             ORDER BY r.id FOR UPDATE) r;
    IF v_ids IS NULL THEN
        RETURN 0;
    END IF;
    -- then their stock rows, in ascending (variant_id, location_id)
    PERFORM 1 FROM inventory.stock s
     WHERE s.id IN (SELECT r.stock_id FROM inventory.reservation r WHERE r.id = ANY (v_ids))
     ORDER BY s.variant_id, s.location_id FOR NO KEY UPDATE;
    UPDATE inventory.stock s SET reserved = s.reserved - x.live, backordered = s.backordered - x.back
      FROM (SELECT r.stock_id, sum(r.quantity - r.backordered - r.consumed)::integer AS live,
                   sum(r.backordered)::integer AS back
              FROM inventory.reservation r WHERE r.id = ANY (v_ids) GROUP BY r.stock_id) x
     WHERE s.id = x.stock_id;
    UPDATE inventory.reservation r SET state = p_state, resolved_at = now() WHERE r.id = ANY (v_ids);
    RETURN cardinality(v_ids);
END
$$;
COMMENT ON FUNCTION inventory.resolve_reservations(bigint, bigint[], text) IS
'Resolve the ACTIVE ones of the given reservations (of the tenant; any tenant when NULL) as RELEASED or EXPIRED: their
live and backordered parts leave the stock rows. Locks reservations in ascending id, then stock rows in ascending
(variant, location). Returns how many were resolved. Internal.';

CREATE OR REPLACE FUNCTION inventory.release_for(p_tenant_id bigint, p_reservation_id bigint)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_state text;
BEGIN
    IF inventory.resolve_reservations(p_tenant_id, ARRAY[p_reservation_id], 'RELEASED') = 1 THEN
        RETURN 1;
    END IF;
    SELECT r.state INTO v_state FROM inventory.reservation r WHERE r.id = p_reservation_id AND r.tenant_id = p_tenant_id;
    IF NOT FOUND THEN
        PERFORM core.raise('INVENTORY_UNKNOWN_RESERVATION', format('reservation %s', p_reservation_id));
    END IF;
    PERFORM core.raise('INVENTORY_RESERVATION_RESOLVED', format('reservation %s is %s', p_reservation_id, v_state));
    RETURN 0;
END
$$;
COMMENT ON FUNCTION inventory.release_for(bigint, bigint) IS
'Release one ACTIVE reservation of the tenant (its stock becomes available again); returns 1. For other modules
(orders); inventory.release is the staff entry point. Internal: granted to no API role. Errors:
INVENTORY_UNKNOWN_RESERVATION, INVENTORY_RESERVATION_RESOLVED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.release_reference_for(p_tenant_id bigint, p_ref_module text, p_ref_entity text,
                                                           p_ref_id text)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM inventory.check_reference(p_ref_module, p_ref_entity, p_ref_id, true);
    RETURN inventory.resolve_reservations(p_tenant_id,
        ARRAY(SELECT r.id FROM inventory.reservation r
               WHERE r.tenant_id = p_tenant_id AND r.ref_module = p_ref_module AND r.ref_entity = p_ref_entity
                 AND r.ref_id = p_ref_id AND r.state = 'ACTIVE'), 'RELEASED');
END
$$;
COMMENT ON FUNCTION inventory.release_reference_for(bigint, text, text, text) IS
'Release every ACTIVE reservation of a reference (module, entity, id) in the tenant, e.g. when an order is cancelled;
returns how many (0 when none: idempotent). For other modules; inventory.release_reference is the staff entry point.
Internal: granted to no API role. Errors: INVENTORY_INVALID_INPUT. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.ship_for(p_tenant_id bigint, p_reservation_id bigint, p_quantity integer DEFAULT NULL)
RETURNS inventory.reservation
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    r       inventory.reservation;
    v_q     integer;
    v_need  integer;
    v_stock inventory.stock;
BEGIN
    SELECT * INTO r FROM inventory.reservation x WHERE x.id = p_reservation_id AND x.tenant_id = p_tenant_id FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM core.raise('INVENTORY_UNKNOWN_RESERVATION', format('reservation %s', p_reservation_id));
    ELSIF r.state <> 'ACTIVE' THEN
        PERFORM core.raise('INVENTORY_RESERVATION_RESOLVED', format('reservation %s is %s', p_reservation_id, r.state));
    END IF;
    v_q := coalesce(p_quantity, r.quantity - r.consumed);
    IF v_q IS NULL OR v_q NOT BETWEEN 1 AND r.quantity - r.consumed THEN
        PERFORM core.raise('INVENTORY_INVALID_INPUT',
                           format('quantity: 1 to %s (what reservation %s has not shipped yet)', r.quantity - r.consumed,
                                  p_reservation_id));
    END IF;
    -- a backordered part must first be covered by available stock (conditional: never oversold)
    v_need := greatest(v_q - (r.quantity - r.backordered - r.consumed), 0);
    IF v_need > 0 THEN
        UPDATE inventory.stock s SET reserved = s.reserved + v_need, backordered = s.backordered - v_need
         WHERE s.id = r.stock_id AND s.available >= v_need;
        IF NOT FOUND THEN
            PERFORM core.raise('INVENTORY_BACKORDERED',
                               format('reservation %s: %s of it backordered, not yet available', p_reservation_id, v_need));
        END IF;
    END IF;
    UPDATE inventory.stock s SET on_hand = s.on_hand - v_q, reserved = s.reserved - v_q
     WHERE s.id = r.stock_id
    RETURNING s.* INTO v_stock;
    UPDATE inventory.reservation x
       SET consumed = x.consumed + v_q, backordered = x.backordered - v_need,
           state = CASE WHEN x.consumed + v_q = x.quantity THEN 'CONSUMED' ELSE 'ACTIVE' END,
           resolved_at = CASE WHEN x.consumed + v_q = x.quantity THEN now() END
     WHERE x.id = r.id
    RETURNING x.* INTO r;
    PERFORM inventory.add_movement(p_tenant_id, r.stock_id, 'SHIP', -v_q, v_stock.on_hand, NULL, r.ref_module,
                                   r.ref_entity, r.ref_id, NULL);
    RETURN r;
END
$$;
COMMENT ON FUNCTION inventory.ship_for(bigint, bigint, integer) IS
'Ship (consume) a reservation, whole or in part: on hand and reserved both drop by the quantity, with a SHIP movement
naming the reservation''s reference; fully shipped, it is CONSUMED. A backordered part ships only once available stock
covers it. For other modules (fulfilment); inventory.ship is the staff entry point. Internal: granted to no API role.
Errors: INVENTORY_UNKNOWN_RESERVATION, INVENTORY_RESERVATION_RESOLVED, INVENTORY_INVALID_INPUT, INVENTORY_BACKORDERED,
INVENTORY_NO_PARTITION. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.release(p_reservation_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.release_for(inventory.manage_tenant(p_tenant_id), p_reservation_id);
COMMENT ON FUNCTION inventory.release(bigint, bigint) IS
'Release an ACTIVE reservation: its stock becomes available again; returns 1. Needs inventory.manage in the tenant.
Errors: INVENTORY_UNKNOWN_RESERVATION, INVENTORY_RESERVATION_RESOLVED, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.release_reference(p_ref_module text, p_ref_entity text, p_ref_id text,
                                                       p_tenant_id bigint DEFAULT NULL)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.release_reference_for(inventory.manage_tenant(p_tenant_id), p_ref_module, p_ref_entity, p_ref_id);
COMMENT ON FUNCTION inventory.release_reference(text, text, text, bigint) IS
'Release every ACTIVE reservation of a reference (module, entity, id); returns how many (0: none, idempotent). Needs
inventory.manage in the tenant. Errors: INVENTORY_INVALID_INPUT, IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.ship(p_reservation_id bigint, p_quantity integer DEFAULT NULL,
                                          p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.reservation
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.ship_for(inventory.manage_tenant(p_tenant_id), p_reservation_id, p_quantity);
COMMENT ON FUNCTION inventory.ship(bigint, integer, bigint) IS
'Ship a reservation, whole (p_quantity NULL) or in part: on hand and reserved drop with a SHIP movement; fully shipped,
it is CONSUMED. Needs inventory.manage in the tenant. Errors: INVENTORY_UNKNOWN_RESERVATION,
INVENTORY_RESERVATION_RESOLVED, INVENTORY_INVALID_INPUT, INVENTORY_BACKORDERED, INVENTORY_NO_PARTITION,
IDENTITY_PERMISSION_DENIED. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.expire_reservations(p_limit integer DEFAULT 1000)
RETURNS integer
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_limit IS NULL OR p_limit NOT BETWEEN 1 AND 100000 THEN
        PERFORM core.raise('CORE_INVALID_ARGUMENT', 'p_limit must be between 1 and 100000');
    END IF;
    -- SKIP LOCKED: a reservation being shipped or released right now is left to that transaction
    RETURN inventory.resolve_reservations(NULL,
        ARRAY(SELECT r.id FROM inventory.reservation r
               WHERE r.open_expires_at <= now() ORDER BY r.id LIMIT p_limit FOR UPDATE SKIP LOCKED), 'EXPIRED');
END
$$;
COMMENT ON FUNCTION inventory.expire_reservations(integer) IS
'Expiry sweep: resolve ACTIVE reservations past their expires_at as EXPIRED (at most p_limit a run, ascending id),
their stock available again. SKIP LOCKED, safe next to ships and releases. The function of the job
inventory.expire_reservations. Errors: CORE_INVALID_ARGUMENT. Owner and jobs only. Assumes READ COMMITTED.';

COMMIT;
