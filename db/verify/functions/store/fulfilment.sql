-- Verify mercato:functions/store/fulfilment on pg

BEGIN;

SELECT x::regprocedure
  FROM unnest(ARRAY['store.batch_transition_trg()', 'store.fulfilment_tenant(bigint)', 'store.lock_batch(bigint, bigint)',
                    'store.batch_lines(bigint, bigint)', 'store.recount_batch(bigint, bigint)', 'store.order_id_list(jsonb)',
                    'store.add_batch_orders(bigint, jsonb, bigint)',
                    'store.create_batch(bigint, jsonb, bigint, integer, text, bigint)',
                    'store.batch_pick_list(bigint, bigint)', 'store.advance_batch(bigint, text, bigint)',
                    'store.ship_batch(bigint, jsonb, bigint)', 'store.cancel_batch(bigint, text, bigint)']) AS x;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'store.fulfilment_batch'::regclass AND g.tgname = 'fulfilment_batch_transition'
               AND g.tgfoid = 'store.batch_transition_trg()'::regprocedure AND g.tgenabled <> 'D')::int;
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.batch_transition_trg()', 'store.fulfilment_tenant(bigint)', 'store.lock_batch(bigint, bigint)',
                    'store.batch_lines(bigint, bigint)',
                    'store.recount_batch(bigint, bigint)', 'store.order_id_list(jsonb)',
                    'store.add_batch_orders(bigint, jsonb, bigint)',
                    'store.create_batch(bigint, jsonb, bigint, integer, text, bigint)',
                    'store.batch_pick_list(bigint, bigint)', 'store.advance_batch(bigint, text, bigint)',
                    'store.ship_batch(bigint, jsonb, bigint)', 'store.cancel_batch(bigint, text, bigint)']) AS f;

ROLLBACK;
