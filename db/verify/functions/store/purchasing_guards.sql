-- Verify mercato:functions/store/purchasing_guards on pg
-- Existence and privileges only: each statement raises when one piece is missing or wrongly granted.

BEGIN;

SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgname = g.name AND t.tgrelid = g.rel AND t.tgfoid = g.fn::regprocedure AND t.tgenabled <> 'D')::int
  FROM (VALUES ('store.distributor'::regclass, 'distributor_money', 'store.purchasing_money_trg()'),
               ('store.distributor_item'::regclass, 'distributor_item_money', 'store.purchasing_money_trg()'),
               ('store.purchase_order'::regclass, 'purchase_order_money', 'store.purchasing_money_trg()'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_money', 'store.purchasing_money_trg()'),
               ('store.purchase_order'::regclass, 'purchase_order_guard', 'store.purchase_order_guard_trg()'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_guard', 'store.purchase_order_line_guard_trg()'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_totals_insert',
                'store.purchase_order_line_totals_trg()'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_totals_update',
                'store.purchase_order_line_totals_trg()'),
               ('store.purchase_order_line'::regclass, 'purchase_order_line_totals_delete',
                'store.purchase_order_line_totals_trg()')) AS g(rel, name, fn);
-- no API role executes them
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.purchasing_money_trg()'::regprocedure, 'store.purchase_order_guard_trg()'::regprocedure,
                    'store.purchase_order_line_guard_trg()'::regprocedure,
                    'store.purchase_order_line_totals_trg()'::regprocedure]) AS f;

ROLLBACK;
