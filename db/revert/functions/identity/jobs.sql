-- Revert mercato:functions/identity/jobs from pg

BEGIN;

DELETE FROM jobs.job WHERE name = 'identity.recalculate_tiers';   -- its run history goes with it

COMMIT;
