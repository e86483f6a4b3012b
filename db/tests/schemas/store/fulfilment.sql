-- Tests for schemas/store/fulfilment: the rules the batch tables keep whoever writes.
BEGIN;
SELECT plan(5);

SELECT tests.inventory_world('fsch');
SELECT tests.put('o', tests.reserved_order(tests.id('a'), '[]'));
WITH b AS (INSERT INTO store.fulfilment_batch (tenant_id, number, location_id) VALUES (tests.id('a'), 1, tests.id('a_wh'))
           RETURNING id)
SELECT tests.put('bat', b.id) FROM b;
WITH b AS (INSERT INTO store.fulfilment_batch (tenant_id, number, location_id) VALUES (tests.id('a'), 2, tests.id('a_wh'))
           RETURNING id)
SELECT tests.put('bat2', b.id) FROM b;

SELECT throws_like($$INSERT INTO store.fulfilment_batch (tenant_id, number, location_id) VALUES (tests.id('a'), 3, tests.id('b_wh'))$$,
                   '%fulfilment_batch_location_id_fkey%', 'a batch ships from a location of its own tenant');
SELECT throws_like($$INSERT INTO store.batch_order (batch_id, tenant_id, order_id) VALUES (tests.id('bat'), tests.id('b'), tests.id('o'))$$,
                   '%batch_order_%fkey%', 'a batch order belongs to the batch''s tenant');
INSERT INTO store.batch_order (batch_id, tenant_id, order_id) VALUES (tests.id('bat'), tests.id('a'), tests.id('o'));
SELECT throws_like($$INSERT INTO store.batch_order (batch_id, tenant_id, order_id) VALUES (tests.id('bat2'), tests.id('a'), tests.id('o'))$$,
                   '%batch_order_open_key%', 'an order is in one open batch at a time');
SELECT throws_like($$DELETE FROM store.fulfilment_batch$$, 'STORE_BATCH_IMMUTABLE:%', 'batches are never deleted');
SELECT throws_like($$UPDATE store.fulfilment_batch SET status = 'CANCELLED' WHERE id = tests.id('bat')$$,
                   '%fulfilment_batch_cancelled_check%', 'a cancellation has its time and reason');

SELECT * FROM finish();
ROLLBACK;
