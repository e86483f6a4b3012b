-- Verify mercato:functions/marketplace/close_lapsed on pg

BEGIN;

SELECT 'marketplace.close_lapsed_rfqs(interval)'::regprocedure;
SELECT 1 / count(*)::int FROM masterdata.setting WHERE key = 'RFQ_AWARD_GRACE_HOURS';
-- Owner only (run as a job): no API role executes it.
SELECT 1 / (NOT bool_or(has_function_privilege(r, 'marketplace.close_lapsed_rfqs(interval)', 'EXECUTE')))::int
  FROM unnest(ARRAY['mercato_anon', 'mercato_user', 'mercato_service']) r;

ROLLBACK;
