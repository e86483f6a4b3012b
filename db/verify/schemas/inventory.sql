-- Verify mercato:schemas/inventory on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero).

BEGIN;

SELECT id, tenant_id, code, name, kind, priority, fulfils_online, status, created_at, updated_at
  FROM inventory.location WHERE false;
SELECT id, tenant_id, variant_id, location_id, on_hand, reserved, backordered, unavailable, available, safety_stock,
       reorder_point, reorder_quantity, avg_cost, last_cost, last_counted_at, next_count_at, created_at
  FROM inventory.stock WHERE false;
SELECT stock_id, tenant_id, channel, buffer, updated_at FROM inventory.channel_buffer WHERE false;
SELECT id, occurred_at, tenant_id, stock_id, kind, quantity, on_hand_after, unit_cost, ref_module, ref_entity, ref_id,
       reason, actor_user_id
  FROM inventory.movement WHERE false;
SELECT id, tenant_id, stock_id, quantity, backordered, consumed, state, channel, ref_module, ref_entity, ref_id,
       expires_at, created_at, resolved_at, actor_user_id, open_expires_at
  FROM inventory.reservation WHERE false;
SELECT 'inventory.allocation'::regtype;
SELECT 1 / (SELECT relkind = 'p' FROM pg_catalog.pg_class WHERE oid = 'inventory.movement'::regclass)::int;
SELECT x.i::regclass
  FROM unnest(ARRAY['inventory.stock_location_id_tenant_id_idx', 'inventory.stock_variant_id_tenant_id_idx',
                    'inventory.stock_tenant_id_idx', 'inventory.movement_stock_id_tenant_id_idx',
                    'inventory.channel_buffer_tenant_id_idx', 'inventory.channel_buffer_stock_id_tenant_id_idx',
                    'inventory.movement_tenant_id_idx',
                    'inventory.reservation_stock_id_tenant_id_idx', 'inventory.reservation_reference_idx',
                    'inventory.reservation_open_expires_at_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'inventory.location', unnest(ARRAY['location_code_check', 'location_id_tenant_id_key', 'location_kind_check',
                'location_name_check', 'location_pkey', 'location_priority_check', 'location_status_check',
                'location_tenant_id_code_key', 'location_tenant_id_fkey'])
        UNION ALL
        SELECT 'inventory.stock', unnest(ARRAY['stock_available_check', 'stock_avg_cost_check', 'stock_backordered_check',
                'stock_id_tenant_id_key', 'stock_last_cost_check', 'stock_location_id_tenant_id_fkey', 'stock_on_hand_check',
                'stock_pkey', 'stock_reorder_point_check', 'stock_reorder_quantity_check', 'stock_reserved_check',
                'stock_safety_stock_check', 'stock_tenant_id_fkey', 'stock_unavailable_check',
                'stock_variant_id_location_id_key', 'stock_variant_id_tenant_id_fkey'])
        UNION ALL
        SELECT 'inventory.channel_buffer', unnest(ARRAY['channel_buffer_buffer_check', 'channel_buffer_channel_check',
                'channel_buffer_pkey', 'channel_buffer_stock_id_tenant_id_fkey', 'channel_buffer_tenant_id_fkey'])
        UNION ALL
        SELECT 'inventory.movement', unnest(ARRAY['movement_kind_check', 'movement_on_hand_after_check', 'movement_pkey',
                'movement_quantity_check', 'movement_reason_check', 'movement_ref_entity_check', 'movement_ref_id_check',
                'movement_ref_module_check', 'movement_stock_id_tenant_id_fkey', 'movement_tenant_id_fkey',
                'movement_unit_cost_check'])
        UNION ALL
        SELECT 'inventory.reservation', unnest(ARRAY['reservation_channel_check', 'reservation_consumed_check',
                'reservation_parts_check', 'reservation_pkey', 'reservation_quantity_check', 'reservation_ref_entity_check',
                'reservation_ref_id_check', 'reservation_ref_module_check', 'reservation_resolved_at_check',
                'reservation_state_check', 'reservation_stock_id_tenant_id_fkey', 'reservation_tenant_id_fkey'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure AND g.tgenabled <> 'D')::int
  FROM (VALUES ('inventory.movement', 'movement_immutable', 'core.refuse_change_trg()'),
               ('inventory.movement', 'movement_no_truncate', 'core.refuse_change_trg()'),
               ('inventory.location', 'location_no_delete', 'core.refuse_change_trg()'),
               ('inventory.location', 'location_audit', 'audit.track()'),
               ('inventory.stock', 'stock_no_delete', 'core.refuse_change_trg()'),
               ('inventory.channel_buffer', 'channel_buffer_audit', 'audit.track()'),
               ('inventory.reservation', 'reservation_no_delete', 'core.refuse_change_trg()')) AS x(t, n, f);
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['INVENTORY_INVALID_INPUT', 'INVENTORY_UNKNOWN_LOCATION', 'INVENTORY_LOCATION_TAKEN',
                    'INVENTORY_LOCATION_INACTIVE', 'INVENTORY_UNKNOWN_VARIANT', 'INVENTORY_NOT_TRACKED',
                    'INVENTORY_INSUFFICIENT', 'INVENTORY_MAX_QUANTITY', 'INVENTORY_COUNT_STALE',
                    'INVENTORY_UNKNOWN_RESERVATION', 'INVENTORY_RESERVATION_RESOLVED', 'INVENTORY_BACKORDERED',
                    'INVENTORY_IMMUTABLE', 'INVENTORY_NO_PARTITION', 'INVENTORY_INTEGRITY_VIOLATION']) AS c;
SELECT 1 / (SELECT count(*) FROM identity.permission WHERE code = 'inventory.manage' AND tenant_grantable)::int;
SELECT 1 / (SELECT count(*) FROM identity.role_permission rp JOIN identity.role r ON r.id = rp.role_id
              JOIN identity.permission p ON p.id = rp.permission_id
             WHERE p.code = 'inventory.manage' AND r.code = x AND r.tenant_id IS NULL)::int
  FROM unnest(ARRAY['TENANT_ADMIN', 'PLATFORM_ADMIN']) AS x;
SELECT 1 / pg_catalog.has_schema_privilege(r, 'inventory', 'USAGE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r;
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['inventory.location', 'inventory.stock', 'inventory.channel_buffer', 'inventory.movement',
                    'inventory.reservation']) AS t;

ROLLBACK;
