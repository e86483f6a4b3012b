-- Revert mercato:schemas/audit/rls from pg

BEGIN;

DROP POLICY event_service ON audit.event;
ALTER TABLE audit.event DISABLE ROW LEVEL SECURITY;

COMMIT;
