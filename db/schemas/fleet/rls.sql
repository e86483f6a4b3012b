-- Deploy mercato:schemas/fleet/rls to pg
-- Row-level security on vehicles and their insurance: a provider sees its own, a marketplace admin every one (review),
-- the back office all. SELECT-only: functions write.

BEGIN;

ALTER TABLE fleet.vehicle ENABLE ROW LEVEL SECURITY;
ALTER TABLE fleet.vehicle_insurance ENABLE ROW LEVEL SECURITY;

CREATE POLICY vehicle_service ON fleet.vehicle FOR SELECT TO mercato_service USING (true);
CREATE POLICY vehicle_insurance_service ON fleet.vehicle_insurance FOR SELECT TO mercato_service USING (true);
CREATE POLICY vehicle_own ON fleet.vehicle FOR SELECT TO mercato_user
    USING (provider_id = (SELECT parties.my_provider_id()) OR (SELECT parties.is_marketplace_admin()));
CREATE POLICY vehicle_insurance_own ON fleet.vehicle_insurance FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM fleet.vehicle v WHERE v.id = vehicle_insurance.vehicle_id));   -- the vehicle policy decides

GRANT SELECT ON fleet.vehicle, fleet.vehicle_insurance TO mercato_user;

COMMIT;
