-- Revert mercato:schemas/store/fulfilment from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code IN ('STORE_INVALID_BATCH_INPUT', 'STORE_UNKNOWN_BATCH', 'STORE_BATCH_TRANSITION',
                                      'STORE_ORDER_NOT_BATCHABLE', 'STORE_BATCH_IMMUTABLE');
DROP TABLE store.batch_order, store.fulfilment_batch;

COMMIT;
