-- Verify mercato:functions/fleet/vehicles on pg

BEGIN;

SELECT 'fleet.vehicle_insured(bigint, date, date)'::regprocedure,
       'fleet.add_vehicle(text, text, integer, text, text, text, text[], jsonb)'::regprocedure,
       'fleet.set_vehicle_status(bigint, text)'::regprocedure,
       'fleet.add_vehicle_insurance(bigint, text, text, date, date, text, text, numeric)'::regprocedure,
       'fleet.verify_insurance(bigint, text)'::regprocedure, 'fleet.expiring_insurance(integer)'::regprocedure,
       'fleet.my_vehicles()'::regprocedure;
SELECT 1 / (NOT has_function_privilege('mercato_user', 'fleet.add_vehicle(text, text, integer, text, text, text, text[], jsonb)', 'EXECUTE'))::int;

ROLLBACK;
