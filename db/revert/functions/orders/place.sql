-- Revert mercato:functions/orders/place from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.place_order(jsonb, jsonb, bigint);
DROP FUNCTION orders.place_in(bigint, boolean, bigint, jsonb, jsonb, text, uuid);

COMMIT;
