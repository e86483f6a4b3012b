-- Verify mercato:schemas/store/fulfilment on pg
-- Existence and privileges only: each statement raises when one piece is missing (a missing relation or column, a
-- failed cast) or wrongly granted (division by zero).

BEGIN;

SELECT id, tenant_id, number, location_id, status, assigned_to, total_orders, total_items, estimated_pick_time,
    note, created_by, created_at, started_at, picked_at, shipped_at, completed_at, cancelled_at, cancel_reason,
    updated_at
  FROM store.fulfilment_batch WHERE false;
SELECT batch_id, tenant_id, order_id, open, added_at, shipped_items, tracking_numbers
  FROM store.batch_order WHERE false;
SELECT x.i::regclass
  FROM unnest(ARRAY['store.fulfilment_batch_tenant_id_status_idx',
      'store.fulfilment_batch_location_id_tenant_id_idx', 'store.fulfilment_batch_assigned_to_idx',
      'store.batch_order_open_key', 'store.batch_order_order_id_tenant_id_idx']) AS x(i);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_constraint k WHERE k.conrelid = x.t::regclass AND k.conname = x.c)::int
  FROM (SELECT 'store.fulfilment_batch', unnest(ARRAY['fulfilment_batch_assigned_to_fkey',
      'fulfilment_batch_cancel_reason_check', 'fulfilment_batch_cancelled_check',
      'fulfilment_batch_estimated_pick_time_check', 'fulfilment_batch_id_tenant_id_key',
      'fulfilment_batch_location_id_fkey', 'fulfilment_batch_note_check', 'fulfilment_batch_number_check',
      'fulfilment_batch_pkey', 'fulfilment_batch_shipped_check', 'fulfilment_batch_status_check',
      'fulfilment_batch_tenant_id_fkey', 'fulfilment_batch_tenant_id_number_key',
      'fulfilment_batch_total_items_check', 'fulfilment_batch_total_orders_check'])
        UNION ALL
        SELECT 'store.batch_order', unnest(ARRAY['batch_order_batch_id_fkey', 'batch_order_order_id_fkey',
            'batch_order_pkey', 'batch_order_shipped_items_check', 'batch_order_tenant_id_fkey',
            'batch_order_tracking_numbers_check'])) AS x(t, c);
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = x.t::regclass AND g.tgname = x.n AND g.tgfoid = x.f::regprocedure 
               AND g.tgenabled <> 'D')::int
  FROM (VALUES ('store.fulfilment_batch', 'fulfilment_batch_audit', 'audit.track()'),
               ('store.fulfilment_batch', 'fulfilment_batch_no_delete', 'core.refuse_change_trg()'),
               ('store.batch_order', 'batch_order_no_delete', 'core.refuse_change_trg()')) AS x(t, n, f);
SELECT 1 / (NOT pg_catalog.has_table_privilege(r, t, 'INSERT, UPDATE, DELETE, TRUNCATE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.fulfilment_batch', 'store.batch_order']) AS t;
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['STORE_INVALID_BATCH_INPUT', 'STORE_UNKNOWN_BATCH', 'STORE_BATCH_TRANSITION', 'STORE_ORDER_NOT_BATCHABLE',
                    'STORE_BATCH_IMMUTABLE']) AS c;

ROLLBACK;
