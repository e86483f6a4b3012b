-- Verify mercato:schemas/fleet/rls on pg

BEGIN;

-- every table of the schema has row-level security on, and mercato_user may read it
SELECT 1 / (count(*) FILTER (WHERE c.relrowsecurity AND has_table_privilege('mercato_user', c.oid, 'SELECT')) = 2)::int
  FROM pg_class c WHERE c.oid IN ('fleet.vehicle'::regclass, 'fleet.vehicle_insurance'::regclass);

ROLLBACK;
