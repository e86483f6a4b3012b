-- Revert mercato:functions/api/marketplace from pg
-- Puts the state before this rework back: every wrapper but two is the same in both versions (the deploy replaced it
-- with itself); api.start_delivery_session and api.resend_code did not exist when this rework deployed (the rework of
-- functions/delivery/sessions had dropped them), so they are dropped. Reverting that rework next creates them again
-- as released (functions/api/marketplace@v0.1.0), returning the code.

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.start_delivery_session(bigint, core.name_text, core.name_text), api.resend_code(bigint, core.name_text);

COMMIT;
