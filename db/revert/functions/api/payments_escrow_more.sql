-- Revert mercato:functions/api/payments_escrow_more from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.list_installment_plans(bigint, core.name_text, bigint, integer);
DROP FUNCTION api.list_escrows(bigint, core.name_text, bigint, integer);
DROP FUNCTION api.cancel_shop_order(bigint, core.long_text);

COMMIT;
