-- Verify mercato:schemas/fleet on pg

BEGIN;

SELECT id, provider_id, plate_number, vehicle_type, engine_type, seat_count, brand, model, tags, status, images
  FROM fleet.vehicle WHERE false;
SELECT id, vehicle_id, insurance_type, company_name, policy_number, insured_amount, coverage_start, coverage_end,
       certificate_url, status FROM fleet.vehicle_insurance WHERE false;
SELECT 1 / (NOT has_schema_privilege('public', 'fleet', 'USAGE') AND has_schema_privilege('mercato_user', 'fleet', 'USAGE'))::int;

ROLLBACK;
