-- Verify mercato:functions/store/purchase_orders on pg
-- Existence and privileges only: each statement raises when a function is missing or an API role may execute one.

BEGIN;

SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.json_whole(jsonb, text, bigint, bigint)'::regprocedure,
                    'store.json_amount(bigint, jsonb, text)'::regprocedure,
                    'store.locked_purchase_order(bigint, bigint)'::regprocedure,
                    'store.add_lines(store.purchase_order, jsonb)'::regprocedure,
                    'store.check_expected_total(bigint, numeric)'::regprocedure,
                    'store.open_purchase_order(bigint, bigint, bigint, date, numeric, numeric, text, text)'::regprocedure,
                    'store.create_purchase_order(bigint, bigint, jsonb, date, numeric, numeric, numeric, text, text, bigint)'::regprocedure,
                    'store.add_purchase_order_lines(bigint, jsonb, numeric, bigint)'::regprocedure,
                    'store.set_purchase_order_charges(bigint, numeric, numeric, numeric, bigint)'::regprocedure,
                    'store.submit_purchase_order(bigint, numeric, bigint)'::regprocedure,
                    'store.confirm_purchase_order(bigint, text, date, bigint)'::regprocedure,
                    'store.cancel_purchase_order(bigint, text, bigint)'::regprocedure]) AS f;

ROLLBACK;
