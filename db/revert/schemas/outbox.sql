-- Revert mercato:schemas/outbox from pg
-- The role mercato_sender is cluster-wide and stays (other databases may use it).

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.secret WHERE table_schema = 'outbox';
DROP SCHEMA outbox CASCADE;
DELETE FROM masterdata.setting WHERE key LIKE 'OUTBOX\_%';
DELETE FROM core.error WHERE module = 'outbox';

COMMIT;
