-- Verify mercato:functions/orders/guards on pg

BEGIN;

-- each function exists (the cast) and no API role executes it: the api wrappers call them as the owner
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['orders.manage_tenant(bigint)'::regprocedure,
                    'orders.caller(bigint)'::regprocedure,
                    'orders.doc_keys(jsonb, text[], text)'::regprocedure,
                    'orders.doc_text(jsonb, text, integer, text)'::regprocedure,
                    'orders.doc_numeric(jsonb, text, text)'::regprocedure,
                    'orders.doc_id(jsonb, text, text)'::regprocedure,
                    'orders.doc_object(jsonb, text)'::regprocedure,
                    'orders.doc_tags(jsonb, text)'::regprocedure,
                    'orders.minor_units(bigint)'::regprocedure,
                    'orders.check_amount(text, numeric, integer, boolean)'::regprocedure,
                    'orders.transition_allowed(text, text, text)'::regprocedure,
                    'orders.sales_order_transition_trg()'::regprocedure,
                    'orders.check_order_totals(bigint)'::regprocedure,
                    'orders.totals_trg()'::regprocedure,
                    'orders.order_doc(bigint)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'orders.sales_order'::regclass AND g.tgname = 'sales_order_transition'
               AND g.tgfoid = 'orders.sales_order_transition_trg()'::regprocedure AND g.tgenabled <> 'D')::int;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'orders.sales_order'::regclass AND g.tgname = 'sales_order_totals' AND g.tgdeferrable
               AND g.tginitdeferred AND g.tgfoid = 'orders.totals_trg()'::regprocedure AND g.tgenabled <> 'D')::int;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger g
             WHERE g.tgrelid = 'orders.line'::regclass AND g.tgname = 'line_totals' AND g.tgdeferrable
               AND g.tginitdeferred AND g.tgfoid = 'orders.totals_trg()'::regprocedure AND g.tgenabled <> 'D')::int;
SELECT 1 / ((SELECT count(*) FROM core.error WHERE code IN ('ORDERS_NOT_CANCELLABLE', 'ORDERS_NOT_FULFILLABLE')) = 2)::int;

ROLLBACK;
