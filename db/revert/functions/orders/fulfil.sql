-- Revert mercato:functions/orders/fulfil from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.fulfil(bigint, jsonb, text[], bigint, bigint);
DROP FUNCTION orders.fulfil_for(bigint, bigint, jsonb, text[], bigint);

COMMIT;
