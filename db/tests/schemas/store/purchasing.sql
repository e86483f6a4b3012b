-- Tests for schemas/store/purchasing: the tables' backstops whoever writes (the total adds up, received never past
-- ordered plus the allowed excess, one preferred distributor per variant, the tenant's currency, composite tenant keys),
-- receipts append-only, orders and distributors never deleted; row-level security: a tenant's users read their
-- tenant's rows, the back office all, anonymous callers nothing, no API role writes.
BEGIN;
SELECT plan(20);

SELECT tests.purchasing_world('pus');
SELECT tests.put('po', tests.purchase_order('a', 'acme', 'a_wh', format('[{"variant_id": %s, "quantity": 4}]', tests.id('v_deny'))::jsonb));
SELECT tests.put('pob', tests.purchase_order('b', 'bdist', 'b_wh', format('[{"variant_id": %s, "quantity": 2}]', tests.id('v_b'))::jsonb));
SELECT tests.as_service();
SELECT receipt_id FROM api.receive_purchase_order(tests.id('po'), format('[{"variant_id": %s, "quantity": 1}]', tests.id('v_deny'))::jsonb,
                                                  p_tenant_id => tests.id('a'));
SELECT receipt_id FROM api.receive_purchase_order(tests.id('pob'), format('[{"variant_id": %s, "quantity": 1}]', tests.id('v_b'))::jsonb,
                                                  p_tenant_id => tests.id('b'));
SELECT tests.as_owner();
SELECT tests.put('line', (SELECT id FROM store.purchase_order_line WHERE purchase_order_id = tests.id('po')));

-- backstops (as the owner, past every function)
SELECT throws_ok(format('UPDATE store.purchase_order SET total_amount = total_amount + 1 WHERE id = %s', tests.id('po')),
                 '23514', NULL, 'backstop: total = subtotal + tax + shipping (CHECK)');
SELECT throws_ok(format('UPDATE store.purchase_order_line SET quantity_received = 5 WHERE id = %s', tests.id('line')),
                 '23514', NULL, 'backstop: received never past ordered without a recorded excess (CHECK)');
SELECT lives_ok(format('UPDATE store.purchase_order_line SET quantity_received = 5, quantity_over_received = 1 WHERE id = %s',
                       tests.id('line')), 'an excess recorded in quantity_over_received passes');
SELECT throws_ok(format($$INSERT INTO store.distributor_item (tenant_id, distributor_id, variant_id, unit_cost, is_preferred)
                          VALUES (%s, %s, %s, 1, true)$$, tests.id('a'), tests.id('bigmin'), tests.id('v_deny')),
                 '23505', NULL, 'one preferred distributor per variant (partial unique index)');
SELECT throws_ok(format($$INSERT INTO store.distributor_item (tenant_id, distributor_id, variant_id, unit_cost)
                          VALUES (%s, %s, %s, 1)$$, tests.id('a'), tests.id('acme'), tests.id('v_b')),
                 '23503', NULL, 'a distributor item never names another tenant''s variant (composite key)');
SELECT throws_ok(format($$UPDATE store.purchase_order SET currency = 'EUR' WHERE id = %s$$, tests.id('po')),
                 'PT409', NULL, 'a purchase order''s currency never changes');
SELECT throws_ok(format($$UPDATE store.purchase_order SET ship_to_location_id = %s WHERE id = %s$$, tests.id('b_wh'), tests.id('po')),
                 'PT409', NULL, 'nor its location once submitted (and never another tenant''s)');
SELECT throws_like(format('UPDATE store.purchase_receipt SET notes = %L WHERE purchase_order_id = %s', 'x', tests.id('po')),
                   'STORE_IMMUTABLE:%', 'receipts are append-only');
SELECT throws_like('DELETE FROM store.purchase_receipt_line', 'STORE_IMMUTABLE:%', 'and their lines');
SELECT throws_like('TRUNCATE store.purchase_receipt_line', 'STORE_IMMUTABLE:%', 'not even truncated');
SELECT throws_like(format('DELETE FROM store.purchase_order WHERE id = %s', tests.id('po')), 'STORE_IMMUTABLE:%',
                   'a purchase order is never deleted');
SELECT throws_like(format('DELETE FROM store.distributor WHERE id = %s', tests.id('bigmin')), 'STORE_IMMUTABLE:%',
                   'nor a distributor');

-- row-level security
SELECT tests.as_user('kc|pus-a-admin');
SELECT results_eq('SELECT code FROM store.distributor ORDER BY code', $$VALUES ('ACME'), ('BIGMIN')$$, 'A''s staff: A''s distributors');
SELECT results_eq('SELECT id FROM store.purchase_order', format('VALUES (%s::bigint)', tests.id('po')), 'A''s purchase orders');
SELECT is((SELECT count(*) FROM store.purchase_receipt_line WHERE tenant_id <> tests.id('a')), 0::bigint, 'never B''s receipts');
SELECT throws_ok(format('UPDATE store.distributor SET name = %L', 'x'), '42501', NULL, 'no API role writes');
SELECT tests.as_user('kc|pus-b-admin');
SELECT results_eq('SELECT code FROM store.distributor', $$VALUES ('BDIST')$$, 'B''s staff: B''s distributors');
SELECT tests.as_user('kc|pus-padmin');
SELECT is((SELECT count(*) FROM store.distributor_item), 0::bigint, 'a user of no tenant: nothing');
SELECT tests.as_service();
SELECT is((SELECT count(*) FROM store.purchase_order WHERE id IN (tests.id('po'), tests.id('pob'))), 2::bigint, 'the back office: all');
SELECT tests.as_anon();
SELECT throws_ok('SELECT 1 FROM store.purchase_order', '42501', NULL, 'anonymous: nothing');
SELECT tests.as_owner();

SELECT * FROM finish();
ROLLBACK;
