-- Revert mercato:functions/marketplace/close_lapsed from pg

BEGIN;

DROP FUNCTION marketplace.close_lapsed_rfqs(interval);
DELETE FROM masterdata.setting WHERE key = 'RFQ_AWARD_GRACE_HOURS';

COMMIT;
