-- Deploy mercato:functions/api/inventory to pg
-- The HTTP API of the inventory (issue 18): views of a tenant's locations, stock, per-variant summary, channel
-- buffers, movements and reservations (security_invoker: the tables' row-level security decides), and the staff
-- entry points (inventory.manage in the tenant; the back office names the tenant). Other modules (orders) call the
-- internal inventory.reserve_for / release_for / ship_for themselves, never through api.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

-- views -----------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE VIEW api.inventory_locations WITH (security_invoker = true) AS
SELECT id, tenant_id, code, name, kind, priority, fulfils_online, status, created_at, updated_at FROM inventory.location;
COMMENT ON VIEW api.inventory_locations IS 'Stock locations of your tenant; all for the back office.';

CREATE OR REPLACE VIEW api.inventory_stock WITH (security_invoker = true) AS
SELECT id, tenant_id, variant_id, location_id, on_hand, reserved, unavailable, available, backordered, safety_stock,
       reorder_point, reorder_quantity, avg_cost, last_cost, last_counted_at, next_count_at
  FROM inventory.stock;
COMMENT ON VIEW api.inventory_stock IS
'Stock per variant and location of your tenant (on hand, reserved, unavailable, available, backordered, planning and
cost fields); all for the back office.';

CREATE OR REPLACE VIEW api.inventory_summary WITH (security_invoker = true) AS
SELECT s.tenant_id, s.variant_id, sum(s.on_hand)::bigint AS on_hand, sum(s.reserved)::bigint AS reserved,
       sum(s.unavailable)::bigint AS unavailable, sum(s.available)::bigint AS available,
       sum(s.backordered)::bigint AS backordered, count(*)::integer AS locations
  FROM inventory.stock s
 GROUP BY s.tenant_id, s.variant_id;
COMMENT ON VIEW api.inventory_summary IS
'Stock per variant over all locations of your tenant, exact: a plain view summing inventory.stock when read (no
materialized view, no trigger serialising writers); all for the back office.';

CREATE OR REPLACE VIEW api.inventory_channel_buffers WITH (security_invoker = true) AS
SELECT b.stock_id, b.channel, b.tenant_id, s.variant_id, s.location_id, b.buffer, b.updated_at
  FROM inventory.channel_buffer b JOIN inventory.stock s ON s.id = b.stock_id;
COMMENT ON VIEW api.inventory_channel_buffers IS
'What each channel must leave of a stock row (it may reserve available - buffer): your tenant''s; all for the back office.';

CREATE OR REPLACE VIEW api.inventory_movements WITH (security_invoker = true) AS
SELECT m.id, m.occurred_at, m.tenant_id, m.stock_id, s.variant_id, s.location_id, m.kind, m.quantity, m.on_hand_after,
       m.unit_cost, m.ref_module, m.ref_entity, m.ref_id, m.reason, m.actor_user_id
  FROM inventory.movement m JOIN inventory.stock s ON s.id = m.stock_id;
COMMENT ON VIEW api.inventory_movements IS
'Stock movements of your tenant (append-only; filter by stock_id and occurred_at); all for the back office.';

CREATE OR REPLACE VIEW api.inventory_reservations WITH (security_invoker = true) AS
SELECT r.id, r.tenant_id, r.stock_id, s.variant_id, s.location_id, r.quantity, r.backordered, r.consumed, r.state,
       r.channel, r.ref_module, r.ref_entity, r.ref_id, r.expires_at, r.created_at, r.resolved_at
  FROM inventory.reservation r JOIN inventory.stock s ON s.id = r.stock_id;
COMMENT ON VIEW api.inventory_reservations IS
'Reservations of your tenant, live and resolved, with their reference; all for the back office.';

GRANT SELECT ON api.inventory_locations, api.inventory_stock, api.inventory_summary, api.inventory_channel_buffers,
    api.inventory_movements, api.inventory_reservations TO mercato_user, mercato_service;

-- locations ---------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.create_inventory_location(p_code core.name_text, p_name core.name_text,
                                                         p_kind core.name_text DEFAULT 'WAREHOUSE',
                                                         p_priority integer DEFAULT 100,
                                                         p_fulfils_online boolean DEFAULT true,
                                                         p_tenant_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.create_location(p_code, p_name, p_kind, p_priority, p_fulfils_online, p_tenant_id);
SELECT core.wrap('api.create_inventory_location(core.name_text, core.name_text, core.name_text, integer, boolean, bigint)',
                 'inventory.create_location(text, text, text, integer, boolean, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.update_inventory_location(p_location_id bigint, p_name core.name_text DEFAULT NULL,
                                                         p_priority integer DEFAULT NULL,
                                                         p_fulfils_online boolean DEFAULT NULL,
                                                         p_status core.name_text DEFAULT NULL,
                                                         p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.location
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.update_location(p_location_id, p_name, p_priority, p_fulfils_online, p_status, p_tenant_id);
SELECT core.wrap('api.update_inventory_location(bigint, core.name_text, integer, boolean, core.name_text, bigint)',
                 'inventory.update_location(bigint, text, integer, boolean, text, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.inventory_location_list(p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (id bigint, code text, name text, kind text, priority integer, fulfils_online boolean, status text)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM inventory.list_locations(p_tenant_id);
END;
SELECT core.wrap('api.inventory_location_list(bigint)', 'inventory.list_locations(bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.stock_levels(p_variant_id bigint DEFAULT NULL, p_location_id bigint DEFAULT NULL,
                                            p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (variant_id bigint, sku text, location_id bigint, location_code text, on_hand integer, reserved integer,
               unavailable integer, available integer, backordered integer, safety_stock integer, reorder_point integer,
               avg_cost numeric, last_counted_at timestamptz)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM inventory.stock_levels(p_variant_id, p_location_id, p_tenant_id);
END;
SELECT core.wrap('api.stock_levels(bigint, bigint, bigint)', 'inventory.stock_levels(bigint, bigint, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

-- stock -------------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.receive_stock(p_variant_id bigint, p_location_id bigint, p_quantity integer,
                                             p_unit_cost numeric DEFAULT NULL, p_kind core.name_text DEFAULT 'RECEIPT',
                                             p_ref_module core.name_text DEFAULT NULL,
                                             p_ref_entity core.name_text DEFAULT NULL,
                                             p_ref_id core.name_text DEFAULT NULL, p_reason core.long_text DEFAULT NULL,
                                             p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.receive(p_variant_id, p_location_id, p_quantity, p_unit_cost, p_kind, p_ref_module, p_ref_entity,
                         p_ref_id, p_reason, p_tenant_id);
SELECT core.wrap('api.receive_stock(bigint, bigint, integer, numeric, core.name_text, core.name_text, core.name_text, core.name_text, core.long_text, bigint)',
                 'inventory.receive(bigint, bigint, integer, numeric, text, text, text, text, text, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.adjust_stock(p_variant_id bigint, p_location_id bigint, p_delta integer,
                                            p_reason core.long_text, p_ref_module core.name_text DEFAULT NULL,
                                            p_ref_entity core.name_text DEFAULT NULL, p_ref_id core.name_text DEFAULT NULL,
                                            p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.adjust(p_variant_id, p_location_id, p_delta, p_reason, p_ref_module, p_ref_entity, p_ref_id, p_tenant_id);
SELECT core.wrap('api.adjust_stock(bigint, bigint, integer, core.long_text, core.name_text, core.name_text, core.name_text, bigint)',
                 'inventory.adjust(bigint, bigint, integer, text, text, text, text, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.count_stock(p_variant_id bigint, p_location_id bigint, p_expected integer,
                                           p_counted integer, p_next_count_at core.finite_timestamptz DEFAULT NULL,
                                           p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.count(p_variant_id, p_location_id, p_expected, p_counted, p_next_count_at, p_tenant_id);
SELECT core.wrap('api.count_stock(bigint, bigint, integer, integer, core.finite_timestamptz, bigint)',
                 'inventory.count(bigint, bigint, integer, integer, timestamptz, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.transfer_stock(p_variant_id bigint, p_from_location_id bigint, p_to_location_id bigint,
                                              p_quantity integer, p_reason core.long_text DEFAULT NULL,
                                              p_tenant_id bigint DEFAULT NULL)
RETURNS SETOF inventory.stock
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM inventory.transfer(p_variant_id, p_from_location_id, p_to_location_id, p_quantity, p_reason, p_tenant_id);
END;
SELECT core.wrap('api.transfer_stock(bigint, bigint, bigint, integer, core.long_text, bigint)',
                 'inventory.transfer(bigint, bigint, bigint, integer, text, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_unavailable_stock(p_variant_id bigint, p_location_id bigint, p_quantity integer,
                                                     p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.set_unavailable(p_variant_id, p_location_id, p_quantity, p_tenant_id);
SELECT core.wrap('api.set_unavailable_stock(bigint, bigint, integer, bigint)',
                 'inventory.set_unavailable(bigint, bigint, integer, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_stock_settings(p_variant_id bigint, p_location_id bigint,
                                                  p_safety_stock integer DEFAULT NULL,
                                                  p_reorder_point integer DEFAULT NULL,
                                                  p_reorder_quantity integer DEFAULT NULL,
                                                  p_next_count_at core.finite_timestamptz DEFAULT NULL,
                                                  p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.stock
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.set_stock_settings(p_variant_id, p_location_id, p_safety_stock, p_reorder_point, p_reorder_quantity,
                                    p_next_count_at, p_tenant_id);
SELECT core.wrap('api.set_stock_settings(bigint, bigint, integer, integer, integer, core.finite_timestamptz, bigint)',
                 'inventory.set_stock_settings(bigint, bigint, integer, integer, integer, timestamptz, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.set_channel_buffer(p_variant_id bigint, p_location_id bigint, p_channel core.name_text,
                                                  p_buffer integer, p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.channel_buffer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.set_channel_buffer(p_variant_id, p_location_id, p_channel, p_buffer, p_tenant_id);
SELECT core.wrap('api.set_channel_buffer(bigint, bigint, core.name_text, integer, bigint)',
                 'inventory.set_channel_buffer(bigint, bigint, text, integer, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

-- reservations ------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.reserve_stock(p_lines core.json_doc, p_ref_module core.name_text, p_ref_entity core.name_text,
                                             p_ref_id core.name_text, p_expires_at core.finite_timestamptz DEFAULT NULL,
                                             p_channel core.name_text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (line integer, reservation_id bigint, variant_id bigint, location_id bigint, quantity integer,
               backordered integer, expires_at timestamptz)
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM inventory.reserve(p_lines, p_ref_module, p_ref_entity, p_ref_id, p_expires_at, p_channel, p_tenant_id);
END;
SELECT core.wrap('api.reserve_stock(core.json_doc, core.name_text, core.name_text, core.name_text, core.finite_timestamptz, core.name_text, bigint)',
                 'inventory.reserve(jsonb, text, text, text, timestamptz, text, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.release_reservation(p_reservation_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.release(p_reservation_id, p_tenant_id);
SELECT core.wrap('api.release_reservation(bigint, bigint)', 'inventory.release(bigint, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.release_reservations(p_ref_module core.name_text, p_ref_entity core.name_text,
                                                    p_ref_id core.name_text, p_tenant_id bigint DEFAULT NULL)
RETURNS integer
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.release_reference(p_ref_module, p_ref_entity, p_ref_id, p_tenant_id);
SELECT core.wrap('api.release_reservations(core.name_text, core.name_text, core.name_text, bigint)',
                 'inventory.release_reference(text, text, text, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.ship_reservation(p_reservation_id bigint, p_quantity integer DEFAULT NULL,
                                                p_tenant_id bigint DEFAULT NULL)
RETURNS inventory.reservation
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN inventory.ship(p_reservation_id, p_quantity, p_tenant_id);
SELECT core.wrap('api.ship_reservation(bigint, integer, bigint)', 'inventory.ship(bigint, integer, bigint)',
                 'Staff with inventory.manage in the tenant; back office.', 'mercato_user', 'mercato_service');

-- integrity ---------------------------------------------------------------------------------------------------------------
CREATE OR REPLACE FUNCTION api.inventory_check()
RETURNS TABLE (check_name text, ok boolean, violations bigint, sample jsonb)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM inventory.check();
END;
SELECT core.wrap('api.inventory_check()', 'inventory.check()', 'Back office only (every tenant''s stock).',
                 'mercato_service');

COMMIT;
