-- Revert mercato:schemas/audit from pg

BEGIN;

DROP TABLE audit.event;
DROP SCHEMA audit;

COMMIT;
