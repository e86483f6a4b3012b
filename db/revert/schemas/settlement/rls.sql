-- Revert mercato:schemas/settlement/rls from pg

BEGIN;

REVOKE SELECT ON settlement.cycle, settlement.cycle_line FROM mercato_user, mercato_service;
DROP POLICY cycle_line_own ON settlement.cycle_line;
DROP POLICY cycle_own ON settlement.cycle;
DROP POLICY cycle_line_service ON settlement.cycle_line;
DROP POLICY cycle_service ON settlement.cycle;
ALTER TABLE settlement.cycle DISABLE ROW LEVEL SECURITY;
ALTER TABLE settlement.cycle_line DISABLE ROW LEVEL SECURITY;

COMMIT;
