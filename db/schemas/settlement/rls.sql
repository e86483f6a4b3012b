-- Deploy mercato:schemas/settlement/rls to pg
-- Row-level security on settlement: a provider sees its own settlement cycles and their lines (gross, commission, net
-- per contract line); the back office sees all; businesses and admins see none (a provider's commission is between
-- the provider and the platform).

BEGIN;

ALTER TABLE settlement.cycle ENABLE ROW LEVEL SECURITY;
ALTER TABLE settlement.cycle_line ENABLE ROW LEVEL SECURITY;

CREATE POLICY cycle_service ON settlement.cycle FOR SELECT TO mercato_service USING (true);
CREATE POLICY cycle_line_service ON settlement.cycle_line FOR SELECT TO mercato_service USING (true);
CREATE POLICY cycle_own ON settlement.cycle FOR SELECT TO mercato_user
    USING (provider_id = (SELECT parties.my_provider_id()));
CREATE POLICY cycle_line_own ON settlement.cycle_line FOR SELECT TO mercato_user
    USING (EXISTS (SELECT 1 FROM settlement.cycle c WHERE c.id = cycle_line.cycle_id));   -- the cycle policy decides

GRANT SELECT ON settlement.cycle, settlement.cycle_line TO mercato_user, mercato_service;

COMMIT;
