-- Deploy mercato:schemas/store/fulfilment_rls to pg
-- Row-level security on fulfilment batches: a tenant's users read their tenant's batches and batch orders, the back
-- office all; no API role writes them (functions/store/fulfilment does). The batches were added after the module's
-- first rls part (schemas/store/rls) was planned, hence this second part.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

ALTER TABLE store.fulfilment_batch ENABLE ROW LEVEL SECURITY;
ALTER TABLE store.batch_order ENABLE ROW LEVEL SECURITY;

CREATE POLICY fulfilment_batch_service ON store.fulfilment_batch FOR SELECT TO mercato_service USING (true);
CREATE POLICY batch_order_service ON store.batch_order FOR SELECT TO mercato_service USING (true);
CREATE POLICY fulfilment_batch_tenant ON store.fulfilment_batch FOR SELECT TO mercato_user
    USING (fulfilment_batch.tenant_id = (SELECT identity.my_tenant_id()));
CREATE POLICY batch_order_tenant ON store.batch_order FOR SELECT TO mercato_user
    USING (batch_order.tenant_id = (SELECT identity.my_tenant_id()));

GRANT SELECT ON store.fulfilment_batch, store.batch_order TO mercato_user, mercato_service;

COMMIT;
