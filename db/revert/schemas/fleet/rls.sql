-- Revert mercato:schemas/fleet/rls from pg

BEGIN;

REVOKE SELECT ON fleet.vehicle, fleet.vehicle_insurance FROM mercato_user;
DROP POLICY vehicle_service ON fleet.vehicle;
DROP POLICY vehicle_own ON fleet.vehicle;
DROP POLICY vehicle_insurance_service ON fleet.vehicle_insurance;
DROP POLICY vehicle_insurance_own ON fleet.vehicle_insurance;
ALTER TABLE fleet.vehicle DISABLE ROW LEVEL SECURITY;
ALTER TABLE fleet.vehicle_insurance DISABLE ROW LEVEL SECURITY;

COMMIT;
