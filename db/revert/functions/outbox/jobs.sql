-- Revert mercato:functions/outbox/jobs from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM jobs.job WHERE name IN ('outbox.reclaim_expired', 'outbox.retention');   -- their run history goes with them

COMMIT;
