-- Deploy mercato:functions/store/reorder to pg
-- Reorder suggestions: a variant whose stock at an active location, counting what is available there plus what open
-- purchase orders to that location still bring (ordered − received of DRAFT, SUBMITTED, CONFIRMED and PARTIAL orders),
-- is under its reorder point (inventory.stock.reorder_point) is suggested for its reorder quantity, or more when that
-- would not bring it back to the point, from its preferred active distributor at that distributor's cost.
-- store.reorder_suggestion_rows is the one definition; store.reorder_suggestions answers staff (store.manage), the api
-- view api.store_reorder_suggestions reads store.visible_reorder_suggestions (the caller's tenant; the back office all),
-- and store.create_reorder_purchase_orders turns them into DRAFT purchase orders, one per distributor and location.
-- A second call finds what the first ordered on order already, so it suggests (and orders) nothing twice; two calls
-- at once queue on the tenant's transaction advisory lock. READ COMMITTED.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE FUNCTION store.reorder_suggestion_rows(p_tenant_id bigint, p_location_id bigint DEFAULT NULL)
RETURNS TABLE (tenant_id bigint, location_id bigint, variant_id bigint, sku text, available integer, on_order integer,
               reorder_point integer, reorder_quantity integer, suggested_quantity integer, distributor_id bigint,
               distributor_code text, distributor_sku text, unit_cost numeric)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT s.tenant_id, s.location_id, s.variant_id, v.sku, s.available, o.on_order, s.reorder_point, s.reorder_quantity,
           least(1000000, greatest(coalesce(s.reorder_quantity, 0), s.reorder_point - s.available - o.on_order))::integer,
           d.id, d.code, i.distributor_sku, i.unit_cost
      FROM inventory.stock s
      JOIN inventory.location loc ON loc.id = s.location_id AND loc.tenant_id = s.tenant_id AND loc.status = 'ACTIVE'
      JOIN catalog.variant v ON v.id = s.variant_id AND v.tenant_id = s.tenant_id
     CROSS JOIN LATERAL (
           SELECT coalesce(sum(greatest(l.quantity_ordered - l.quantity_received, 0)), 0)::integer AS on_order
             FROM store.purchase_order_line l
             JOIN store.purchase_order po ON po.id = l.purchase_order_id
            WHERE l.variant_id = s.variant_id AND l.tenant_id = s.tenant_id AND po.open
              AND po.ship_to_location_id = s.location_id) o
      LEFT JOIN (store.distributor_item i JOIN store.distributor d ON d.id = i.distributor_id AND d.is_active)
             ON i.variant_id = s.variant_id AND i.tenant_id = s.tenant_id AND i.is_preferred
     WHERE s.tenant_id = p_tenant_id AND s.location_id = coalesce(p_location_id, s.location_id)
       AND s.reorder_point IS NOT NULL AND s.available + o.on_order < s.reorder_point
     ORDER BY s.location_id, s.variant_id;
END;
COMMENT ON FUNCTION store.reorder_suggestion_rows(bigint, bigint) IS
'The reorder suggestions of a tenant (decided by the caller), at one location or all its active ones: every stock row
with a reorder point where available + on order (ordered − received on open purchase orders to that location) is below
the point; suggested quantity = the reorder quantity, or the shortfall to the point when larger (at most 1,000,000);
the preferred active distributor with its SKU and cost, NULL when the variant has none. Internal: the one definition.';

CREATE OR REPLACE FUNCTION store.reorder_suggestions(p_location_id bigint DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (tenant_id bigint, location_id bigint, variant_id bigint, sku text, available integer, on_order integer,
               reorder_point integer, reorder_quantity integer, suggested_quantity integer, distributor_id bigint,
               distributor_code text, distributor_sku text, unit_cost numeric)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM store.reorder_suggestion_rows(store.purchasing_tenant(p_tenant_id), p_location_id);
END;
COMMENT ON FUNCTION store.reorder_suggestions(bigint, bigint) IS
'What to reorder in the caller''s tenant, at one location or all: variants whose available stock plus what open
purchase orders still bring is under their reorder point, with the quantity to order (the reorder quantity, or the
shortfall when larger) and their preferred active distributor (NULL: none, so no purchase order is made for it). Needs
store.manage (a platform user or the back office names the tenant). Errors: IDENTITY_PERMISSION_DENIED,
IDENTITY_TENANT_MISMATCH.';

CREATE OR REPLACE FUNCTION store.visible_reorder_suggestions()
RETURNS TABLE (tenant_id bigint, location_id bigint, variant_id bigint, sku text, available integer, on_order integer,
               reorder_point integer, reorder_quantity integer, suggested_quantity integer, distributor_id bigint,
               distributor_code text, distributor_sku text, unit_cost numeric)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT r.* FROM identity.tenant t CROSS JOIN LATERAL store.reorder_suggestion_rows(t.id, NULL) r
     WHERE t.id = identity.my_tenant_id() OR identity.is_service()
     ORDER BY t.id, r.location_id, r.variant_id;
END;
COMMENT ON FUNCTION store.visible_reorder_suggestions() IS
'The reorder suggestions the caller may read, as the row-level security of the purchasing tables decides: a tenant''s
users their tenant''s, the back office every tenant''s, anyone else none. The api view api.store_reorder_suggestions
reads it (so API roles execute it).';

CREATE OR REPLACE FUNCTION store.create_reorder_purchase_orders(p_location_id bigint DEFAULT NULL,
                                                                p_tenant_id bigint DEFAULT NULL)
RETURNS SETOF store.purchase_order
LANGUAGE plpgsql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_tenant bigint := store.purchasing_tenant(p_tenant_id);
    v_group  record;
    v_po     store.purchase_order;
BEGIN
    -- one reorder at a time per tenant: the suggestions below are read after the lock (a new snapshot), so a second
    -- caller sees what the first ordered
    PERFORM pg_advisory_xact_lock(hashtextextended('store.reorder:' || v_tenant, 0));
    FOR v_group IN
        SELECT r.distributor_id, r.location_id, d.lead_time_days,
               jsonb_agg(jsonb_build_object('variant_id', r.variant_id, 'quantity', r.suggested_quantity,
                                            'unit_cost', r.unit_cost, 'distributor_sku', r.distributor_sku)
                         ORDER BY r.variant_id) AS lines
          FROM (SELECT x.*, row_number() OVER (PARTITION BY x.distributor_id, x.location_id ORDER BY x.variant_id) AS n
                  FROM store.reorder_suggestion_rows(v_tenant, p_location_id) x
                 WHERE x.distributor_id IS NOT NULL) r
          JOIN store.distributor d ON d.id = r.distributor_id
         WHERE r.n <= 500
         GROUP BY r.distributor_id, r.location_id, d.lead_time_days
         ORDER BY r.distributor_id, r.location_id
    LOOP
        v_po := store.open_purchase_order(v_tenant, v_group.distributor_id, v_group.location_id,
                                          current_date + v_group.lead_time_days, 0, 0, NULL, 'from reorder suggestions');
        PERFORM store.add_lines(v_po, v_group.lines);
        RETURN NEXT store.check_expected_total(v_po.id, NULL);
    END LOOP;
END
$$;
COMMENT ON FUNCTION store.create_reorder_purchase_orders(bigint, bigint) IS
'Turn the reorder suggestions of the caller''s tenant (one location or all) into DRAFT purchase orders: one per preferred
distributor and ship-to location, a line per variant for its suggested quantity at the distributor''s cost, expected
after the distributor''s lead time (at most 500 lines an order; the rest on the next call). Variants without a preferred
active distributor are left out. What is on an open order already is counted, so a second call adds nothing twice;
concurrent calls queue on the tenant''s advisory lock. Returns the orders made (none: nothing to reorder). Needs
store.manage. READ COMMITTED. Errors: IDENTITY_PERMISSION_DENIED, IDENTITY_TENANT_MISMATCH.';

COMMIT;
