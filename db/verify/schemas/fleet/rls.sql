-- Verify mercato:schemas/fleet/rls on pg

BEGIN;

-- every table of the schema has row-level security on, and mercato_user may read it
SELECT 1 / (count(*) FILTER (WHERE c.relrowsecurity AND has_table_privilege('mercato_user', c.oid, 'SELECT')) = 2)::int
  FROM pg_class c WHERE c.oid IN ('fleet.vehicle'::regclass, 'fleet.vehicle_insurance'::regclass);

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its policies
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_policy p WHERE p.polrelid = x.tab::regclass AND p.polname = x.name)::int
  FROM (VALUES ('fleet.vehicle_insurance', 'vehicle_insurance_own'),
               ('fleet.vehicle_insurance', 'vehicle_insurance_service'),
               ('fleet.vehicle', 'vehicle_own'),
               ('fleet.vehicle', 'vehicle_service')) AS x(tab, name);

ROLLBACK;
