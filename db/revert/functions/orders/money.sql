-- Revert mercato:functions/orders/money from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.apply_refund(bigint, bigint, numeric, text, bigint, jsonb, text, bigint);
DROP FUNCTION orders.apply_payment(bigint, bigint, text, numeric, bigint, bigint, text, bigint);
DROP FUNCTION orders.channel_account(bigint, text);
DROP FUNCTION orders.revenue_account(bigint);
DROP FUNCTION orders.tenant_currency(bigint);

COMMIT;
