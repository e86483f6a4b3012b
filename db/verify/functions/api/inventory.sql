-- Verify mercato:functions/api/inventory on pg

BEGIN;

SELECT id, tenant_id, code, name, kind, priority, fulfils_online, status, created_at, updated_at
  FROM api.inventory_locations WHERE false;
SELECT id, tenant_id, variant_id, location_id, on_hand, reserved, unavailable, available, backordered, safety_stock,
       reorder_point, reorder_quantity, avg_cost, last_cost, last_counted_at, next_count_at
  FROM api.inventory_stock WHERE false;
SELECT tenant_id, variant_id, on_hand, reserved, unavailable, available, backordered, locations
  FROM api.inventory_summary WHERE false;
SELECT stock_id, channel, tenant_id, variant_id, location_id, buffer, updated_at FROM api.inventory_channel_buffers WHERE false;
SELECT id, occurred_at, tenant_id, stock_id, variant_id, location_id, kind, quantity, on_hand_after, unit_cost, ref_module,
       ref_entity, ref_id, reason, actor_user_id
  FROM api.inventory_movements WHERE false;
SELECT id, tenant_id, stock_id, variant_id, location_id, quantity, backordered, consumed, state, channel, ref_module,
       ref_entity, ref_id, expires_at, created_at, resolved_at
  FROM api.inventory_reservations WHERE false;
SELECT 1 / pg_catalog.has_table_privilege(r, 'api.' || v, 'SELECT')::int
  FROM unnest(ARRAY['inventory_locations', 'inventory_stock', 'inventory_summary', 'inventory_channel_buffers',
                    'inventory_movements', 'inventory_reservations']) AS v,
       unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['api.inventory_location_list(bigint)', 'api.stock_levels(bigint, bigint, bigint)',
                    'api.create_inventory_location(core.name_text, core.name_text, core.name_text, integer, boolean, bigint)',
                    'api.update_inventory_location(bigint, core.name_text, integer, boolean, core.name_text, bigint)',
                    'api.receive_stock(bigint, bigint, integer, numeric, core.name_text, core.name_text, core.name_text, core.name_text, core.long_text, bigint)',
                    'api.adjust_stock(bigint, bigint, integer, core.long_text, core.name_text, core.name_text, core.name_text, bigint)',
                    'api.count_stock(bigint, bigint, integer, integer, core.finite_timestamptz, bigint)',
                    'api.transfer_stock(bigint, bigint, bigint, integer, core.long_text, bigint)',
                    'api.set_unavailable_stock(bigint, bigint, integer, bigint)',
                    'api.set_stock_settings(bigint, bigint, integer, integer, integer, core.finite_timestamptz, bigint)',
                    'api.set_channel_buffer(bigint, bigint, core.name_text, integer, bigint)',
                    'api.reserve_stock(core.json_doc, core.name_text, core.name_text, core.name_text, core.finite_timestamptz, core.name_text, bigint)',
                    'api.release_reservation(bigint, bigint)',
                    'api.release_reservations(core.name_text, core.name_text, core.name_text, bigint)',
                    'api.ship_reservation(bigint, integer, bigint)']) AS f;
SELECT 1 / pg_catalog.has_function_privilege('mercato_service', 'api.inventory_check()', 'EXECUTE')::int;

ROLLBACK;
