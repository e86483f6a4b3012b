-- Revert mercato:schemas/orders/loyalty from pg

BEGIN;

SET LOCAL ROLE mercato_owner;
SET LOCAL lock_timeout = '5s';

DELETE FROM core.error WHERE code = 'ORDERS_NO_LOYALTY_RULE';
DROP TABLE orders.loyalty_rule;
DELETE FROM masterdata.currency WHERE code = 'QPT';

COMMIT;
