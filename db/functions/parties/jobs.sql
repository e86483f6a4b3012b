-- Deploy mercato:functions/parties/jobs to pg
-- The rental parties' periodic duty, registered with the jobs kernel: the tier recalculation.

BEGIN;

SELECT jobs.register('parties.recalculate_tiers', '30 2 * * *', 'parties.recalculate_tiers()',
    'Tier recalculation: fold pending trust-score events, then promote or (after TIER_DEMOTION_GRACE_DAYS) demote '
    'every provider and business under the tier rules in force (parties.recalculate_tiers; result per party type).');

COMMIT;
