-- Deploy mercato:functions/api/store_fulfilment to pg
-- The HTTP API of fulfilment batches (functions/store/fulfilment): create, add orders, pick list, advance, ship,
-- cancel; the batches and their orders as views under the tables' row-level security.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

CREATE OR REPLACE VIEW api.fulfilment_batches WITH (security_invoker = true) AS
SELECT b.id, b.tenant_id, b.number, b.location_id, b.status, b.assigned_to, b.total_orders, b.total_items,
       b.estimated_pick_time, b.note, b.created_at, b.started_at, b.picked_at, b.shipped_at, b.completed_at,
       b.cancelled_at, b.cancel_reason
  FROM store.fulfilment_batch b;
COMMENT ON VIEW api.fulfilment_batches IS 'Fulfilment batches of your tenant; all for the back office.';

CREATE OR REPLACE VIEW api.fulfilment_batch_orders WITH (security_invoker = true) AS
SELECT bo.batch_id, bo.tenant_id, bo.order_id, bo.open, bo.added_at, bo.shipped_items, bo.tracking_numbers
  FROM store.batch_order bo;
COMMENT ON VIEW api.fulfilment_batch_orders IS
'The orders of your tenant''s fulfilment batches (open while the batch is neither completed nor cancelled), what shipped
of each and its tracking numbers; all for the back office.';
GRANT SELECT ON api.fulfilment_batches, api.fulfilment_batch_orders TO mercato_user, mercato_service;

CREATE OR REPLACE FUNCTION api.create_fulfilment_batch(p_location_id bigint, p_order_ids core.json_doc DEFAULT NULL,
                                                       p_assigned_to bigint DEFAULT NULL,
                                                       p_estimated_pick_time integer DEFAULT NULL,
                                                       p_note core.long_text DEFAULT NULL, p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.create_batch(p_location_id, p_order_ids, p_assigned_to, p_estimated_pick_time, p_note, p_tenant_id);
SELECT core.wrap('api.create_fulfilment_batch(bigint, core.json_doc, bigint, integer, core.long_text, bigint)',
                 'store.create_batch(bigint, jsonb, bigint, integer, text, bigint)',
                 'Store staff holding store.manage or orders.manage in the tenant; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.add_batch_orders(p_batch_id bigint, p_order_ids core.json_doc, p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.add_batch_orders(p_batch_id, p_order_ids, p_tenant_id);
SELECT core.wrap('api.add_batch_orders(bigint, core.json_doc, bigint)', 'store.add_batch_orders(bigint, jsonb, bigint)',
                 'Store staff holding store.manage or orders.manage in the tenant; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.batch_pick_list(p_batch_id bigint, p_tenant_id bigint DEFAULT NULL)
RETURNS TABLE (variant_id bigint, sku text, title text, quantity integer, orders integer)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
BEGIN ATOMIC
    SELECT * FROM store.batch_pick_list(p_batch_id, p_tenant_id);
END;
SELECT core.wrap('api.batch_pick_list(bigint, bigint)', 'store.batch_pick_list(bigint, bigint)',
                 'Store staff holding store.manage or orders.manage in the tenant; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.advance_fulfilment_batch(p_batch_id bigint, p_status core.name_text,
                                                        p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.advance_batch(p_batch_id, p_status, p_tenant_id);
SELECT core.wrap('api.advance_fulfilment_batch(bigint, core.name_text, bigint)', 'store.advance_batch(bigint, text, bigint)',
                 'Store staff holding store.manage or orders.manage in the tenant; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.ship_fulfilment_batch(p_batch_id bigint, p_tracking core.json_doc DEFAULT '{}',
                                                     p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.ship_batch(p_batch_id, p_tracking, p_tenant_id);
SELECT core.wrap('api.ship_fulfilment_batch(bigint, core.json_doc, bigint)', 'store.ship_batch(bigint, jsonb, bigint)',
                 'Store staff holding store.manage or orders.manage in the tenant; back office.',
                 'mercato_user', 'mercato_service');

CREATE OR REPLACE FUNCTION api.cancel_fulfilment_batch(p_batch_id bigint, p_reason core.name_text,
                                                       p_tenant_id bigint DEFAULT NULL)
RETURNS store.fulfilment_batch
LANGUAGE sql
VOLATILE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
RETURN store.cancel_batch(p_batch_id, p_reason, p_tenant_id);
SELECT core.wrap('api.cancel_fulfilment_batch(bigint, core.name_text, bigint)', 'store.cancel_batch(bigint, text, bigint)',
                 'Store staff holding store.manage or orders.manage in the tenant; back office.',
                 'mercato_user', 'mercato_service');

COMMIT;
