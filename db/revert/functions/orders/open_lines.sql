-- Revert mercato:functions/orders/open_lines from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DROP FUNCTION orders.open_lines_for(bigint, bigint[]);

COMMIT;
