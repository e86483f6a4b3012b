-- Deploy mercato:functions/identity/jobs to pg
-- Identity's periodic duty, registered with the jobs kernel: the tier recalculation.

BEGIN;

SELECT jobs.register('identity.recalculate_tiers', '30 2 * * *', 'identity.recalculate_tiers()',
    'Tier recalculation: fold pending trust-score events, then promote or (after TIER_DEMOTION_GRACE_DAYS) demote '
    'every provider and business under the tier rules in force (identity.recalculate_tiers; result per party type).');

COMMIT;
