-- Revert mercato:schemas/store/fulfilment_rls from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

REVOKE SELECT ON store.fulfilment_batch, store.batch_order FROM mercato_user, mercato_service;
DROP POLICY fulfilment_batch_service ON store.fulfilment_batch;
DROP POLICY batch_order_service ON store.batch_order;
DROP POLICY fulfilment_batch_tenant ON store.fulfilment_batch;
DROP POLICY batch_order_tenant ON store.batch_order;
ALTER TABLE store.fulfilment_batch DISABLE ROW LEVEL SECURITY;
ALTER TABLE store.batch_order DISABLE ROW LEVEL SECURITY;

COMMIT;
