-- Tests for functions/api/store_purchasing: the api views are security_invoker and show a tenant's users their tenant's
-- purchasing rows (the back office all, anonymous callers nothing); the wrappers are for staff and the back office only.
BEGIN;
SELECT plan(9);

SELECT tests.purchasing_world('pua');
SELECT tests.put('po', tests.purchase_order('a', 'acme', 'a_wh', format('[{"variant_id": %s, "quantity": 2}]', tests.id('v_deny'))::jsonb));
SELECT tests.put('pob', tests.purchase_order('b', 'bdist', 'b_wh', format('[{"variant_id": %s, "quantity": 2}]', tests.id('v_b'))::jsonb));

SELECT is((SELECT count(*) FROM pg_class c WHERE c.relnamespace = 'api'::regnamespace AND c.relname LIKE 'store\_%' AND c.relkind = 'v'
             AND c.relname NOT IN ('store_cards', 'store_card_variants') AND c.reloptions @> ARRAY['security_invoker=true']),
          7::bigint, 'seven purchasing views, all security_invoker');
SELECT tests.as_user('kc|pua-a-admin');
SELECT results_eq('SELECT po_number, tenant_id FROM api.store_purchase_orders', format($$VALUES ('PO-000001'::text, %s::bigint)$$, tests.id('a')),
                  'A''s staff: A''s orders');
SELECT is((SELECT count(*) FROM api.store_purchase_order_lines WHERE tenant_id <> tests.id('a')), 0::bigint, 'never B''s lines');
SELECT is((SELECT count(*) FROM api.store_distributor_items), 4::bigint, 'A''s four distributor items');
SELECT tests.as_user('kc|pua-b-admin');
SELECT results_eq('SELECT code FROM api.store_distributors', $$VALUES ('BDIST'::text)$$, 'B''s staff: B''s distributors');
SELECT tests.as_service();
SELECT is((SELECT count(*) FROM api.store_purchase_orders WHERE id IN (tests.id('po'), tests.id('pob'))), 2::bigint, 'the back office: all');
SELECT tests.as_anon();
SELECT throws_ok('SELECT 1 FROM api.store_purchase_orders', '42501', NULL, 'anonymous: no view');
SELECT throws_ok('SELECT 1 FROM api.store_reorder_suggestions', '42501', NULL, 'not the suggestions');
SELECT throws_ok($$SELECT api.create_store_distributor('X', 'X')$$, '42501', NULL, 'no wrapper');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
