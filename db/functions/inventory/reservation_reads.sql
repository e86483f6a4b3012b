-- Deploy mercato:functions/inventory/reservation_reads to pg
-- What other modules may read of reservations: the live reservations of a set of references (the store's pick lists
-- and shipments read an order's lines' reservations here, not in inventory.reservation).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION inventory.live_reservations_for(p_tenant_id bigint, p_ref_module text, p_ref_entity text,
                                                           p_ref_ids text[], p_location_id bigint DEFAULT NULL)
RETURNS TABLE (reservation_id bigint, ref_id text, variant_id bigint, location_id bigint, quantity integer,
               backordered integer, consumed integer, live integer)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.id, r.ref_id, s.variant_id, s.location_id, r.quantity, r.backordered, r.consumed,
           r.quantity - r.backordered - r.consumed
      FROM inventory.reservation r
      JOIN inventory.stock s ON s.id = r.stock_id AND s.tenant_id = r.tenant_id
     WHERE r.tenant_id = p_tenant_id AND r.ref_module = p_ref_module AND r.ref_entity = p_ref_entity
       AND r.ref_id = ANY (p_ref_ids) AND r.state = 'ACTIVE'
       AND (p_location_id IS NULL OR s.location_id = p_location_id)
     ORDER BY r.id;
END;
COMMENT ON FUNCTION inventory.live_reservations_for(bigint, text, text, text[], bigint) IS
'The ACTIVE reservations of the tenant under the given references (module, entity, ids), optionally at one location:
each with its variant, location, quantity, backordered and consumed parts and its live part (quantity - backordered -
consumed, counted in stock.reserved), in id order. For other modules (the store''s pick lists and shipments). Internal:
granted to no API role.';
REVOKE ALL ON FUNCTION inventory.live_reservations_for(bigint, text, text, text[], bigint) FROM PUBLIC;

COMMIT;
