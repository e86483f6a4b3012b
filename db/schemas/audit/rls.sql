-- Deploy mercato:schemas/audit/rls to pg
-- Row-level security on the audit trail: it records every party's changes, so only the back office reads it.

BEGIN;

ALTER TABLE audit.event ENABLE ROW LEVEL SECURITY;
CREATE POLICY event_service ON audit.event FOR SELECT TO mercato_service USING (true);

COMMIT;
