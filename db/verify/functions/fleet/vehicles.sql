-- Verify mercato:functions/fleet/vehicles on pg

BEGIN;

SELECT 'fleet.vehicle_insured(bigint, date, date)'::regprocedure,
       'fleet.add_vehicle(text, text, integer, text, text, text, text[], jsonb)'::regprocedure,
       'fleet.set_vehicle_status(bigint, text)'::regprocedure,
       'fleet.add_vehicle_insurance(bigint, text, text, date, date, text, text, numeric)'::regprocedure,
       'fleet.verify_insurance(bigint, text)'::regprocedure, 'fleet.expiring_insurance(integer)'::regprocedure,
       'fleet.my_vehicles()'::regprocedure;
SELECT 1 / (NOT has_function_privilege('mercato_user', 'fleet.add_vehicle(text, text, integer, text, text, text, text[], jsonb)', 'EXECUTE'))::int;

-- each piece on its own (py/tests/test_verify_fails.py removes one at a time)
-- its functions, which no API role executes (what a caller needs has an api entry point)
SELECT 1 / (NOT pg_catalog.has_function_privilege(r, f, 'EXECUTE'))::int
  FROM unnest(ARRAY['fleet.add_vehicle_insurance(bigint, text, text, date, date, text, text, numeric)'::regprocedure,
                    'fleet.expiring_insurance(integer)'::regprocedure,
                    'fleet.my_vehicles()'::regprocedure,
                    'fleet.set_vehicle_status(bigint, text)'::regprocedure,
                    'fleet.vehicle_insured(bigint, date, date)'::regprocedure,
                    'fleet.verify_insurance(bigint, text)'::regprocedure]) AS f,
       unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) AS r;
-- its error codes
SELECT 1 / (SELECT count(*) FROM core.error e WHERE e.code = c)::int
  FROM unnest(ARRAY['IDENTITY_PLATE_TAKEN',
                    'IDENTITY_UNKNOWN_INSURANCE',
                    'IDENTITY_UNKNOWN_VEHICLE']) AS c;

ROLLBACK;
