-- Verify mercato:schemas/fleet on pg

BEGIN;

SELECT id, provider_id, plate_number, vehicle_type, engine_type, seat_count, brand, model, tags, status, images
  FROM fleet.vehicle WHERE false;
SELECT id, vehicle_id, insurance_type, company_name, policy_number, insured_amount, coverage_start, coverage_end,
       certificate_url, status FROM fleet.vehicle_insurance WHERE false;
SELECT 1 / (NOT has_schema_privilege('public', 'fleet', 'USAGE') AND has_schema_privilege('mercato_user', 'fleet', 'USAGE'))::int;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- the relations it grants to API roles
SELECT 1 / pg_catalog.has_table_privilege(x.role, x.t, x.priv)::int
  FROM (VALUES ('fleet.vehicle', 'mercato_service', 'SELECT'),
               ('fleet.vehicle_insurance', 'mercato_service', 'SELECT')) AS x(t, role, priv);
-- its triggers, each present and enabled
SELECT 1 / (SELECT count(*) FROM pg_catalog.pg_trigger t
             WHERE t.tgrelid = x.tab::regclass AND t.tgname = x.name AND t.tgenabled <> 'D')::int
  FROM (VALUES ('fleet.vehicle_insurance', 'vehicle_insurance_audit'),
               ('fleet.vehicle', 'vehicle_audit')) AS x(tab, name);
SELECT created_at, updated_at FROM fleet.vehicle WHERE false;
SELECT created_at FROM fleet.vehicle_insurance WHERE false;

ROLLBACK;
