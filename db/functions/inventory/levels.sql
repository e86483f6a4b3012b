-- Deploy mercato:functions/inventory/levels to pg
-- Reading a tenant's inventory as staff (the library and the CLI): its locations, and its stock levels per variant and
-- location with the SKU and location code. The api views (functions/api/inventory) serve the same rows under row-level
-- security to any user of the tenant; these functions are for callers that name what they want (and for the back
-- office, which names the tenant).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION inventory.list_locations(p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (id bigint, code text, name text, kind text, priority integer, fulfils_online boolean, status text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT l.id, l.code, l.name, l.kind, l.priority, l.fulfils_online, l.status
      FROM inventory.location l
     WHERE l.tenant_id = inventory.manage_tenant(p_tenant_id)
     ORDER BY l.priority, l.id;
END;
COMMENT ON FUNCTION inventory.list_locations(bigint) IS
'The locations of the tenant, by priority. Needs inventory.manage in the tenant (a platform user or the back office
names it). Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH, IDENTITY_INVALID_INPUT. Assumes READ COMMITTED.';

CREATE OR REPLACE FUNCTION inventory.stock_levels(p_variant_id bigint DEFAULT NULL, p_location_id bigint DEFAULT NULL,
                                                  p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (variant_id bigint, sku text, location_id bigint, location_code text, on_hand integer, reserved integer,
               unavailable integer, available integer, backordered integer, safety_stock integer, reorder_point integer,
               avg_cost numeric, last_counted_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT s.variant_id, v.sku, s.location_id, l.code, s.on_hand, s.reserved, s.unavailable, s.available, s.backordered,
           s.safety_stock, s.reorder_point, s.avg_cost, s.last_counted_at
      FROM inventory.stock s
      JOIN inventory.location l ON l.id = s.location_id
      JOIN catalog.variant v ON v.id = s.variant_id
     WHERE s.tenant_id = inventory.manage_tenant(p_tenant_id)
       AND (p_variant_id IS NULL OR s.variant_id = p_variant_id)
       AND (p_location_id IS NULL OR s.location_id = p_location_id)
     ORDER BY s.variant_id, l.priority, s.location_id
     LIMIT 10000;
END;
COMMENT ON FUNCTION inventory.stock_levels(bigint, bigint, bigint) IS
'Stock levels of the tenant per variant and location (SKU, location code, on hand, reserved, unavailable, available,
backordered, safety stock, reorder point, average cost, last count), optionally of one variant and/or location; 10,000
rows at most. Needs inventory.manage in the tenant. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH,
IDENTITY_INVALID_INPUT. Assumes READ COMMITTED.';

COMMIT;
