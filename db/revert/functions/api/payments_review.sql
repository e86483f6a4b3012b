-- Revert mercato:functions/api/payments_review from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.resolve_flagged_withdrawal(bigint, core.name_text, core.long_text);

COMMIT;
