-- Revert mercato:functions/api/payments_escrow from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION api.get_escrow(bigint);
DROP FUNCTION api.refund_escrow(bigint, core.long_text);
DROP FUNCTION api.resolve_dispute(bigint, numeric, core.long_text);
DROP FUNCTION api.open_dispute(bigint, core.long_text);
DROP FUNCTION api.confirm_delivery(bigint);
DROP FUNCTION api.get_shop_order(bigint);
DROP FUNCTION api.pay_shop_order(bigint, numeric);
DROP FUNCTION api.place_shop_order(bigint, core.json_doc, core.json_doc);
DROP FUNCTION api.open_shop(bigint, core.name_text, core.name_text, core.name_text);

COMMIT;
