-- Revert mercato:functions/marketplace/jobs from pg

BEGIN;

DELETE FROM jobs.job WHERE name = 'marketplace.close_lapsed_rfqs';   -- its run history goes with it

COMMIT;
