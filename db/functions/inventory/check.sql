-- Deploy mercato:functions/inventory/check to pg
-- The integrity check of the whole inventory: a full scan, run from the job inventory.integrity,
-- `mercato inventory check` and the tests, never from a verify script.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION inventory.check()
RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    WITH moved AS MATERIALIZED (
        SELECT m.stock_id, sum(m.quantity) AS total, count(*) AS n FROM inventory.movement m GROUP BY m.stock_id),
    live AS MATERIALIZED (
        SELECT r.stock_id, sum(r.quantity - r.backordered - r.consumed) AS reserved, sum(r.backordered) AS backordered
          FROM inventory.reservation r WHERE r.state = 'ACTIVE' GROUP BY r.stock_id),
    violation (check_name, row) AS MATERIALIZED (
    SELECT 'on_hand_equals_movements', jsonb_build_object('stock_id', s.id, 'variant_id', s.variant_id,
               'location_id', s.location_id, 'on_hand', s.on_hand, 'movements_total', coalesce(m.total, 0))
      FROM inventory.stock s LEFT JOIN moved m ON m.stock_id = s.id
     WHERE s.on_hand <> coalesce(m.total, 0)
    UNION ALL
    SELECT 'movements_name_existing_stock', jsonb_build_object('stock_id', m.stock_id, 'movements', m.n)
      FROM moved m WHERE NOT EXISTS (SELECT 1 FROM inventory.stock s WHERE s.id = m.stock_id)
    UNION ALL
    SELECT 'reserved_equals_active_reservations', jsonb_build_object('stock_id', s.id, 'variant_id', s.variant_id,
               'location_id', s.location_id, 'reserved', s.reserved, 'active_reservations', coalesce(l.reserved, 0))
      FROM inventory.stock s LEFT JOIN live l ON l.stock_id = s.id
     WHERE s.reserved <> coalesce(l.reserved, 0)
    UNION ALL
    SELECT 'backordered_equals_active_reservations', jsonb_build_object('stock_id', s.id, 'variant_id', s.variant_id,
               'location_id', s.location_id, 'backordered', s.backordered, 'active_reservations', coalesce(l.backordered, 0))
      FROM inventory.stock s LEFT JOIN live l ON l.stock_id = s.id
     WHERE s.backordered <> coalesce(l.backordered, 0)
    UNION ALL
    SELECT 'no_negative_stock', jsonb_build_object('stock_id', s.id, 'on_hand', s.on_hand, 'reserved', s.reserved,
               'unavailable', s.unavailable, 'available', s.available, 'backordered', s.backordered)
      FROM inventory.stock s
     WHERE s.on_hand < 0 OR s.reserved < 0 OR s.unavailable < 0 OR s.backordered < 0 OR s.available < 0
    UNION ALL
    SELECT 'max_quantity_respected', jsonb_build_object('variant_id', v.id, 'max_quantity', v.max_quantity,
               'on_hand', t.on_hand)
      FROM (SELECT s.variant_id, sum(s.on_hand) AS on_hand FROM inventory.stock s GROUP BY s.variant_id) t
      JOIN catalog.variant v ON v.id = t.variant_id
     WHERE t.on_hand > v.max_quantity
    UNION ALL
    SELECT 'stock_location_of_its_tenant', jsonb_build_object('stock_id', s.id, 'tenant_id', s.tenant_id)
      FROM inventory.stock s JOIN inventory.location l ON l.id = s.location_id
     WHERE l.tenant_id <> s.tenant_id
    )
    SELECT c.name, count(v.row) = 0, count(v.row),
           (SELECT jsonb_agg(x.row) FROM (SELECT y.row FROM violation y WHERE y.check_name = c.name LIMIT 20) x)
      FROM unnest(ARRAY['on_hand_equals_movements', 'movements_name_existing_stock', 'reserved_equals_active_reservations',
                        'backordered_equals_active_reservations', 'no_negative_stock', 'max_quantity_respected',
                        'stock_location_of_its_tenant']) WITH ORDINALITY AS c(name, n)
      LEFT JOIN violation v ON v.check_name = c.name
     GROUP BY c.name, c.n
     ORDER BY c.n;
END;
COMMENT ON FUNCTION inventory.check() IS
'Verify the inventory''s invariants; one row per check with the number of violations and up to 20 offending rows:
every stock row''s on_hand equals the sum of its movements; every movement names an existing stock row; reserved and
backordered equal the sums over its ACTIVE reservations; no negative quantity (on hand, reserved, unavailable,
backordered, available); no variant holds more than its max_quantity across locations; every stock row''s location is
of its tenant. A full scan of movements and reservations: run it from the job inventory.integrity or
`mercato inventory check`, never per request. Errors: none of its own. Assumes READ COMMITTED.';

COMMIT;
