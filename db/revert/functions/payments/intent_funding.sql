-- Revert mercato:functions/payments/intent_funding from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP TRIGGER funding_session_share_settle ON payments.funding_session;
DROP TRIGGER funding_session_share_check ON payments.funding_session;
DROP FUNCTION payments.funding_session_share_settle_trg();
DROP FUNCTION payments.funding_session_share_check_trg();
ALTER TABLE payments.funding_session DROP CONSTRAINT funding_session_intent_share_id_fkey;

COMMIT;
