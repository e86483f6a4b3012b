-- Revert mercato:functions/orders/import from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.import_order(text, text, jsonb, jsonb, bigint);

COMMIT;
