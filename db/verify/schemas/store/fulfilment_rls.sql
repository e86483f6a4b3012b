-- Verify mercato:schemas/store/fulfilment_rls on pg

BEGIN;

SELECT 1 / (SELECT relrowsecurity FROM pg_catalog.pg_class WHERE oid = t::regclass)::int
  FROM unnest(ARRAY['store.fulfilment_batch', 'store.batch_order']) AS t;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = x.t::regclass AND p.polname = x.n)::int
  FROM (VALUES ('store.fulfilment_batch', 'fulfilment_batch_service'), ('store.fulfilment_batch', 'fulfilment_batch_tenant'),
               ('store.batch_order', 'batch_order_service'), ('store.batch_order', 'batch_order_tenant')) AS x(t, n);
SELECT 1 / pg_catalog.has_table_privilege(r, t, 'SELECT')::int
  FROM unnest(ARRAY['mercato_user', 'mercato_service']) AS r,
       unnest(ARRAY['store.fulfilment_batch', 'store.batch_order']) AS t;

ROLLBACK;
