-- Tests for schemas/store/fulfilment_rls: a tenant's users see their tenant's batches, another tenant none.
BEGIN;
SELECT plan(3);

SELECT tests.inventory_world('frls');
INSERT INTO store.fulfilment_batch (tenant_id, number, location_id) VALUES (tests.id('a'), 1, tests.id('a_wh')),
                                                                           (tests.id('b'), 1, tests.id('b_wh'));
SELECT tests.as_user('kc|frls-a-clerk');
SELECT is((SELECT array_agg(tenant_id) FROM store.fulfilment_batch), ARRAY[tests.id('a')], 'shop A''s users see A''s batches');
RESET ROLE;
SELECT tests.as_user('kc|frls-b-admin');
SELECT is((SELECT array_agg(tenant_id) FROM api.fulfilment_batches), ARRAY[tests.id('b')], 'shop B sees only its own');
RESET ROLE;
SELECT tests.as_service();
SELECT is((SELECT count(*) FROM store.fulfilment_batch), 2::bigint, 'the back office sees all');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
