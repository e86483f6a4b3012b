-- Verify mercato:functions/api/store_fulfilment on pg

BEGIN;

SELECT id, tenant_id, number, location_id, status, assigned_to, total_orders, total_items, estimated_pick_time, note,
       created_at, started_at, picked_at, shipped_at, completed_at, cancelled_at, cancel_reason
  FROM api.fulfilment_batches WHERE false;
SELECT batch_id, tenant_id, order_id, open, added_at, shipped_items, tracking_numbers FROM api.fulfilment_batch_orders WHERE false;
SELECT 1 / pg_catalog.has_table_privilege(r, v, 'SELECT')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['api.fulfilment_batches', 'api.fulfilment_batch_orders']) AS v;
SELECT 1 / pg_catalog.has_function_privilege(r, f, 'EXECUTE')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['api.create_fulfilment_batch(bigint, core.json_doc, bigint, integer, core.long_text, bigint)',
                    'api.add_batch_orders(bigint, core.json_doc, bigint)', 'api.batch_pick_list(bigint, bigint)',
                    'api.advance_fulfilment_batch(bigint, core.name_text, bigint)',
                    'api.ship_fulfilment_batch(bigint, core.json_doc, bigint)',
                    'api.cancel_fulfilment_batch(bigint, core.name_text, bigint)']) AS f;
SELECT 1 / (NOT pg_catalog.has_function_privilege('mercato_anon', f, 'EXECUTE'))::int
  FROM unnest(ARRAY['api.create_fulfilment_batch(bigint, core.json_doc, bigint, integer, core.long_text, bigint)',
                    'api.ship_fulfilment_batch(bigint, core.json_doc, bigint)']) AS f;

ROLLBACK;
