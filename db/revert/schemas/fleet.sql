-- Revert mercato:schemas/fleet from pg

BEGIN;

DROP TABLE fleet.vehicle_insurance, fleet.vehicle;
DROP SCHEMA fleet;

COMMIT;
