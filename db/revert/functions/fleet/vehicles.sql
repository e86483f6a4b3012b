-- Revert mercato:functions/fleet/vehicles from pg

BEGIN;

DROP FUNCTION fleet.my_vehicles(), fleet.expiring_insurance(integer), fleet.verify_insurance(bigint, text),
    fleet.add_vehicle_insurance(bigint, text, text, date, date, text, text, numeric), fleet.set_vehicle_status(bigint, text),
    fleet.add_vehicle(text, text, integer, text, text, text, text[], jsonb), fleet.vehicle_insured(bigint, date, date);
DELETE FROM core.error WHERE code IN ('IDENTITY_UNKNOWN_VEHICLE', 'IDENTITY_UNKNOWN_INSURANCE', 'IDENTITY_PLATE_TAKEN');

COMMIT;
