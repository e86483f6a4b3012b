-- Deploy mercato:functions/marketplace/jobs to pg
-- The marketplace's periodic duty, registered with the jobs kernel: closing lapsed RFQs.

BEGIN;

SELECT jobs.register('marketplace.close_lapsed_rfqs', '*/15 * * * *', 'marketplace.close_lapsed_rfqs(interval)',
    'Close every RFQ still PUBLISHED RFQ_AWARD_GRACE_HOURS after its bid deadline without an award: CLOSED, its '
    'submitted bids LOST, audited (marketplace.close_lapsed_rfqs). Idempotent.');

COMMIT;
