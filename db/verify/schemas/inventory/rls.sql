-- Verify mercato:schemas/inventory/rls on pg

BEGIN;

SELECT 1 / (SELECT relrowsecurity FROM pg_catalog.pg_class WHERE oid = t::regclass)::int
  FROM unnest(ARRAY['inventory.location', 'inventory.stock', 'inventory.channel_buffer', 'inventory.movement',
                    'inventory.reservation']) AS t;
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = ('inventory.' || t)::regclass
                                                          AND p.polname = t || '_' || k)::int
  FROM unnest(ARRAY['location', 'stock', 'channel_buffer', 'movement', 'reservation']) AS t,
       unnest(ARRAY['tenant', 'service']) AS k;
SELECT 1 / pg_catalog.has_table_privilege(r, 'inventory.' || t, 'SELECT')::int
  FROM unnest(ARRAY['location', 'stock', 'channel_buffer', 'movement', 'reservation']) AS t,
       unnest(ARRAY['mercato_user', 'mercato_service']) AS r;

ROLLBACK;
