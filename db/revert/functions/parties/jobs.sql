-- Revert mercato:functions/parties/jobs from pg

BEGIN;

DELETE FROM jobs.job WHERE name = 'parties.recalculate_tiers';   -- its run history goes with it

COMMIT;
